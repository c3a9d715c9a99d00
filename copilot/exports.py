"""A package's public names, imported on first use: a face pays only for what it touches."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def exports(package: str, names: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package`` for ``names`` (public name → module that defines it;
    a name that is its module's own last part is the module)."""

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        found = importlib.import_module(module)
        return found if module.rsplit(".", 1)[-1] == name else getattr(found, name)

    def __dir__() -> list[str]:
        return sorted(names)

    return __getattr__, __dir__
