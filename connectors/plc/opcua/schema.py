"""What a plant file says of OPC UA: a server by its URL and security (``plcs:``), a tag by its node id (``opcua:``)."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from connectors.plant import PlcEndpoint
from connectors.settings import OpcUaSecurity

OPCUA_SCHEME = "opc.tcp://"

NodeIdText = str
"""A tag's node id as text (``ns=2;s=L1.P-101.speed``)."""


class OpcUaEndpoint(PlcEndpoint):
    """An OPC UA server by its ``opc.tcp://HOST:PORT/...`` URL, and the security its sessions use."""

    protocol: Literal["opcua"] = "opcua"
    url: str
    security: OpcUaSecurity | None = None
    """``none``, ``sign`` or ``sign_and_encrypt``; unset, the settings' (``PLANT_OPCUA_SECURITY``)."""

    @field_validator("url")
    @classmethod
    def _opc_tcp(cls, url: str) -> str:
        if not url.startswith(OPCUA_SCHEME) or len(url) == len(OPCUA_SCHEME):
            raise ValueError(f"an OPC UA endpoint is an {OPCUA_SCHEME}HOST:PORT/... URL, not {url!r}")
        return url

    @property
    def where(self) -> str:
        return self.url
