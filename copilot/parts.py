"""What a copilot of these settings loads before it connects to anything: the plant, the tools, the procedures.

The wiring (copilot/wiring.py) opens a copilot on these, and a release (copilot/governance/) freezes the same,
so what is frozen is what runs.
"""

from __future__ import annotations

from connectors.plant import Plant
from connectors.settings import ConnectorSettings
from copilot.procedures.fitting import fitted_to
from copilot.procedures.spec import Procedures
from copilot.settings import CopilotSettings
from tools.base import Tool
from tools.registry import discover


def configured(settings: CopilotSettings,
               connectors: ConnectorSettings) -> tuple[Plant, dict[str, Tool], Procedures | None]:
    """The plant file's plant, the tools (the product's and the site's packages) and the procedures fitted to
    the plant (None when procedures are off); each file's own error names the file and field."""
    plant = connectors.load_plant()
    tools = discover(settings.tool_packages)
    procedures = fitted_to(Procedures.load(settings.procedures_file, tools), plant) if settings.procedures else None
    return plant, tools, procedures
