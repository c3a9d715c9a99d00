"""``plant-copilot demo``: it starts the plant and the app, prints the address and the users, and Ctrl-C
stops everything it started. Run on free loopback ports so it never meets a demo someone else runs."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx
from ui_helpers import KEYS_OUTSIDE, REPO, pump_manual_store

from simulator.process import free_ports

START_S = 120.0
STOP_S = 60.0  # the demo stops the app, then the simulator, each given 10 s before a kill; slow under load


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_demo_serves_the_app_on_the_plant_and_ctrl_c_stops_both(tmp_path):
    modbus, opcua, erp, mes, control, app = free_ports(6)
    script = tmp_path / "script.json"
    script.write_text('[{"content": "hello"}]')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLANT_", "COPILOT_")) or k in KEYS_OUTSIDE} | {
        "PLANT_MODBUS_PORT": str(modbus), "PLANT_OPCUA_PORT": str(opcua), "PLANT_ERP_PORT": str(erp),
        "PLANT_MES_PORT": str(mes), "PLANT_SIM_PORT": str(control),
        "PLANT_KNOWLEDGE_STORE": str(pump_manual_store(tmp_path)),  # already ingested: no 15 s ingest here
        "COPILOT_PROVIDER": "scripted", "COPILOT_SCRIPT_FILE": str(script), "COPILOT_DATA_DIR": str(tmp_path / "data"),
    }
    command = [sys.executable, "-m", "ui.cli", "demo", "--port", str(app), "--work", str(tmp_path / "demo")]
    # started as a script's background job would be: with SIGINT ignored, which the demo must undo
    proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    out: list[str] = []
    try:
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline()
            out.append(line)
            if line.startswith("Stop with Ctrl+C"):
                break
        text = "".join(out)
        assert f"Plant Copilot is running: http://127.0.0.1:{app}" in text, text
        assert re.search(r"olga\s+olga-demo\s+operator", text) and re.search(r"sam\s+sam-demo\s+supervisor", text)
        assert f"Modbus 127.0.0.1:{modbus}" in text
        assert "monitor: watching the plant" in text and "monitor-demo" not in text  # a process, not a person
        monitor_log = tmp_path / "demo" / "monitor.log"
        while time.monotonic() < deadline and "detections every" not in monitor_log.read_text():
            time.sleep(0.5)
        assert "detections every" in monitor_log.read_text()  # it opened the copilot and watches
        assert httpx.get(f"http://127.0.0.1:{app}/_stcore/health", timeout=5).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{control}/health", timeout=5).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            proc.wait(timeout=STOP_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, proc.stdout.read()  # -9: it did not stop within STOP_S and was killed
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (listening(app) or listening(control)):
        time.sleep(0.2)
    assert not listening(app) and not listening(control)
