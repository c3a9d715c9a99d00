"""A real InfluxDB for the tests: Debian's influxd (1.x) on free loopback ports, its data in the test's folder.

``make test`` installs it (``make system``); without the binary the tests that need it are skipped, saying so.
The Debian service, should it run, is not used: each test starts its own server with its own configuration.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from simulator.process import die_with_parent, free_ports

STARTUP_TIMEOUT_S = 60.0


def _config(work: Path, rpc: int, http: int) -> str:
    """A configuration with everything in ``work``, listening on loopback only, telling nobody anything."""
    return f"""reporting-enabled = false
bind-address = "127.0.0.1:{rpc}"
[meta]
  dir = "{work / 'meta'}"
[data]
  dir = "{work / 'data'}"
  wal-dir = "{work / 'wal'}"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:{http}"
  log-enabled = false
  max-row-limit = 0
[continuous_queries]
  enabled = false
"""


def _answers(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"{url}/ping", timeout=1).status_code == 204
    return False


@contextlib.contextmanager
def running_influxdb(work: Path) -> Iterator[str]:
    """influxd on free loopback ports with its data in ``work``; yield its http:// URL; stop it."""
    binary = shutil.which("influxd") or next((p for p in ("/usr/bin/influxd", "/usr/sbin/influxd")
                                              if Path(p).is_file()), None)
    if binary is None:
        pytest.skip("influxd is not installed (`make system` or apt-get install influxdb): no InfluxDB to test on")
    work.mkdir(parents=True, exist_ok=True)
    rpc, http = free_ports(2)
    conf, log = work / "influxdb.conf", work / "influxd.log"
    conf.write_text(_config(work, rpc, http), encoding="utf-8")
    url = f"http://127.0.0.1:{http}"
    with open(log, "wb") as out:
        proc = subprocess.Popen([binary, "-config", str(conf)], stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _answers(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"influxd did not start on {url}: {log.read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
