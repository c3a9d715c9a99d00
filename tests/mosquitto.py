"""A real MQTT broker for the tests: Debian's mosquitto on a free loopback port, anonymous, no persistence.

``make test`` installs it (``make system``); without the binary the tests that need it are skipped, saying so.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.process import die_with_parent, free_ports

STARTUP_TIMEOUT_S = 20.0


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


@contextlib.contextmanager
def running_mosquitto(work: Path) -> Iterator[int]:
    """Start mosquitto with a config of its own in ``work``; yield its port; stop it."""
    binary = shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if Path(p).is_file()), None)
    if binary is None:
        pytest.skip("mosquitto is not installed (`make system` or apt-get install mosquitto): "
                    "no MQTT broker to test on")
    port = free_ports(1)[0]
    work.mkdir(parents=True, exist_ok=True)
    conf, log = work / "mosquitto.conf", work / "mosquitto.log"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    f"log_dest file {log}\nlog_type error\nlog_type warning\nlog_type notice\n", encoding="utf-8")
    proc = subprocess.Popen([binary, "-c", str(conf)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _answers(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"mosquitto did not start on port {port}: {log.read_text() if log.exists() else ''}")
            time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
