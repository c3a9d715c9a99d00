"""Every tool the copilot may propose, found in the ``tools`` package and in a site's own packages.

Adding a tool is one module: a module of ``tools`` (or of a package a site names in ``COPILOT_TOOL_PACKAGES``,
which the copilot's settings read) that defines a :class:`~tools.base.Tool` with the ``@tool`` decorator is found
here, offered to the model, known to the policy and run behind its gate. Tools are offered in the order they
state (``order``), then by name.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from types import ModuleType

from tools.base import Tool

SHIPPED = "tools"


class ToolRegistryError(ValueError):
    """A tool package cannot be imported, or two tools have the same name; the message says which."""


def _defined_in(module: ModuleType) -> list[Tool]:
    """The tools a module defines itself (not those it imports)."""
    return [t for t in vars(module).values() if isinstance(t, Tool) and t.run.__module__ == module.__name__]


def tools_in(package: str) -> list[Tool]:
    """The tools defined in the modules of one package, found with pkgutil."""
    try:
        root = importlib.import_module(package)
        modules = [root] + [importlib.import_module(f"{package}.{info.name}")
                            for info in pkgutil.iter_modules(getattr(root, "__path__", []))]
    except ImportError as exc:
        raise ToolRegistryError(f"cannot import the tool package {package!r}: {exc}") from None
    return [t for module in modules for t in _defined_in(module)]


def discover(packages: Iterable[str] = ()) -> dict[str, Tool]:
    """The shipped tools and those of ``packages``, by name, in the order they are offered to the model."""
    found: dict[str, Tool] = {}
    for package in (SHIPPED, *packages):
        for t in tools_in(package):
            if found.get(t.name, t) is not t:
                raise ToolRegistryError(f"two tools are named {t.name!r} (one in {package!r}); rename one")
            found[t.name] = t
    return {t.name: t for t in sorted(found.values(), key=lambda t: (t.order, t.name))}


TOOLS: dict[str, Tool] = discover()
"""The shipped tools; a copilot uses these and its site's (``discover(settings.tool_packages)``, copilot/wiring.py)."""
