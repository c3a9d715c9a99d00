"""The registry of PLC connectors: each protocol's module registers its client under its ``Protocol``.

``connectors/plc.py`` holds what every connector shares and imports none of them; a connector module
imports it and registers itself here. The built-in connectors are imported on first use, so a plant
reached over Modbus only never loads the OPC UA stack (and the reverse).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, TypeVar

from connectors.errors import InvalidRequest
from connectors.plc_endpoints import Protocol

if TYPE_CHECKING:
    from connectors.plc import ProtocolPlc

P = TypeVar("P", bound="type[ProtocolPlc]")

_BUILT_IN: dict[Protocol, str] = {Protocol.opcua: "connectors.opcua", Protocol.modbus: "connectors.modbus",
                                  Protocol.mqtt: "connectors.mqtt"}
_connectors: dict[Protocol, type[ProtocolPlc]] = {}


def register(protocol: Protocol) -> Callable[[P], P]:
    """A class decorator: the decorated client is the connector of ``protocol``."""

    def add(cls: P) -> P:
        if protocol in _connectors and _connectors[protocol] is not cls:
            raise RuntimeError(f"{protocol} already has the connector {_connectors[protocol].__qualname__}")
        _connectors[protocol] = cls
        return cls

    return add


def protocol_named(name: str | Protocol) -> Protocol:
    """The protocol called ``name``, or InvalidRequest listing the ones there are."""
    try:
        return Protocol(name)
    except ValueError:
        raise InvalidRequest(f"unknown PLC protocol {name!r}; use one of: {', '.join(Protocol)}") from None


def connector(protocol: str | Protocol) -> type[ProtocolPlc]:
    """The client class that speaks ``protocol``."""
    protocol = protocol_named(protocol)
    if protocol not in _connectors and protocol in _BUILT_IN:
        import_module(_BUILT_IN[protocol])
    if protocol not in _connectors:
        raise InvalidRequest(f"no connector is registered for PLC protocol {protocol}")
    return _connectors[protocol]
