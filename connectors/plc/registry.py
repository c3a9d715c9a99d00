"""The registry of PLC protocols, the only list of them: the plugins found at start.

A plugin is a subpackage of ``connectors.plc`` whose ``PLUGIN`` is a ``PlcPlugin`` (the built-in ones), or a
``PlcPlugin`` an installed package names in the entry point group ``plant_copilot.plc`` (a site's own, e.g.
``[project.entry-points."plant_copilot.plc"] loopback = "my_plc:PLUGIN"``). Finding one imports only its light
package; its client and check are imported on first use.
"""

from __future__ import annotations

import pkgutil
from functools import cache
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path

from connectors.errors import InvalidRequest
from connectors.plc.plugin import PlcPlugin

ENTRY_POINTS = "plant_copilot.plc"
"""The entry point group in which an installed package names its PLC plugin."""


def _found() -> list[PlcPlugin]:
    built_in = [import_module(f"{__package__}.{m.name}").PLUGIN
                for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.ispkg]
    return built_in + [entry.load() for entry in entry_points(group=ENTRY_POINTS)]


@cache
def plugins() -> dict[str, PlcPlugin]:
    """Every plugin by its protocol's name, built-in first (``plugins.cache_clear()`` finds them again)."""
    found: dict[str, PlcPlugin] = {}
    for plugin in _found():
        if not isinstance(plugin, PlcPlugin):
            raise TypeError(f"a PLC plugin is a PlcPlugin, not {plugin!r}")
        if plugin.name in found and type(found[plugin.name]) is not type(plugin):
            raise RuntimeError(f"PLC protocol {plugin.name} has two plugins: {type(found[plugin.name]).__module__} "
                               f"and {type(plugin).__module__}")
        found[plugin.name] = plugin
    return found


def plugin(name: str) -> PlcPlugin:
    """The plugin of the protocol called ``name``, or InvalidRequest listing the ones there are."""
    try:
        return plugins()[name]
    except KeyError:
        raise InvalidRequest(f"unknown PLC protocol {name!r}; use one of: {', '.join(plugins())}") from None
