"""Who calls the MCP server: over HTTP the bearer token of each request, over stdio the user the server proved at
its start with an access token or the user's password, never a bare name; a service account never acts for a
caller. Every call reads the users file again, so a removed user or a changed role counts at once."""

from __future__ import annotations

from dataclasses import dataclass

from copilot.identity import AccessTokens, SignIn, SignInRefused, User, UsersFile


class CallerRefused(PermissionError):
    """The caller is not someone the copilot knows (no token, an unknown or revoked one, a removed user, a
    wrong password, a service account)."""


@dataclass(frozen=True)
class StdioCaller:
    """The user a stdio server serves, as proven at its start; a token is checked again on every call (a revoked
    one stops the server's calls at once)."""

    username: str
    token: str | None = None

    def name(self, tokens: AccessTokens) -> tuple[str | None, str]:
        """The user's name now, or None and why not; and how they were proven."""
        if self.token is None:
            return self.username, "stdio, signed in with a password"
        name, how = tokens.user_of(self.token)
        return name, f"stdio, {how}"


def person(users: UsersFile, name: str | None, how: str) -> User:
    """The person ``name`` is in the users file now; CallerRefused when none (or a service account)."""
    if name is None:
        raise CallerRefused(f"not signed in: {how}")
    found = next((u for u in users.current().people() if u.username == name), None)
    if found is None:  # removed since, or a service account (the monitor), which never acts for a caller
        raise CallerRefused(f"{name!r} ({how}) is not a person in the users file")
    return found


def prove_stdio(users: UsersFile, tokens: AccessTokens, signin: SignIn, *, token: str, user: str, password: str,
                address: str) -> StdioCaller:
    """The caller of a stdio server, from an access token, or a user's name and password (throttled like every
    sign-in, from ``address``); CallerRefused with one line saying what is missing or wrong."""
    if token:
        name, how = tokens.user_of(token)
        return StdioCaller(person(users, name, how).username, token)
    if not user or not password:
        raise CallerRefused("over stdio the server needs COPILOT_MCP_TOKEN (an access token: `plant-copilot mcp "
                            "token create`) or --user NAME (COPILOT_MCP_USER) with COPILOT_PASSWORD")
    try:
        return StdioCaller(person(users, signin.check(user, password, address=address).username, user).username)
    except SignInRefused as exc:
        raise CallerRefused(f"{user}: {exc}") from None
