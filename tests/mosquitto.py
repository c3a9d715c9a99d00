"""A real MQTT broker for the tests: Debian's mosquitto on free loopback ports, no persistence; anonymous, or
locked (a password file, and a TLS listener with a certificate of a CA made for the test).

``make test`` installs it (``make system``); without the binary the tests that need it are skipped, saying so.
"""

from __future__ import annotations

import contextlib
import datetime
import getpass
import ipaddress
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator.process import die_with_parent, free_ports

STARTUP_TIMEOUT_S = 20.0


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def _binary(name: str) -> str:
    found = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/local/sbin/{name}") if Path(p).is_file()), None)
    if found is None:
        pytest.skip(f"{name} is not installed (`make system` or apt-get install mosquitto): "
                    "no MQTT broker to test on")
    return found


@contextlib.contextmanager
def _serving(work: Path, config: str, ports: list[int]) -> Iterator[None]:
    """Run mosquitto on ``config`` (its log lines added) until the context ends, once it answers on ``ports``."""
    binary = _binary("mosquitto")
    work.mkdir(parents=True, exist_ok=True)
    conf, log = work / "mosquitto.conf", work / "mosquitto.log"
    # as root it would drop to the user ``mosquitto``, who cannot read the test's folder
    conf.write_text(f"user {getpass.getuser()}\npersistence false\nlog_dest file {log}\nlog_type error\n"
                    f"log_type warning\nlog_type notice\n{config}", encoding="utf-8")
    proc = subprocess.Popen([binary, "-c", str(conf)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not all(_answers(port) for port in ports):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"mosquitto did not start on {ports}: {log.read_text() if log.exists() else ''}")
            time.sleep(0.05)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def running_mosquitto(work: Path) -> Iterator[int]:
    """An anonymous broker on a free loopback port; yield its port; stop it."""
    port = free_ports(1)[0]
    with _serving(work, f"listener {port} 127.0.0.1\nallow_anonymous true\n", [port]):
        yield port


@dataclass(frozen=True)
class LockedBroker:
    """A broker that takes only its users: plainly on ``plain_port`` (the simulator's edge node), over TLS on
    ``tls_port`` with a certificate ``ca_file`` signs for 127.0.0.1."""

    plain_port: int
    tls_port: int
    ca_file: Path


@contextlib.contextmanager
def running_locked_mosquitto(work: Path, users: dict[str, str]) -> Iterator[LockedBroker]:
    """A broker with a password file of ``users`` (name: password) and no anonymous access, on two free loopback
    ports, the second one TLS only; stop it at the end."""
    passwd = work / "passwd"
    work.mkdir(parents=True, exist_ok=True)
    passwd.touch(mode=0o600)
    for name, password in users.items():
        subprocess.run([_binary("mosquitto_passwd"), "-b", str(passwd), name, password], check=True,
                       capture_output=True, timeout=30)
    ca, cert, key = _certificates(work)
    plain, tls = free_ports(2)
    config = (f"per_listener_settings false\nallow_anonymous false\npassword_file {passwd}\n"
              f"listener {plain} 127.0.0.1\n"
              f"listener {tls} 127.0.0.1\ncafile {ca}\ncertfile {cert}\nkeyfile {key}\n")
    with _serving(work, config, [plain, tls]):
        yield LockedBroker(plain, tls, ca)


def _certificates(work: Path) -> tuple[Path, Path, Path]:
    """A CA of the test's own, and a server certificate it signs for 127.0.0.1 and localhost: their PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def made(subject: str, issuer: x509.Name | None, signer, public, *, ca: bool, names=()) -> x509.Certificate:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        builder = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer or name).public_key(public)
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_cert = made("plant-copilot test CA", None, ca_key, ca_key.public_key(), ca=True)
    server_cert = made("127.0.0.1", ca_cert.subject, ca_key, server_key.public_key(), ca=False,
                       names=[x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")])
    files = work / "ca.pem", work / "server.pem", work / "server.key"
    files[0].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files[1].write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    files[2].write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    files[2].chmod(0o600)
    return files
