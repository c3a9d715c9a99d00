"""Who is acting: users and roles, sign-in, session and access tokens, and the keys behind them."""

from copilot.exports import exports

_NAMES = {
    "User": "copilot.identity.users",
    "UserDirectory": "copilot.identity.users",
    "UsersFile": "copilot.identity.users",
    "UsersFileError": "copilot.identity.users",
    "UnknownUser": "copilot.identity.users",
    "hash_password": "copilot.identity.users",
    "PasswordTooLong": "copilot.identity.users",
    "SignIn": "copilot.identity.signin",
    "SignInRefused": "copilot.identity.signin",
    "AccessToken": "copilot.identity.access_tokens",
    "AccessTokens": "copilot.identity.access_tokens",
    "UnknownToken": "copilot.identity.access_tokens",
    "AppSessions": "copilot.identity.sessions",
    "OpenedSession": "copilot.identity.sessions",
    "SecretKind": "copilot.identity.sessions",
}

__all__ = sorted(_NAMES)
__getattr__, __dir__ = exports(__name__, _NAMES)
