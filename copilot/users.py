"""The plant's users and their roles, from config/users.yaml; passwords only as bcrypt hashes."""

from __future__ import annotations

from pathlib import Path

import bcrypt
import yaml
from pydantic import BaseModel, ConfigDict

from policies.model import Role


class UnknownUser(LookupError):
    """No user of that name is in the users file."""


class User(BaseModel):
    model_config = ConfigDict(frozen=True)

    username: str
    display_name: str
    role: Role


class _Entry(User):
    password_hash: str


def hash_password(password: str) -> str:
    """The bcrypt hash to put in the users file for ``password``."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


class UserDirectory:
    def __init__(self, entries: list[_Entry]) -> None:
        self._entries = {e.username: e for e in entries}

    @classmethod
    def load(cls, path: str | Path) -> UserDirectory:
        with open(path, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh) or {}
        return cls([_Entry(username=name, **fields) for name, fields in (raw.get("users") or {}).items()])

    def get(self, username: str) -> User:
        try:
            entry = self._entries[username]
        except KeyError:
            raise UnknownUser(f"unknown user {username!r}; users are: {', '.join(self._entries)}") from None
        return User(username=entry.username, display_name=entry.display_name, role=entry.role)

    def all(self) -> list[User]:
        return [self.get(name) for name in self._entries]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user when the password matches its hash; None otherwise (unknown users included)."""
        entry = self._entries.get(username)
        if entry is None or not bcrypt.checkpw(password.encode(), entry.password_hash.encode()):
            return None
        return self.get(username)
