"""The simulated plant's PLCs as a real OPC UA server (asyncua): Objects/Plant/<line>/<machine>/<tag>.

Node values are read live from the simulation through value callbacks and client
writes go straight to it through value setters, so the address space never holds a
stale copy; the nodes that clients monitor are sampled for their subscriptions
(``simulator.opcua_sampling``). A machine whose PLC is offline reports BadNoCommunication on its nodes
and refuses writes.

The variables follow the information model as a plant's server does: a measured or set
number is an AnalogItemType with its EngineeringUnits and EURange (the plant file's
limits), an enumerated state a MultiStateDiscreteType with its EnumStrings, and a machine
carries the Device Integration properties Manufacturer, Model and DeviceClass. The server
offers one endpoint without security (the demo's) and Basic256Sha256 Sign and
SignAndEncrypt with its own certificate, made on first start in its PKI folder; a secure session is let in
only with a client certificate on the server's trust list (``trusted/`` of that folder, files named by their
fingerprint, read at each session). Anonymous sessions are let in; a session with a user name must give that
user's password. The plant's alarms are served as Alarms & Conditions (``simulator.opcua_alarms``), and the
Server object keeps their events for HistoryRead for ``ALARM_JOURNAL``; a numeric tag's node answers HistoryRead
with the simulator's historian samples (``simulator.opcua_history``).
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asyncua import Node, Server, ua
from asyncua.common.utils import ServiceError
from asyncua.crypto.permission_rules import User, UserRole

from connectors.errors import ConnectorError
from connectors.plant import Machine, Plant, Tag
from connectors.plc.opcua.model import as_variant, variant_type
from connectors.plc.opcua.pki import Pki, make_certificate
from simulator.opcua_alarms import AlarmServer
from simulator.opcua_history import PlantHistory
from simulator.opcua_sampling import Sampler
from simulator.physics import PlantSimulation

_POLICIES = [ua.SecurityPolicyType.NoSecurity, ua.SecurityPolicyType.Basic256Sha256_Sign,
             ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt]
_UNECE = "http://www.opcfoundation.org/UA/units/un/cefact"
ALARM_JOURNAL = timedelta(hours=48)
"""How long the server keeps its alarm events for HistoryRead (in memory)."""


@dataclass(frozen=True)
class OpcUaUser:
    """The one named user of the simulated server (the demo's anonymous sessions need none)."""

    name: str
    password: str


def user_from(name: str, configured: str | None, pki_dir: Path) -> OpcUaUser:
    """The named user with the configured password, or one made once into ``pki_dir/password`` (mode 0600)."""
    if configured:
        return OpcUaUser(name, configured)
    path = pki_dir / "password"
    if not path.exists():
        pki_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it just now
            return OpcUaUser(name, path.read_text().strip())
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(18))
    return OpcUaUser(name, path.read_text().strip())


@dataclass
class OpcUaServerHandle:
    """The running OPC UA server, its alarm conditions and its sampling; ``stop`` shuts them down."""

    server: Server
    alarms: AlarmServer
    sampler: Sampler

    async def stop(self) -> None:
        await self.sampler.stop()
        await self.alarms.stop()
        await self.server.stop()


class _Users:
    """Who a session may be (asyncua's user manager protocol): on a secure channel only a client whose
    certificate is on the trust list (the channel's certificate, which a channel without security has none
    of); anonymous, or a named user with its password."""

    def __init__(self, user: OpcUaUser, pki: Pki) -> None:
        self._user = user
        self._pki = pki

    def get_user(self, iserver, username: str | None = None, password: str | None = None,
                 certificate: bytes | None = None) -> User | None:
        if certificate and not self._pki.is_trusted(certificate):  # b"" on a channel without security
            raise ServiceError(ua.StatusCodes.BadCertificateUntrusted)
        if username is None:  # an anonymous token
            return User(role=UserRole.User)
        if username == self._user.name and hmac.compare_digest((password or "").encode(), self._user.password.encode()):
            return User(role=UserRole.User, name=username)
        return None


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


def _is_analog(tag: Tag) -> bool:
    return tag.min is not None and tag.max is not None and tag.value_type not in ("bool", "string") and not tag.enum


def _has_enum_strings(tag: Tag) -> bool:
    """MultiStateDiscreteType numbers its states 0, 1, 2, ...: an enum that does too."""
    return bool(tag.enum) and sorted(tag.enum) == list(range(len(tag.enum)))


def _type_definition(tag: Tag) -> int:
    if _is_analog(tag):
        return ua.ObjectIds.AnalogItemType
    if _has_enum_strings(tag):
        return ua.ObjectIds.MultiStateDiscreteType
    return ua.ObjectIds.BaseDataVariableType


async def _add_variable(parent: Node, idx: int, tag: Tag, initial: ua.Variant) -> Node:
    """A variable of the tag's type definition and declared data type, readable (and writable if the tag is)."""
    access = (ua.AccessLevel.CurrentRead.mask | (ua.AccessLevel.CurrentWrite.mask if tag.writable else 0)
              | (0 if tag.is_text else ua.AccessLevel.HistoryRead.mask))
    attrs = ua.VariableAttributes(
        DisplayName=ua.LocalizedText(tag.name), Description=ua.LocalizedText(tag.name), Value=initial,
        DataType=ua.NodeId(variant_type(tag).value), ValueRank=ua.ValueRank.Scalar, AccessLevel=access,
        UserAccessLevel=access, Historizing=not tag.is_text)
    item = ua.AddNodesItem(
        RequestedNewNodeId=ua.NodeId.from_string(tag.opcua), BrowseName=ua.QualifiedName(tag.name, idx),
        NodeClass=ua.NodeClass.Variable, ParentNodeId=parent.nodeid,
        ReferenceTypeId=ua.NodeId(ua.ObjectIds.HasComponent), TypeDefinition=ua.NodeId(_type_definition(tag)),
        NodeAttributes=attrs)
    (result,) = await parent.session.add_nodes([item])
    result.StatusCode.check()
    variable = Node(parent.session, result.AddedNodeId)
    prefix = tag.opcua.split(";s=", 1)[-1]
    if _is_analog(tag):
        await _add_property(variable, idx, f"{prefix}.EURange", "EURange",
                            ua.Variant(ua.Range(Low=tag.min, High=tag.max)), ua.ObjectIds.Range)
        units = ua.EUInformation(NamespaceUri=_UNECE, UnitId=-1, DisplayName=ua.LocalizedText(tag.unit),
                                 Description=ua.LocalizedText(tag.unit))
        await _add_property(variable, idx, f"{prefix}.EngineeringUnits", "EngineeringUnits", ua.Variant(units),
                            ua.ObjectIds.EUInformation)
    elif _has_enum_strings(tag):
        states = [ua.LocalizedText(tag.enum[code]) for code in sorted(tag.enum)]
        await _add_property(variable, idx, f"{prefix}.EnumStrings", "EnumStrings",
                            ua.Variant(states, ua.VariantType.LocalizedText), ua.ObjectIds.LocalizedText)
    return variable


async def _add_property(parent: Node, idx: int, node_id: str, name: str, value: ua.Variant, data_type: int) -> None:
    """A standard property (browse name in namespace 0, as clients look it up)."""
    await parent.add_property(ua.NodeId(node_id, idx), ua.QualifiedName(name, 0), value,
                              datatype=ua.NodeId(data_type))


async def _add_machine(line_node: Node, idx: int, line_id: str, machine: Machine) -> Node:
    node = await line_node.add_object(ua.NodeId(f"{line_id}.{machine.id}", idx), ua.QualifiedName(machine.id, idx))
    await node.write_attribute(ua.AttributeIds.Description, ua.DataValue(ua.Variant(ua.LocalizedText(machine.name))))
    for name, value in (("Manufacturer", machine.manufacturer), ("Model", machine.model),
                        ("DeviceClass", machine.kind)):
        await node.add_property(ua.NodeId(f"{line_id}.{machine.id}.{name}", idx), ua.QualifiedName(name, idx),
                                ua.Variant(value, ua.VariantType.String))
    return node


def _certificate(pki_dir: Path, uri: str) -> tuple[Path, Path]:
    """The server's certificate and key, made once: a client that trusted it keeps trusting it."""
    cert, key = pki_dir / "own" / "cert.der", pki_dir / "own" / "key.pem"
    if not (cert.is_file() and key.is_file()):
        make_certificate(cert, key, uri, server=True)
    return cert, key


async def start_opcua_server(sim: PlantSimulation, plant: Plant, url: str, *, pki_dir: Path,
                             user: OpcUaUser) -> OpcUaServerHandle:
    """Serve the plant's address space at ``url`` (e.g. opc.tcp://127.0.0.1:4840/plant/) until ``stop()``."""
    logging.getLogger("asyncua").setLevel(logging.WARNING)
    uri = f"urn:plant-copilot:simulator:{plant.plant.id}"
    cert, key = _certificate(pki_dir, uri)
    server = Server(user_manager=_Users(user, Pki(pki_dir)))
    server.iserver.bind_condition_methods = True  # ConditionRefresh resends the retained conditions
    await server.init()
    server.set_endpoint(url)
    server.set_server_name(f"{plant.plant.name} (simulated)")
    await server.set_application_uri(uri)
    await server.load_certificate(str(cert))
    await server.load_private_key(str(key))
    server.set_security_policy(_POLICIES)
    server.set_identity_tokens([ua.AnonymousIdentityToken, ua.UserNameIdentityToken])
    # a plant without OPC UA node ids names no namespace: its objects then live in the simulator's own
    idx = await server.register_namespace(plant.plant.opcua_namespace or uri)
    root = await server.nodes.objects.add_object(ua.NodeId("Plant", idx), ua.QualifiedName("Plant", idx))
    description = ua.DataValue(ua.Variant(ua.LocalizedText(plant.plant.name)))
    await root.write_attribute(ua.AttributeIds.Description, description)
    machine_nodes: dict[str, Node] = {}
    readers = {}
    for line in plant.lines:
        line_node = await root.add_object(ua.NodeId(line.id, idx), ua.QualifiedName(line.id, idx))
        await line_node.write_attribute(ua.AttributeIds.Description,
                                        ua.DataValue(ua.Variant(ua.LocalizedText(line.name))))
        for machine in line.machines:
            machine_node = machine_nodes[machine.id] = await _add_machine(line_node, idx, line.id, machine)
            for tag in machine.tags.values():
                if tag.opcua is None:  # a tag reached over Modbus only has no node
                    continue
                nodeid = ua.NodeId.from_string(tag.opcua)
                await _add_variable(machine_node, idx, tag, as_variant(tag, sim.read(machine.id, tag.name)))
                if tag.writable:
                    server.set_attribute_value_setter(nodeid, _writer(sim, tag))
                readers[nodeid] = _reader(sim, tag)
                server.set_attribute_value_callback(nodeid, readers[nodeid])
    alarms = AlarmServer(server, sim, plant, idx)
    await alarms.add(machine_nodes)
    server.iserver.history_manager.set_storage(PlantHistory(sim, plant))  # HistoryRead of the tags' samples
    await server.historize_node_event(server.nodes.server, period=ALARM_JOURNAL)  # HistoryRead of its alarm events
    await server.start()
    alarms.start()
    sampler = Sampler(server, readers)
    sampler.start()
    return OpcUaServerHandle(server, alarms, sampler)
