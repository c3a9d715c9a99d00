"""The twin's errors: one hierarchy, so a caller catches ``TwinError`` and shows the message to a person."""

from __future__ import annotations


class TwinError(Exception):
    """Base of the twin's errors; ``str()`` says what is wrong in words an engineer can act on."""


class TwinFileError(TwinError, ValueError):
    """The twin file cannot be read or has a mistake; the message names the file and the field."""


class BadChange(TwinError):
    """A dry run of something that is not a change of this plant (an unknown machine or tag, a read-only tag,
    a value that is not a number), or live values that lack what the prediction starts from."""
