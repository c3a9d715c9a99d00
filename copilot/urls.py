"""The web addresses the copilot posts to (the monitor's webhook): checked when the settings are read, and shown
in messages without what makes them a secret (a webhook's path and query are its key; so is a password)."""

from __future__ import annotations

from urllib.parse import urlsplit

WEB_SCHEMES = ("https", "http")


class BadUrl(ValueError):
    """An address the copilot will not post to; the message shows it without its secret parts."""


def shown_url(url: str) -> str:
    """``url`` as messages show it: its scheme, host and port, the rest hidden (``https://hooks.example/***``)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "***"
    if not parts.scheme or not host:
        return "***"
    hidden = "/***" if parts.path.strip("/") or parts.query or parts.username or parts.password else ""
    return f"{parts.scheme}://{host}{port}{hidden}"


def check_webhook_url(url: str) -> str:
    """``url`` if it is an http(s) address with a host; BadUrl, the address shown without its secret, otherwise."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise BadUrl(f"{shown_url(url)} is not a web address (https://HOST/PATH)") from None
    if parts.scheme.lower() not in WEB_SCHEMES:
        raise BadUrl(f"{shown_url(url)}: the scheme must be https:// or http://, not {parts.scheme or 'none'}")
    if not parts.hostname:
        raise BadUrl(f"{shown_url(url)} names no host (https://HOST/PATH)")
    return url.strip()
