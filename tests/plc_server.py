"""A PLC-shaped OPC UA server nobody on the project wrote (node-opcua, tests/interop/plc_server.mjs), for tests.

``running_plc_server(folder, port)`` starts it on a free loopback port and stops it on exit; the server also
ends by itself when its stdin closes or after its lifetime. Tests skip (``needs_plc_server``) only when
node or the installed ``node-opcua-server`` package is missing (``npm ci --prefix tests/interop``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

INTEROP = Path(__file__).parent / "interop"
NODE = shutil.which("node")
HAS_PLC_SERVER = NODE is not None and (INTEROP / "node_modules" / "node-opcua-server").is_dir()
WHY_NO_PLC_SERVER = ("node-opcua-server is not installed: needs Node.js and npm, then `npm ci --prefix "
                     "tests/interop` (make test does it)")
needs_plc_server = pytest.mark.skipif(not HAS_PLC_SERVER, reason=WHY_NO_PLC_SERVER)
VARIABLES = {
    "Mixer1/Running": 'ns=3;s="DB_Mixer"."Running"',
    "Mixer1/Speed": 'ns=3;s="DB_Mixer"."Speed"',
    "Mixer1/MotorCurrent": 'ns=3;s="DB_Mixer"."MotorCurrent"',
    "Mixer1/LastCleaned": 'ns=3;s="DB_Mixer"."LastCleaned"',
    "Mixer1/DB_Params/SpeedSetpoint": 'ns=3;s="DB_Params"."SpeedSetpoint"',
    "Mixer1/DB_Params/RecipeName": 'ns=3;s="DB_Params"."RecipeName"',
    "Mixer1/Agitator/Torque": 'ns=3;s="DB_Mixer"."Agitator"."Torque"',
    "DosingPump/Status": 'ns=3;s="DB_Dosing"."Status"',
    "DosingPump/Setpoints/FlowSetpoint": 'ns=3;s="DB_Dosing"."FlowSetpoint"',
    "DosingPump/Flow": 'ns=3;s="DB_Dosing"."Flow"',
}
"""Every variable the server holds under MixingArea (the script's own list, in its words), by browse path."""
START_DEADLINE_S = 120  # generous: the first start makes the server's certificate, on a shared CPU
LIFETIME_MS = 3_600_000  # the server's own watchdog, should the test never close its stdin


@dataclass(frozen=True)
class PlcServer:
    """A running PLC-shaped server: its URL and the certificate it presents (PEM), in its PKI folder."""

    url: str
    certificate: Path
    pki: Path

    def trust_folder(self) -> Path:
        """Where the server keeps the client certificates it trusts (node-opcua's layout)."""
        return self.pki / "server" / "trusted" / "certs"

    def rejected_folder(self) -> Path:
        """Where the server puts the client certificates it refused, for its admin to trust or not."""
        return self.pki / "server" / "rejected"


def _ready_line(process: subprocess.Popen, deadline_s: float) -> str:
    """The line the server prints when it listens, or '' at the deadline or when it exits first. node-opcua logs
    lines of its own on stdout too: a thread reads them all, to the end, so that the pipe never fills."""
    ready = threading.Event()
    found: list[str] = []

    def drain() -> None:
        for line in process.stdout:
            if not found and line.startswith('{"url"'):
                found.append(line)
                ready.set()
        ready.set()

    threading.Thread(target=drain, daemon=True).start()
    ready.wait(deadline_s)
    return found[0] if found else ""


@contextmanager
def running_plc_server(folder: Path, port: int, trust_clients: bool = True) -> Iterator[PlcServer]:
    """The node-opcua PLC on 127.0.0.1:``port``, its PKI in ``folder``; stopped when the block ends."""
    args = [NODE, str(INTEROP / "plc_server.mjs"), str(port), str(folder)] + (["--trust-clients"] * trust_clients)
    folder.mkdir(parents=True, exist_ok=True)
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(args, cwd=INTEROP, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                               text=True, env={"PATH": "/usr/bin:/bin", "PLC_SERVER_LIFETIME_MS": str(LIFETIME_MS)})
    try:
        line = _ready_line(process, START_DEADLINE_S)
        if not line:
            pytest.fail(f"the node-opcua PLC server did not start: {(folder / 'server.log').read_text()[-2000:]}")
        ready = json.loads(line)
        yield PlcServer(url=ready["url"], certificate=Path(ready["certificate"]), pki=folder)
    finally:
        process.stdin.close()  # the server stops when its stdin closes
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        log.close()


def node_read(url: str, node_ids: list[str]) -> dict[str, object]:
    """The values of ``node_ids`` as node-opcua's own client reads them (tests/interop/read_opcua.mjs)."""
    done = subprocess.run([NODE, str(INTEROP / "read_opcua.mjs"), url, *node_ids], capture_output=True, text=True,
                          timeout=60, cwd=INTEROP, env={"PATH": "/usr/bin:/bin", "INTEROP_TIMEOUT_MS": "30000"})
    assert done.returncode == 0, f"node-opcua failed ({done.returncode}): {done.stderr}{done.stdout}"
    values = json.loads(done.stdout.strip().splitlines()[-1])["values"]
    return {node_id: values[node_id]["value"] for node_id in node_ids}
