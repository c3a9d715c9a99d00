"""The plant's PLCs: one plugin per protocol (a subfolder here, or an installed package), behind one client.

``open_plc`` gives the client the tools use (reads and guarded writes of the plant's tags, each machine on its
own PLC); ``check_plcs`` checks a plant file against every PLC it names. The registry is the only list of
protocols: adding one is one new folder with a ``PLUGIN`` (see ``connectors.plc.plugin``), or a package that
names its plugin in the entry point group ``plant_copilot.plc``.
"""

from connectors.plc.check import PlcReport, check_plcs, plcs_of
from connectors.plc.client import (
    PlcClient,
    ProtocolPlc,
    ServerRange,
    TagValue,
    Unfollowed,
    Value,
    WriteResult,
    guard_write,
)
from connectors.plc.findings import Finding, Severity
from connectors.plc.plant_plc import SETTINGS_PLC, PlantPlc, open_plc, settings_endpoint
from connectors.plc.plugin import PlcPlugin
from connectors.plc.registry import ENTRY_POINTS, plugin, plugins

# isort: split
# last, once every name above is bound: building Protocol finds the plugins, which may import this package
from connectors.plc.protocol import Protocol

__all__ = [
    "ENTRY_POINTS", "SETTINGS_PLC", "Finding", "PlantPlc", "PlcClient", "PlcPlugin", "PlcReport", "Protocol",
    "ProtocolPlc", "ServerRange", "Severity", "TagValue", "Unfollowed", "Value", "WriteResult", "check_plcs",
    "guard_write", "open_plc", "plcs_of", "plugin", "plugins", "settings_endpoint",
]
