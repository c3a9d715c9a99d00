"""The PLC connector over OPC UA (asyncua). Reads all requested nodes in one service call."""

from __future__ import annotations

import asyncio
import contextlib

from asyncua import Client, ua

from connectors.errors import Rejected, TimedOut, Unreachable
from connectors.plant import Tag
from connectors.plc import PlcClient, Value

_VARIANT_OF = {
    "bool": ua.VariantType.Boolean,
    "uint16": ua.VariantType.UInt16,
    "int16": ua.VariantType.Int16,
    "uint32": ua.VariantType.UInt32,
    "float32": ua.VariantType.Double,
    "string": ua.VariantType.String,
}
_NO_ANSWER = {ua.StatusCodes.BadNoCommunication, ua.StatusCodes.BadCommunicationError,
              ua.StatusCodes.BadServerNotConnected}


def variant_type(tag: Tag) -> ua.VariantType:
    """Scaled integer tags are engineering values on OPC UA, so they travel as Double."""
    if tag.modbus.type in ("uint16", "int16", "uint32") and tag.modbus.scale != 1:
        return ua.VariantType.Double
    return _VARIANT_OF[tag.modbus.type]


def as_variant(tag: Tag, value: Value) -> ua.Variant:
    kind = variant_type(tag)
    python = {ua.VariantType.Boolean: bool, ua.VariantType.Double: float, ua.VariantType.String: str}.get(kind, int)
    return ua.Variant(python(value), kind)


class OpcUaPlc(PlcClient):
    _client: Client | None = None

    @property
    def _url(self) -> str:
        return self.settings.opcua_url

    async def _connected(self) -> Client:
        if self._client is None:
            client = Client(self._url, timeout=self.settings.request_timeout_s)
            try:
                await asyncio.wait_for(client.connect(), self.settings.connect_timeout_s)
            except TimeoutError:
                raise TimedOut(f"OPC UA server {self._url} did not accept a connection in time") from None
            except OSError as exc:
                raise Unreachable(f"OPC UA server {self._url} is unreachable: {exc.strerror or exc}") from None
            self._client = client
        return self._client

    def _status(self, what: str, code: ua.StatusCode) -> None:
        if code.is_good():
            return
        if code.value in _NO_ANSWER:
            raise Unreachable(f"{what}: the PLC does not answer ({code.name})")
        raise Rejected(f"{what}: the server refused ({code.name})")

    async def _guarded(self, what: str, call):
        try:
            return await asyncio.wait_for(call, self.settings.request_timeout_s + 1)
        except TimeoutError:
            await self._reset()
            raise TimedOut(f"OPC UA server {self._url} did not answer {what} in time") from None
        except ua.UaStatusCodeError as exc:
            self._status(what, ua.StatusCode(exc.code))
            raise
        except (ConnectionError, OSError, ua.UaError) as exc:
            await self._reset()
            raise Unreachable(f"OPC UA connection to {self._url} lost during {what}: {exc}") from None

    async def _read(self, specs: list[Tag]) -> list[Value]:
        client = await self._connected()
        what = f"reading {specs[0].machine_id} {', '.join(s.name for s in specs)}"
        nodeids = [ua.NodeId.from_string(s.opcua) for s in specs]
        results = await self._guarded(what, client.uaclient.read_attributes(nodeids, ua.AttributeIds.Value))
        values = []
        for spec, result in zip(specs, results, strict=True):
            self._status(f"reading {spec.key}", result.StatusCode)
            values.append(result.Value.Value)
        return values

    async def _write(self, spec: Tag, value: float) -> None:
        client = await self._connected()
        node = client.get_node(ua.NodeId.from_string(spec.opcua))
        await self._guarded(f"writing {spec.key}", node.write_value(ua.DataValue(as_variant(spec, value))))

    async def _reset(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            with contextlib.suppress(Exception):  # a dead connection may fail to close in many ways
                await asyncio.wait_for(client.disconnect(), 2)

    async def close(self) -> None:
        await self._reset()
