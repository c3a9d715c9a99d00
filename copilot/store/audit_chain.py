"""How a record goes into the audit chain: its body redacted, its keyed hash over the one before it, and the signed
head of the chain."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

from pydantic import BaseModel

GENESIS = "0" * 64
"""The hash the first record follows."""
_SECRET_KEY = re.compile(r"pass(word)?|secret|token|api[_-]?key|authorization|credential", re.IGNORECASE)


class Head(BaseModel):
    """The chain's end as it was: its record count and last hash, signed with the audit key."""

    log: str  # the audit file it is of
    count: int
    head: str
    keyed_from: int  # the first record with a keyed hash (records before it predate the key)
    at: float
    signature: str = ""

    def signed(self, key: bytes) -> Head:
        return self.model_copy(update={"signature": _mac(key, self._text())})

    def genuine(self, key: bytes) -> bool:
        return hmac.compare_digest(self.signature, _mac(key, self._text()))

    def _text(self) -> str:
        return f"{self.log}|{self.count}|{self.head}|{self.keyed_from}|{self.at!r}"


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def record_hash(key: bytes | None, prev_hash: str, seq: int, ts: float, kind: str, actor: str, thread_id: str | None,
                action_id: str | None, tool: str | None, body: str) -> str:
    """The record's hash: keyed (HMAC-SHA256); ``key`` None for the records of a log from before keys."""
    canonical = prev_hash + json.dumps([seq, ts, kind, actor, thread_id, action_id, tool, body], separators=(",", ":"))
    return _mac(key, canonical) if key is not None else hashlib.sha256(canonical.encode()).hexdigest()


def redact(value: Any) -> Any:
    """A copy with the values of secret-looking keys replaced."""
    if isinstance(value, dict):
        return {k: "***" if _SECRET_KEY.search(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value
