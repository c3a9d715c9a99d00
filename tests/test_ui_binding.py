"""Where the app listens: on loopback, wherever ``streamlit run ui/app.py`` is started from."""

from __future__ import annotations

import sys
from pathlib import Path

from ui_helpers import REPO

from simulator.process import free_ports
from ui.served_processes import answers, running_child


def _listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on ``port`` (IPv4, from /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if int(hex_port, 16) == port and state == "0A":  # LISTEN
            found.add(".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def test_the_app_started_from_another_folder_listens_on_loopback_only(tmp_path):
    [port] = free_ports(1)
    command = [sys.executable, "-m", "streamlit", "run", str(REPO / "ui" / "app.py"), "--server.port", str(port)]
    with running_child(command, tmp_path / "app.log", lambda: answers(f"http://127.0.0.1:{port}/_stcore/health"),
                       60.0, cwd=tmp_path):
        assert _listening_addresses(port) == {"127.0.0.1"}
