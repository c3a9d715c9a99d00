"""Interoperability with implementations we did not write (issue #17).

The running simulator (clock frozen: values move only with the control API's /advance) is read with
(a) node-opcua's OPC UA client (tests/interop/read_opcua.mjs, installed by ``make test`` with
``npm ci --prefix tests/interop``), (b) pyModbusTCP, decoding the registers here from the plant file's
type and scale, independently of connectors/plc/modbus/codec.py, and (c) our own connectors over both
protocols; all must agree: exactly for integers, bools, enums and text, within float32 rounding for
floats. Then a setpoint written by each foreign client is read back by our connectors.

Everything is on loopback and bounded: the Node script has its own watchdog and the subprocess a
timeout, pyModbusTCP a socket timeout; no assertion depends on time passing.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
import yaml
from agent_helpers import SimControl

from connectors.plant import load_plant
from connectors.plc import open_plc
from connectors.site import DEMO_SITE

ModbusClient = pytest.importorskip(
    "pyModbusTCP.client", reason="pyModbusTCP is a dev dependency: pip install -e '.[dev]' (make install)"
).ModbusClient

PLANT_FILE = DEMO_SITE / "plant.yaml"
PLANT = load_plant(PLANT_FILE)
INTEROP = Path(__file__).parent / "interop"
NODE = shutil.which("node")

NO_NODE_OPCUA = NODE is None or not (INTEROP / "node_modules" / "node-opcua-client").is_dir()
WHY_NO_NODE_OPCUA = ("node-opcua is not installed: needs Node.js and npm, then `npm ci --prefix tests/interop` "
                     "(make test does it; it skips this when npm is missing)")
needs_node_opcua = pytest.mark.skipif(NO_NODE_OPCUA, reason=WHY_NO_NODE_OPCUA)

# Tags of several machines and every kind the plant file uses over Modbus: float32, uint16 (the state
# enum, a setpoint), uint16 with a scale, uint32 counters, a coil, a discrete input and a string.
TAGS = [
    ("P-101", "state"), ("P-101", "vibration"), ("P-101", "bearing_temp"), ("P-101", "run_hours"),
    ("P-101", "run"), ("P-101", "operator_note"),
    ("HP-102", "hydraulic_pressure"), ("HP-102", "good_count"), ("HP-102", "stroke_rate_setpoint"),
    ("OV-201", "state"), ("OV-201", "zone_temp"), ("OV-201", "temp_setpoint"), ("OV-201", "run"),
    ("FL-202", "fill_setpoint"), ("FL-202", "good_count"),
    ("CV-203", "state"), ("CV-203", "belt_speed"), ("CV-203", "jam_detected"), ("CV-203", "run"),
]


def plant_file_tags() -> dict[tuple[str, str], dict]:
    """(machine, tag) → the tag's entry as written in plants/riverside/plant.yaml (read here with plain YAML, not
    with connectors/plant.py, so the addresses, types and scales are the file's own words)."""
    raw = yaml.safe_load(PLANT_FILE.read_text())
    return {(m["id"], name): entry for line in raw["lines"] for m in line["machines"]
            for name, entry in m["tags"].items()}


FILE_TAGS = plant_file_tags()
UNIT = yaml.safe_load(PLANT_FILE.read_text())["plant"]["modbus_unit"]


# --- (a) node-opcua ---------------------------------------------------------------------------------

def node_opcua(url: str, node_ids: list[str], writes: list[tuple[str, str, object]] = ()) -> dict:
    """Run read_opcua.mjs: the writes (node id, OPC UA data type name, value) first, then the reads."""
    args = [NODE, str(INTEROP / "read_opcua.mjs"), url]
    for node_id, data_type, value in writes:
        args += ["--write", f"{node_id}={data_type}:{json.dumps(value)}"]
    done = subprocess.run(args + node_ids, capture_output=True, text=True, timeout=60, cwd=INTEROP,
                          env={"PATH": "/usr/bin:/bin", "INTEROP_TIMEOUT_MS": "20000"})
    assert done.returncode == 0, f"node-opcua failed ({done.returncode}): {done.stderr}{done.stdout}"
    # node-opcua logs a line or two of its own on stdout; the script's answer is the last line
    return json.loads(done.stdout.strip().splitlines()[-1])


def read_with_node_opcua(url: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], object]:
    ids = [FILE_TAGS[k]["opcua"] for k in keys]
    values = node_opcua(url, ids)["values"]
    for node_id in ids:
        assert values[node_id]["status"] == "Good", (node_id, values[node_id])
    return {k: values[FILE_TAGS[k]["opcua"]]["value"] for k in keys}


# --- (b) pyModbusTCP, decoded here ------------------------------------------------------------------
# The word order: simulator/modbus_server.py (_Bridge.handle → _put) puts into the registers what
# connectors/plc/modbus/codec.encode gives, whose docstring and code say big-endian bytes and big-endian
# word order, the high word first, for 32-bit types (float32: struct ">2H" of struct ">f"; uint32:
# [raw >> 16, raw & 0xFFFF]); strings two ASCII characters a register, high byte first, NUL-padded.

REGISTERS = {"uint16": 1, "int16": 1, "uint32": 2, "float32": 2}


def modbus_client(sim) -> ModbusClient:
    assert sim.host in ("127.0.0.1", "localhost", "::1")
    return ModbusClient(host=sim.host, port=sim.modbus_port, unit_id=UNIT, timeout=5.0, auto_open=True)


def read_with_pymodbustcp(client: ModbusClient, key: tuple[str, str]) -> object:
    spec = FILE_TAGS[key]["modbus"]
    table, address, kind, scale = spec["table"], spec["address"], spec["type"], spec.get("scale", 1)
    if kind == "bool":
        read = client.read_coils if table == "coil" else client.read_discrete_inputs
        bits = read(address, 1)
        assert bits is not None, f"{key}: {client.last_error_as_txt} / {client.last_except_as_txt}"
        return bool(bits[0])
    count = spec["length"] if kind == "string" else REGISTERS[kind]
    read = client.read_input_registers if table == "input_register" else client.read_holding_registers
    regs = read(address, count)
    assert regs is not None and len(regs) == count, f"{key}: {client.last_error_as_txt} / {client.last_except_as_txt}"
    if kind == "string":
        return b"".join(struct.pack(">H", r) for r in regs).rstrip(b"\0").decode("ascii")
    if kind == "float32":
        return struct.unpack(">f", struct.pack(">HH", regs[0], regs[1]))[0]
    raw = (regs[0] << 16) | regs[1] if kind == "uint32" else regs[0]
    if kind == "int16" and raw & 0x8000:
        raw -= 0x10000
    return raw / scale if scale != 1 else raw


# --- comparing --------------------------------------------------------------------------------------

def as_float32(x: float) -> float:
    return struct.unpack(">f", struct.pack(">f", x))[0]


def agree(key: tuple[str, str], a: object, b: object) -> bool:
    """Exact for integers, bools and text; for floats, equal once both are rounded to float32 (Modbus
    carries float32, OPC UA a Double) — or within one float32 step of each other."""
    kind = FILE_TAGS[key]["modbus"]["type"]
    if kind == "float32":
        if not all(isinstance(x, float | int) and not isinstance(x, bool) for x in (a, b)):
            return False
        return as_float32(a) == as_float32(b) or abs(a - b) <= abs(max(a, b, key=abs)) * 2.0**-23
    if kind == "bool":
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if kind == "string":
        return a == b
    return not isinstance(a, bool) and not isinstance(b, bool) and a == b


def plant_at_an_ordinary_moment(sim) -> None:
    """Not the initial values: one machine stopped, a note typed in, some minutes run; then frozen."""
    control = SimControl(sim)
    try:
        control.text("P-101", "operator_note", "Seal weeps; check at 14:00")
        control.advance(120)
    finally:
        control.close()


async def test_three_clients_read_the_same_plant(sim):
    async with open_plc(sim, PLANT, "opcua") as plc:
        await plc.write("CV-203", "run", 0)
    plant_at_an_ordinary_moment(sim)

    foreign_opcua = None if NO_NODE_OPCUA else read_with_node_opcua(sim.opcua_url, TAGS)
    client = modbus_client(sim)
    try:
        foreign_modbus = {k: read_with_pymodbustcp(client, k) for k in TAGS}
    finally:
        client.close()
    ours = {}
    for protocol in ("opcua", "modbus"):
        async with open_plc(sim, PLANT, protocol) as plc:
            ours[protocol] = {k: (await plc.read(*k)).value for k in TAGS}

    # not a vacuous agreement: the values are the plant's, varied, and of the expected kinds
    assert foreign_modbus[("P-101", "operator_note")] == "Seal weeps; check at 14:00"
    assert foreign_modbus[("CV-203", "run")] is False and foreign_modbus[("OV-201", "run")] is True
    assert foreign_modbus[("OV-201", "temp_setpoint")] == 180
    assert foreign_modbus[("HP-102", "stroke_rate_setpoint")] == 12  # raw 120, scale 10
    assert 100 < foreign_modbus[("OV-201", "zone_temp")] < 250
    assert foreign_modbus[("P-101", "vibration")] > 0 and foreign_modbus[("P-101", "run_hours")] > 0
    assert foreign_modbus[("P-101", "state")] == 1

    readings = {"pyModbusTCP": foreign_modbus, "ours over Modbus": ours["modbus"], "ours over OPC UA": ours["opcua"]}
    if foreign_opcua is not None:
        readings["node-opcua"] = foreign_opcua
    disagreements = [
        (key, {who: r[key] for who, r in readings.items()})
        for key in TAGS
        if not all(agree(key, foreign_modbus[key], r[key]) for r in readings.values())
    ]
    assert not disagreements, disagreements
    if foreign_opcua is None:
        pytest.skip(f"pyModbusTCP and our connectors agree; node-opcua not run: {WHY_NO_NODE_OPCUA}")


def node_opcua_writes(sim, key: tuple[str, str], value: float) -> None:
    node_id = FILE_TAGS[key]["opcua"]
    data_type = node_opcua(sim.opcua_url, [node_id])["values"][node_id]["dataType"]  # as the server declares it
    answer = node_opcua(sim.opcua_url, [node_id], writes=[(node_id, data_type, value)])
    assert answer["writes"][node_id] == "Good", answer
    assert answer["values"][node_id]["value"] == value, answer


def pymodbustcp_writes(sim, key: tuple[str, str], value: float) -> None:
    spec = FILE_TAGS[key]["modbus"]
    assert spec["table"] == "holding_register" and spec["type"] == "uint16"
    client = modbus_client(sim)
    try:
        assert client.write_single_register(spec["address"], round(value * spec.get("scale", 1))), \
            f"{client.last_error_as_txt} / {client.last_except_as_txt}"
    finally:
        client.close()


WRITERS = {
    "node-opcua": pytest.param(node_opcua_writes, marks=needs_node_opcua, id="node-opcua"),
    "pyModbusTCP": pytest.param(pymodbustcp_writes, id="pyModbusTCP"),
}


@pytest.mark.parametrize(("key", "before", "after"), [
    (("OV-201", "temp_setpoint"), 180, 182),      # uint16, within 140..200 and one step of 10
    (("FL-202", "fill_setpoint"), 500, 502.5),    # uint16 with scale 10: raw 5025
])
@pytest.mark.parametrize("write", list(WRITERS.values()))
async def test_a_setpoint_written_by_a_foreign_client_is_read_back_by_our_connectors(sim, write, key, before, after):
    tag = PLANT.tag(*key)
    assert tag.writable and tag.min <= after <= tag.max and abs(after - before) <= tag.max_step
    async with open_plc(sim, PLANT, "modbus") as modbus, open_plc(sim, PLANT, "opcua") as opcua:
        assert (await modbus.read(*key)).value == before
        write(sim, key, after)
        assert (await modbus.read(*key)).value == after
        assert (await opcua.read(*key)).value == after
