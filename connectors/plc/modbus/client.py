"""The PLC connector over Modbus TCP (pymodbus). Reads contiguous tags in one request; decodes and encodes in the
device's (or the tag's) order; writes a one-register value with the device's write function (06 or 16)."""

from __future__ import annotations

import asyncio

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ConnectionException, ModbusIOException

from connectors.errors import InvalidRequest, Rejected, TimedOut, Unreachable
from connectors.plant import Tag
from connectors.plc.client import ProtocolPlc, Value
from connectors.plc.modbus.codec import decode, encode
from connectors.plc.modbus.schema import ModbusAddress, ModbusEndpoint, WriteFunction, register_of

_MAX_REGISTERS = 120  # per request, below the protocol's 125
_GATEWAY_ERRORS = {0x0A, 0x0B}
_WRITE_COIL = 5
_EXCEPTIONS = {0x01: "illegal function", 0x02: "illegal data address", 0x03: "illegal data value",
               0x04: "server device failure"}


Addressed = tuple[Tag, ModbusAddress]


def _groups(specs: list[Addressed]) -> list[list[Addressed]]:
    """Tags of one table whose addresses follow each other, in runs one request can read."""
    runs: list[list[Addressed]] = []
    for spec, at in sorted(specs, key=lambda s: (s[1].table, s[1].address)):
        last = runs[-1][-1][1] if runs else None
        if (
            last is not None
            and last.table == at.table
            and last.address + last.count == at.address
            and at.address + at.count - runs[-1][0][1].address <= _MAX_REGISTERS
        ):
            runs[-1].append((spec, at))
        else:
            runs.append([(spec, at)])
    return runs


def _addressed(spec: Tag) -> Addressed:
    """The tag with its Modbus address; a tag reached over OPC UA only has none."""
    at = register_of(spec)
    if at is None:
        raise InvalidRequest(f"{spec.key} has no Modbus address in the plant file; read it over OPC UA")
    return spec, at


class ModbusPlc(ProtocolPlc):
    """One Modbus TCP device (host, port, unit id)."""

    endpoint: ModbusEndpoint
    _client: AsyncModbusTcpClient | None = None

    async def _connected(self) -> AsyncModbusTcpClient:
        if self._client is None or not self._client.connected:
            # no retries and no auto-reconnect inside pymodbus: a write must never be sent twice
            client = AsyncModbusTcpClient(self.endpoint.host, port=self.endpoint.port,
                                          timeout=self.settings.request_timeout_s, retries=0, reconnect_delay=0)
            try:
                ok = await asyncio.wait_for(client.connect(), self.settings.connect_timeout_s)
            except TimeoutError:
                client.close()
                raise TimedOut(f"Modbus PLC at {self._where} did not accept a connection in time") from None
            if not ok:
                client.close()
                raise Unreachable(f"Modbus PLC at {self._where} is unreachable (connection refused)")
            self._client = client
        return self._client

    @property
    def _where(self) -> str:
        return f"{self.endpoint.host}:{self.endpoint.port}"

    async def _call(self, what: str, request) -> object:
        try:
            response = await asyncio.wait_for(request, self.settings.request_timeout_s + 1)
        except (ConnectionException, ConnectionError) as exc:
            await self._reset()
            raise Unreachable(f"Modbus connection to {self._where} lost during {what}: {exc}") from None
        except (ModbusIOException, TimeoutError):
            await self._reset()
            raise TimedOut(f"Modbus PLC at {self._where} did not answer {what} in time") from None
        if response.isError():
            code = getattr(response, "exception_code", None)
            if code in _GATEWAY_ERRORS:
                raise Unreachable(f"{what}: the PLC does not answer (Modbus gateway exception {code:#04x})")
            name = f", {_EXCEPTIONS[code]}" if code in _EXCEPTIONS else ""
            raise Rejected(f"{what}: the PLC refused the request (Modbus exception {code}{name})")
        return response

    async def _read(self, specs: list[Tag]) -> list[Value]:
        client = await self._connected()
        unit = self.endpoint.unit
        values: dict[str, Value] = {}
        for run in _groups([_addressed(s) for s in specs]):
            first, last = run[0][1], run[-1][1]
            count = last.address + last.count - first.address
            what = f"reading {run[0][0].machine_id} {', '.join(s.name for s, _ in run)}"
            read = {
                "coil": client.read_coils,
                "discrete_input": client.read_discrete_inputs,
                "holding_register": client.read_holding_registers,
                "input_register": client.read_input_registers,
            }[first.table]
            response = await self._call(what, read(first.address, count=count, device_id=unit))
            data = response.bits if first.table in ("coil", "discrete_input") else response.registers
            for spec, at in run:
                offset = at.address - first.address
                values[spec.key] = decode(spec, list(data[offset:offset + at.count]), self.endpoint)
        return [values[s.key] for s in specs]

    async def _write(self, spec: Tag, value: float) -> None:
        _, at = _addressed(spec)
        if at.table not in ("coil", "holding_register"):
            raise Rejected(f"{spec.key} lives in the read-only table {at.table}")
        encoded = encode(spec, value, self.endpoint)
        # 05 for a coil; the device's write_function (06 or 16) for one register; 16 for more
        function = _WRITE_COIL if at.table == "coil" else self.endpoint.write_function if len(encoded) == 1 \
            else WriteFunction.multiple
        client, unit = await self._connected(), self.endpoint.unit
        if function == _WRITE_COIL:
            request = client.write_coil(at.address, bool(encoded[0]), device_id=unit)
        elif function is WriteFunction.single:
            request = client.write_register(at.address, encoded[0], device_id=unit)
        else:
            request = client.write_registers(at.address, encoded, device_id=unit)
        await self._call(f"writing {spec.key} with function {function:02d}", request)

    async def _reset(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
