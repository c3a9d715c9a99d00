"""The PLC connector over Modbus TCP (pymodbus). Reads contiguous tags in one request."""

from __future__ import annotations

import asyncio

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ConnectionException, ModbusIOException

from connectors.errors import InvalidRequest, Rejected, TimedOut, Unreachable
from connectors.modbus_codec import decode, encode
from connectors.plant import Tag
from connectors.plc import ProtocolPlc, Value
from connectors.plc_endpoints import ModbusEndpoint, Protocol
from connectors.plc_registry import register

_MAX_REGISTERS = 120  # per request, below the protocol's 125
_GATEWAY_ERRORS = {0x0A, 0x0B}


def _groups(specs: list[Tag]) -> list[list[Tag]]:
    """Tags of one table whose addresses follow each other, in runs one request can read."""
    runs: list[list[Tag]] = []
    for spec in sorted(specs, key=lambda s: (s.modbus.table, s.modbus.address)):
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and last.modbus.table == spec.modbus.table
            and last.modbus.address + last.modbus.count == spec.modbus.address
            and spec.modbus.address + spec.modbus.count - runs[-1][0].modbus.address <= _MAX_REGISTERS
        ):
            runs[-1].append(spec)
        else:
            runs.append([spec])
    return runs


def _addressed(specs: list[Tag]) -> list[Tag]:
    """The tags, each with a Modbus address; a tag reached over OPC UA only has none."""
    for spec in specs:
        if spec.modbus is None:
            raise InvalidRequest(f"{spec.key} has no Modbus address in the plant file; read it over OPC UA")
    return specs


@register(Protocol.modbus)
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
            raise Rejected(f"{what}: the PLC refused the request (Modbus exception {code})")
        return response

    async def _read(self, specs: list[Tag]) -> list[Value]:
        client = await self._connected()
        unit = self.endpoint.unit
        values: dict[str, Value] = {}
        for run in _groups(_addressed(specs)):
            first = run[0].modbus
            count = run[-1].modbus.address + run[-1].modbus.count - first.address
            what = f"reading {run[0].machine_id} {', '.join(s.name for s in run)}"
            read = {
                "coil": client.read_coils,
                "discrete_input": client.read_discrete_inputs,
                "holding_register": client.read_holding_registers,
                "input_register": client.read_input_registers,
            }[first.table]
            response = await self._call(what, read(first.address, count=count, device_id=unit))
            data = response.bits if first.table in ("coil", "discrete_input") else response.registers
            for spec in run:
                offset = spec.modbus.address - first.address
                values[spec.key] = decode(spec, list(data[offset:offset + spec.modbus.count]))
        return [values[s.key] for s in specs]

    async def _write(self, spec: Tag, value: float) -> None:
        _addressed([spec])
        client = await self._connected()
        unit = self.endpoint.unit
        encoded = encode(spec, value)
        what = f"writing {spec.key}"
        if spec.modbus.table == "coil":
            await self._call(what, client.write_coil(spec.modbus.address, bool(encoded[0]), device_id=unit))
        elif spec.modbus.table == "holding_register":
            await self._call(what, client.write_registers(spec.modbus.address, encoded, device_id=unit))
        else:
            raise Rejected(f"{spec.key} lives in the read-only table {spec.modbus.table}")

    async def _reset(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
