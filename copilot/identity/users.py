"""The plant's users and their roles, from the site folder's users.yaml; passwords only as bcrypt hashes.

The file is read again when it changes (:class:`UsersFile`), so a removed user can no
longer sign in and a demoted supervisor no longer approves, without a restart. An
unknown name costs the same bcrypt check as a wrong password, so names cannot be told
apart by the time an answer takes.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import bcrypt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.site import config_data
from policies.model import Role

BCRYPT = r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$"
"""What a password hash in the users file must look like: bcrypt's own form."""
MAX_PASSWORD_BYTES = 72  # what bcrypt reads of a password; a longer one is refused rather than cut
_NOBODY = bcrypt.hashpw(b"no such user", bcrypt.gensalt()).decode()  # checked for unknown names


class UsersFileError(ValueError):
    """The users file cannot be read or has a mistake; the message names the file and the field."""


class UnknownUser(LookupError):
    """No user of that name is in the users file."""


class User(BaseModel):
    """Who acts: a user's name, display name and role (never the password hash)."""

    model_config = ConfigDict(frozen=True)

    username: str
    display_name: str
    role: Role


class _Entry(User):
    password_hash: str = Field(pattern=BCRYPT, description="a bcrypt hash ($2b$12$...), from `plant-copilot "
                                                           "site hash-password`")
    service: bool = False  # a process's account (the monitor): it acts as this user and never signs in


class PasswordTooLong(ValueError):
    """A password longer than bcrypt reads (72 bytes in UTF-8)."""


def hash_password(password: str) -> str:
    """The bcrypt hash to put in the users file for ``password``; PasswordTooLong beyond 72 bytes."""
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise PasswordTooLong(f"a password may be at most {MAX_PASSWORD_BYTES} bytes (this one is "
                              f"{len(password.encode())}); choose a shorter one")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


class UserDirectory:
    """The users of one reading of the users file, by name: looked up and authenticated."""

    def __init__(self, entries: list[_Entry]) -> None:
        self._entries = {e.username: e for e in entries}

    @classmethod
    def load(cls, path: str | Path) -> UserDirectory:
        """The users of the file; UsersFileError names the file and the user and field that are wrong."""
        raw = config_data(path, "users file", UsersFileError) or {}
        users = raw.get("users") if isinstance(raw, dict) else None
        if not isinstance(users, dict):
            raise UsersFileError(f"users file {path}: needs a 'users:' mapping of user name to fields")
        entries = []
        for name, fields in users.items():
            try:
                entries.append(_Entry(username=str(name), **(fields if isinstance(fields, dict) else {})))
            except (ValidationError, TypeError) as exc:
                problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()) \
                    if isinstance(exc, ValidationError) else str(exc)
                raise UsersFileError(f"users file {path}, user {name!r}: {problems}") from None
        return cls(entries)

    def get(self, username: str) -> User:
        try:
            entry = self._entries[username]
        except KeyError:
            raise UnknownUser(f"unknown user {username!r}; users are: {', '.join(self._entries)}") from None
        return User(username=entry.username, display_name=entry.display_name, role=entry.role)

    def people(self) -> list[User]:
        """The users who sign in (not the processes' accounts)."""
        return [self.get(name) for name, entry in self._entries.items() if not entry.service]

    def roles(self) -> dict[str, str]:
        """Every user's role by name, the processes' accounts too, and nothing else (no hash, no name shown)."""
        return {name: str(entry.role) for name, entry in sorted(self._entries.items())}

    def find(self, username: str) -> User | None:
        return self.get(username) if username in self._entries else None

    def person(self, username: str) -> User | None:
        """The user if they are a person who may sign in; None for an unknown name or a process's account."""
        entry = self._entries.get(username)
        return self.get(username) if entry is not None and not entry.service else None

    def authenticate(self, username: str, password: str) -> User | None:
        """The user when the password matches its hash; None otherwise. An unknown name costs the same."""
        entry = self._entries.get(username)
        stored = entry.password_hash if entry else _NOBODY
        given = password.encode(errors="replace")
        fits = len(given) <= MAX_PASSWORD_BYTES  # a longer one never matches, at the cost of a check all the same
        matches = bcrypt.checkpw(given[:MAX_PASSWORD_BYTES], stored.encode()) and fits
        return self.get(username) if entry is not None and matches and not entry.service else None


class UsersFile:
    """The users file, read again whenever it changed on disk (its size or modification time)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None
        self._directory: UserDirectory | None = None

    def current(self) -> UserDirectory:
        try:
            stat = os.stat(self.path)
        except OSError as exc:
            raise UsersFileError(f"users file {self.path}: {exc.strerror or exc} (`plant-copilot init` makes "
                                 "one)") from None
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._seen or self._directory is None:
                self._directory, self._seen = UserDirectory.load(self.path), stamp
            return self._directory
