"""The PLC protocols as an enum, for choices (a command's ``--protocol``, ``COPILOT_PLC_PROTOCOL``).

Built from the registry when first imported, so it holds the plugins installed when the process started; code
takes a protocol by its name and asks the registry, so a plugin found later is just as good.
"""

from __future__ import annotations

from enum import StrEnum

from connectors.plc.registry import plugins

Protocol = StrEnum("Protocol", [(name, name) for name in plugins()])
Protocol.__doc__ = "A PLC protocol the copilot speaks: one of the registry's plugins."
