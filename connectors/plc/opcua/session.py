"""Opening an OPC UA session the way a plant's server expects: security policy, pinned certificate, user.

With security ``sign`` or ``sign_and_encrypt`` (the settings', or the server's own in the plant file's ``plcs:``)
the session runs Basic256Sha256 with the copilot's application certificate, and only to a server whose
certificate is on the trust list: that exact certificate is pinned, so the secure channel fails should the
server present another. The user name and password come from the environment (``PLANT_OPCUA_USERNAME``,
``PLANT_OPCUA_PASSWORD``). Every failure to connect is one typed error whose message says what to do.
"""

from __future__ import annotations

import asyncio
import contextlib

from asyncua import Client, ua
from asyncua.crypto.security_policies import SecurityPolicyBasic256Sha256

from connectors.errors import ConnectorError, InvalidRequest, Rejected, TimedOut, Unreachable, Untrusted
from connectors.plc.opcua.pki import Pki, describe, uri_of
from connectors.plc.opcua.schema import OPCUA_SCHEME
from connectors.settings import ConnectorSettings, OpcUaSecurity

_MODE = {
    OpcUaSecurity.none: ua.MessageSecurityMode.None_,
    OpcUaSecurity.sign: ua.MessageSecurityMode.Sign,
    OpcUaSecurity.sign_and_encrypt: ua.MessageSecurityMode.SignAndEncrypt,
}
_REFUSED_USER = {ua.StatusCodes.BadUserAccessDenied, ua.StatusCodes.BadIdentityTokenInvalid,
                 ua.StatusCodes.BadIdentityTokenRejected}
_REFUSED_CERTIFICATE = {ua.StatusCodes.BadCertificateUntrusted, ua.StatusCodes.BadCertificateInvalid,
                        ua.StatusCodes.BadSecurityChecksFailed, ua.StatusCodes.BadCertificateUriInvalid,
                        ua.StatusCodes.BadCertificateTimeInvalid}
_REFUSED_SECURITY = {ua.StatusCodes.BadSecurityModeRejected, ua.StatusCodes.BadSecurityPolicyRejected}


def trust_hint(url: str) -> str:
    """The advice to check and trust the server at ``url``, for an error message."""
    return f"check its fingerprint with the server's admin, then run `plant-copilot opcua trust {url}`"


async def server_certificate(url: str, security: OpcUaSecurity, timeout_s: float) -> bytes:
    """The certificate the server at ``url`` offers for Basic256Sha256 in this mode (asked over GetEndpoints)."""
    probe = Client(url, timeout=timeout_s)
    endpoints = await _within(url, timeout_s, probe.connect_and_get_server_endpoints())
    policy = SecurityPolicyBasic256Sha256.URI
    for endpoint in endpoints:
        if endpoint.SecurityPolicyUri == policy and endpoint.SecurityMode == _MODE[security]:
            return _first_certificate(endpoint.ServerCertificate)
    offered = sorted({f"{e.SecurityPolicyUri.rsplit('#', 1)[-1]} {e.SecurityMode.name}" for e in endpoints})
    raise Rejected(f"OPC UA server {url} offers no Basic256Sha256 {_MODE[security].name} endpoint; "
                   f"it offers: {', '.join(offered)} (set PLANT_OPCUA_SECURITY to one of them)")


async def open_session(settings: ConnectorSettings, url: str | None = None,
                       security: OpcUaSecurity | None = None) -> Client:
    """A connected client to ``url`` (default: the plant's server) with ``security`` (default: the settings') and
    the configured user; every failure to connect is one of the connectors' typed errors, saying what to do."""
    url = url or settings.opcua_url
    security = security or settings.opcua_security
    if not url.startswith(OPCUA_SCHEME) or len(url) == len(OPCUA_SCHEME):
        raise InvalidRequest(f"{url!r} is not an OPC UA endpoint: give its {OPCUA_SCHEME}HOST:PORT/... URL")
    client = Client(url, timeout=settings.request_timeout_s)
    if security is not OpcUaSecurity.none:
        await _secure(client, settings, url, security)
    if settings.opcua_username:
        client.set_user(settings.opcua_username)
        client.set_password(settings.opcua_password.get_secret_value() if settings.opcua_password else "")
    try:
        await _connect(client, settings, url, security)
    except ConnectorError:
        await close_quietly(client)
        raise
    return client


async def _connect(client: Client, settings: ConnectorSettings, url: str, security: OpcUaSecurity) -> None:
    try:
        await _within(url, settings.connect_timeout_s, client.connect())
    except ua.UaStatusCodeError as exc:
        raise _refusal(url, settings, exc.code) from None
    except AssertionError:
        # asyncua asserts when the server answers OpenSecureChannel with a fault instead of a channel
        if security is OpcUaSecurity.none:
            raise Rejected(f"OPC UA server {url} refused to open a channel without security: set "
                           f"PLANT_OPCUA_SECURITY to a mode it offers (sign or sign_and_encrypt)") from None
        raise Rejected(f"OPC UA server {url} refused a secure channel with the copilot's certificate: it does not "
                       f"trust it yet; its admin must trust {Pki(settings.opcua_pki_dir).cert_file} "
                       f"(see `plant-copilot opcua cert show`)") from None
    except ua.UaError as exc:
        if "certificate mismatch" in str(exc).lower():
            raise Untrusted(f"OPC UA server {url} presented another certificate than the trusted one; "
                            f"if its admin renewed it, {trust_hint(url)}") from None
        raise Rejected(f"OPC UA server {url} refused the session: {exc}") from None


async def _secure(client: Client, settings: ConnectorSettings, url: str, security: OpcUaSecurity) -> None:
    pki = Pki(settings.opcua_pki_dir)
    cert_file, key_file = pki.own()
    server_der = await server_certificate(url, security, settings.connect_timeout_s)
    if not pki.is_trusted(server_der):
        raise Untrusted(f"the certificate of OPC UA server {url} is not trusted ({describe(server_der)}); "
                        f"{trust_hint(url)}")
    client.application_uri = uri_of(cert_file.read_bytes())
    await client.set_security(SecurityPolicyBasic256Sha256, str(cert_file), str(key_file),
                              server_certificate=server_der, mode=_MODE[security])


def _refusal(url: str, settings: ConnectorSettings, code: int) -> ConnectorError:
    status = ua.StatusCode(code)
    if code in _REFUSED_USER:
        who = f"user {settings.opcua_username!r}" if settings.opcua_username else "an anonymous session"
        return Rejected(f"OPC UA server {url} refused {who} ({status.name}): "
                        f"check PLANT_OPCUA_USERNAME and PLANT_OPCUA_PASSWORD")
    if code in _REFUSED_CERTIFICATE:
        return Rejected(f"OPC UA server {url} refused the copilot's certificate ({status.name}): its admin must "
                        f"trust {Pki(settings.opcua_pki_dir).cert_file} (see `plant-copilot opcua cert show`)")
    if code in _REFUSED_SECURITY:
        return Rejected(f"OPC UA server {url} does not offer this security ({status.name}): set PLANT_OPCUA_SECURITY "
                        f"(or the security of its plcs: entry) to a mode it offers")
    return Rejected(f"OPC UA server {url} refused the session ({status.name})")


async def _within(url: str, timeout_s: float, call):
    try:
        return await asyncio.wait_for(call, timeout_s)
    except TimeoutError:
        raise TimedOut(f"OPC UA server {url} did not answer within {timeout_s:g} s: check that the URL's port is "
                       f"the server's OPC UA port (PLANT_CONNECT_TIMEOUT_S if it is only slow)") from None
    except OSError as exc:
        raise Unreachable(f"OPC UA server {url} is unreachable ({exc.strerror or exc}): check the URL's host and port "
                          f"and that the server runs") from None


def _first_certificate(der: bytes) -> bytes:
    """The server's own certificate when it sends its chain along (DER: the outer SEQUENCE's length)."""
    return der[: int.from_bytes(der[2:4], "big") + 4]


async def close_quietly(client: Client) -> None:
    """Disconnect ``client``, waiting 2 s at most and ignoring any error."""
    with contextlib.suppress(Exception):  # a dead connection may fail to close in many ways
        await asyncio.wait_for(client.disconnect(), 2)
