"""Typed errors every connector raises, so callers can tell the operator what to do."""


class ConnectorError(Exception):
    """Base of all connector errors; ``str()`` is a message an operator can act on."""

    unconfirmed: bool = False
    """A change was sent but not confirmed: it may or may not have been made (retry it under the same
    idempotency key, which makes nothing twice)."""


class Unreachable(ConnectorError):
    """The system did not answer at all (connection refused, PLC offline, service down)."""


class TimedOut(ConnectorError):
    """The system took longer than its configured timeout."""


class Rejected(ConnectorError):
    """The system, or the connector's own guard, refused the request (limits, allow-list, 4xx/5xx)."""


class NotFound(ConnectorError):
    """The machine, tag or record does not exist."""


class InvalidRequest(ConnectorError):
    """The request was malformed before it was sent (wrong type, missing field)."""


class Untrusted(ConnectorError):
    """The server's certificate is not on the connector's trust list, or is not the one pinned there."""


class NotConfigured(ConnectorError):
    """Something the admin sets up is missing (the application certificate, a credential)."""
