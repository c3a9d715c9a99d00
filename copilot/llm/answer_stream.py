"""The words of an ``answer`` reply (and the name of any reply), pulled out of constrained JSON output while it
is being generated.

Constrained output looks like ``{"name": "answer", "arguments": {"text": "..."}}``
(llama.cpp's grammar keeps the schema's property order), so once that prefix
has streamed by, every further character up to the closing quote is text for
the operator and can be shown at once. Escapes are decoded only when complete.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum

_NAME = re.compile(r'\s*\{\s*"name"\s*:\s*"([A-Za-z0-9_.-]+)"')
_PREFIX = ("{", '"name"', ":", '"answer"', ",", '"arguments"', ":", "{", '"text"', ":", '"')
_SPACE = " \t\r\n"



class Phase(StrEnum):
    """Where the stream is: before the answer's text, in it, after it, or in a reply that is not an answer."""

    prefix = "prefix"
    text = "text"
    closed = "closed"
    other = "other"

class AnswerStream:
    """Feed output deltas; get back the answer text they complete (empty unless the reply is an answer)."""

    def __init__(self) -> None:
        self._buffer = ""
        self._pos = 0  # next character of the buffer to look at
        self._piece = 0  # index into _PREFIX
        self._offset = 0  # characters of the current piece matched so far
        self.state = Phase.prefix
        self.text = ""
        self.name: str | None = None
        """The reply's name (``answer`` or the tool called) once it has streamed by: long before the arguments,
        so the operator can see at once what the model is doing."""

    def feed(self, delta: str) -> str:
        self._buffer += delta
        if self.name is None and (match := _NAME.match(self._buffer)):
            self.name = match.group(1)
        if self.state is Phase.prefix:
            self._match_prefix()
        if self.state is not Phase.text:
            return ""
        new = self._decode()
        self.text += new
        return new

    def _match_prefix(self) -> None:
        buf = self._buffer
        while self._pos < len(buf):
            piece = _PREFIX[self._piece]
            ch = buf[self._pos]
            if self._offset == 0 and ch in _SPACE:
                self._pos += 1
                continue
            if ch != piece[self._offset]:
                self.state = Phase.other
                return
            self._pos += 1
            self._offset += 1
            if self._offset == len(piece):
                self._piece += 1
                self._offset = 0
                if self._piece == len(_PREFIX):
                    self.state = Phase.text
                    return

    def _decode(self) -> str:
        out: list[str] = []
        buf = self._buffer
        while self._pos < len(buf):
            ch = buf[self._pos]
            if ch == '"':
                self.state = Phase.closed
                self._pos += 1
                break
            if ch != "\\":
                out.append(ch)
                self._pos += 1
                continue
            size = _escape_size(buf, self._pos)
            if size is None:  # incomplete escape: wait for more output
                break
            try:
                out.append(json.loads('"' + buf[self._pos : self._pos + size] + '"'))
            except ValueError:  # a lone or broken surrogate: keep what the model wrote
                out.append(buf[self._pos : self._pos + size])
            self._pos += size
        return "".join(out)


def _escape_size(buf: str, at: int) -> int | None:
    """Length of the escape sequence starting at ``buf[at]`` (a backslash), or None if not all there yet."""
    if at + 1 >= len(buf):
        return None
    if buf[at + 1] != "u":
        return 2
    if at + 6 > len(buf):
        return None
    if 0xD800 <= _hex(buf[at + 2 : at + 6]) <= 0xDBFF:  # a high surrogate: take its low half along
        follow = buf[at + 6 : at + 8]
        if len(follow) < 2 and "\\u".startswith(follow):
            return None
        if follow != "\\u":
            return 6
        return 12 if at + 12 <= len(buf) else None
    return 6


def _hex(digits: str) -> int:
    try:
        return int(digits, 16)
    except ValueError:
        return -1
