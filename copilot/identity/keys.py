"""Keys from the environment, or, where the admin set none, one the copilot makes once in a file only its own
account can read (the demo's way; a plant sets them, see the README's security section)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def key_from(configured: str | None, key_file: Path) -> bytes:
    """The configured key, or the key file's (made on first use, mode 0600)."""
    if configured:
        return configured.encode()
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it just now
            return key_file.read_text().strip().encode()
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return key_file.read_text().strip().encode()
