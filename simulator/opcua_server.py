"""The simulated plant's PLCs as a real OPC UA server (asyncua): Objects/Plant/<line>/<machine>/<tag>.

Node values are read live from the simulation through value callbacks and client
writes go straight to it through value setters, so the address space never holds a
stale copy. A machine whose PLC is offline reports BadNoCommunication on its nodes
and refuses writes. The endpoint has no security: it listens on loopback for the demo
and the tests; a real plant's server sets its own policies.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from asyncua import Server, ua

from connectors.errors import ConnectorError
from connectors.opcua import as_variant
from connectors.plant import Plant, Tag
from simulator.physics import PlantSimulation

@dataclass
class OpcUaServerHandle:
    server: Server

    async def stop(self) -> None:
        await self.server.stop()


def _reader(sim: PlantSimulation, tag: Tag):
    def read(nodeid: ua.NodeId, attr: ua.AttributeIds) -> ua.DataValue:
        now = datetime.now(UTC)
        if sim.is_offline(tag.machine_id):
            return ua.DataValue(StatusCode=ua.StatusCode(ua.StatusCodes.BadNoCommunication), SourceTimestamp=now)
        return ua.DataValue(Value=as_variant(tag, sim.read(tag.machine_id, tag.name)), SourceTimestamp=now,
                            ServerTimestamp=now)

    return read


def _writer(sim: PlantSimulation, tag: Tag):
    def write(node, attr: ua.AttributeIds, value: ua.DataValue) -> None:
        if sim.is_offline(tag.machine_id):
            raise ua.UaStatusCodeError(ua.StatusCodes.BadNoCommunication)
        try:
            sim.write(tag.machine_id, tag.name, value.Value.Value)
        except ConnectorError:
            raise ua.UaStatusCodeError(ua.StatusCodes.BadNotWritable) from None

    return write


async def start_opcua_server(sim: PlantSimulation, plant: Plant, url: str) -> OpcUaServerHandle:
    """Serve the plant's address space at ``url`` (e.g. opc.tcp://127.0.0.1:4840/plant/) until ``stop()``."""
    logging.getLogger("asyncua").setLevel(logging.WARNING)
    server = Server()
    await server.init()
    server.set_endpoint(url)
    server.set_server_name(f"{plant.plant.name} (simulated)")
    server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
    idx = await server.register_namespace(plant.plant.opcua_namespace)
    root = await server.nodes.objects.add_object(ua.NodeId("Plant", idx), "Plant")
    for line in plant.lines:
        line_node = await root.add_object(ua.NodeId(line.id, idx), line.id)
        for machine in line.machines:
            machine_node = await line_node.add_object(ua.NodeId(f"{line.id}.{machine.id}", idx), machine.id)
            for tag in machine.tags.values():
                nodeid = ua.NodeId.from_string(tag.opcua)
                initial = as_variant(tag, sim.read(machine.id, tag.name))
                variable = await machine_node.add_variable(nodeid, tag.name, initial)
                if tag.writable:
                    await variable.set_writable()
                    server.set_attribute_value_setter(nodeid, _writer(sim, tag))
                server.set_attribute_value_callback(nodeid, _reader(sim, tag))
    await server.start()
    return OpcUaServerHandle(server)
