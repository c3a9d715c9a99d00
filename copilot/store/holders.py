"""Who holds a claim on shared state (an action being run, a conversation being resumed), and whether they
are gone, so a restart takes over at once what a dead process held and two live processes never both do."""

from __future__ import annotations

import os
import socket
import uuid

_LIVE: set[str] = set()  # the holders this process has open


def new_holder() -> str:
    """A holder name for one open store of this process: host, pid and a token."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
    _LIVE.add(holder)
    return holder


def release(holder: str) -> None:
    """Mark ``holder`` as gone in this process, so that its claims can be taken over at once."""
    _LIVE.discard(holder)


def is_gone(holder: str | None) -> bool:
    """Whether a holder is gone: closed in this process, or its process ended (on this host; another host's
    holder only its lease can tell)."""
    host, _, rest = (holder or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return holder not in _LIVE
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False
