"""OPC UA certificates: an application's own certificate and the server certificates the connector trusts.

One folder (``PLANT_OPCUA_PKI_DIR``) holds ``own/cert.der`` with ``own/key.pem`` (mode 0600) and
``trusted/<fingerprint>.der``. A server is trusted when its exact certificate is in ``trusted/``: the
connector pins that certificate, so a server that later presents another one is refused until the admin
trusts the new one.
"""

from __future__ import annotations

import datetime
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from asyncua.crypto import cert_gen
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from connectors.errors import InvalidRequest, NotConfigured

CERT_DAYS = 365 * 2


def application_uri(hostname: str | None = None) -> str:
    """The copilot's OPC UA application URI on this host; a certificate carries it so servers can check it."""
    return f"urn:{hostname or socket.gethostname()}:plant-copilot"


@dataclass(frozen=True)
class Pki:
    """The copilot's OPC UA certificate store under ``root``: its own certificate and key, and the trusted servers."""

    root: Path

    @property
    def cert_file(self) -> Path:
        return self.root / "own" / "cert.der"

    @property
    def key_file(self) -> Path:
        return self.root / "own" / "key.pem"

    @property
    def trusted_dir(self) -> Path:
        return self.root / "trusted"

    def own(self) -> tuple[Path, Path]:
        """The certificate and key files of this application, or NotConfigured saying how to make them."""
        if not (self.cert_file.is_file() and self.key_file.is_file()):
            raise NotConfigured(f"no OPC UA application certificate in {self.root / 'own'}: "
                                f"run `plant-copilot opcua cert create`")
        return self.cert_file, self.key_file

    def is_trusted(self, der: bytes) -> bool:
        return (self.trusted_dir / f"{fingerprint(der).replace(':', '')}.der").is_file()

    def trust(self, der: bytes) -> Path:
        """Put a server certificate on the trust list; its file is named by its fingerprint."""
        x509.load_der_x509_certificate(der)  # a certificate, not any bytes
        self.trusted_dir.mkdir(parents=True, exist_ok=True)
        path = self.trusted_dir / f"{fingerprint(der).replace(':', '')}.der"
        path.write_bytes(der)
        return path


def certificate_der(data: bytes, source: str) -> bytes:
    """A certificate file's content (DER or PEM) as DER; InvalidRequest if it holds no certificate."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data).public_bytes(Encoding.DER)
        return x509.load_der_x509_certificate(data).public_bytes(Encoding.DER)
    except ValueError:
        raise InvalidRequest(f"{source} holds no X.509 certificate (DER or PEM)") from None


def fingerprint(der: bytes) -> str:
    """The SHA-256 fingerprint as people compare it (AA:BB:...), the same as UaExpert and openssl show."""
    digest = x509.load_der_x509_certificate(der).fingerprint(hashes.SHA256())
    return ":".join(f"{b:02X}" for b in digest)


def describe(der: bytes) -> str:
    """Who the certificate names, how long it is valid and its fingerprint: what an admin checks before trusting."""
    cert = x509.load_der_x509_certificate(der)
    return (f"{cert.subject.rfc4514_string()}, valid {cert.not_valid_before_utc:%Y-%m-%d} to "
            f"{cert.not_valid_after_utc:%Y-%m-%d}, SHA-256 {fingerprint(der)}")


def uri_of(der: bytes) -> str:
    """The application URI a certificate was made for (its subject alternative name)."""
    cert = x509.load_der_x509_certificate(der)
    try:
        uris = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.UniformResourceIdentifier)
    except x509.ExtensionNotFound:
        uris = []
    if not uris:
        raise NotConfigured(f"the certificate {cert.subject.rfc4514_string()} names no application URI")
    return uris[0]


def make_certificate(cert_file: Path, key_file: Path, uri: str, *, server: bool, days: int = CERT_DAYS,
                     hostname: str | None = None) -> bytes:
    """A new self-signed application certificate (DER) and its RSA key (PEM, mode 0600), replacing old ones."""
    host = hostname or socket.gethostname()
    key = cert_gen.generate_private_key()
    names: list[x509.GeneralName] = [x509.UniformResourceIdentifier(uri), x509.DNSName(host)]
    if host != "localhost":
        names.append(x509.DNSName("localhost"))
    usage = [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
    cert = cert_gen.generate_self_signed_app_certificate(key, uri, {}, names, usage, days=days)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    cert_file.parent.mkdir(parents=True, exist_ok=True)
    _write_secret(key_file, cert_gen.dump_private_key_as_pem(key))
    der = cert.public_bytes(Encoding.DER)
    cert_file.write_bytes(der)
    return der


def create_application_certificate(pki: Pki, *, days: int = CERT_DAYS, replace: bool = False) -> bytes:
    """The copilot's own certificate, made once; ``replace`` makes a new key and certificate over the old ones."""
    if pki.cert_file.exists() and not replace:
        raise NotConfigured(f"{pki.cert_file} exists already (SHA-256 {fingerprint(pki.cert_file.read_bytes())}); "
                            f"pass --replace to make a new one, which every server must then trust again")
    return make_certificate(pki.cert_file, pki.key_file, application_uri(), server=False, days=days)


def expires_within(der: bytes, days: int) -> bool:
    """Whether the DER certificate expires within ``days`` from now (or has expired)."""
    cert = x509.load_der_x509_certificate(der)
    return cert.not_valid_after_utc < datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days)


def _write_secret(path: Path, data: bytes) -> None:
    """Write a private key readable by this account only, replacing the file in one step."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
