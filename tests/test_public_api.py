"""The faces (the app, the CLI, the MCP server, the evals) use the copilot's declared public API only."""

from __future__ import annotations

import ast
import importlib
import inspect
import typing
from pathlib import Path

import pytest

import copilot

ROOT = Path(__file__).resolve().parent.parent
FACES = ("ui", "evals")
PUBLIC = ("copilot", "copilot.identity", "copilot.llm", "copilot.monitor", "copilot.reports", "copilot.procedures",
          "copilot.governance")
FRAMEWORKS = ("langchain", "langchain_core", "langgraph")


def _imports(folder: str) -> list[tuple[str, int, str, list[str]]]:
    """(file, line, module, names) of every import in the folder's modules."""
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((where, node.lineno, node.module, [a.name for a in node.names]))
            elif isinstance(node, ast.Import):
                found += [(where, node.lineno, a.name, []) for a in node.names]
    return found


@pytest.mark.parametrize("folder", FACES)
def test_faces_import_only_the_public_api_of_the_copilot(folder: str) -> None:
    wrong = []
    for where, _, module, names in _imports(folder):
        if module.split(".")[0] in FRAMEWORKS:
            wrong.append(f"{where}: imports {module} (a framework type, not the copilot's API)")
        elif module == "copilot" or module.startswith("copilot."):
            if module not in PUBLIC:
                wrong.append(f"{where}: imports the internal module {module}")
                continue
            public = set(importlib.import_module(module).__all__)
            wrong += [f"{where}: {name} is not in {module}.__all__" for name in names if name not in public]
    assert wrong == []


@pytest.mark.parametrize("package", PUBLIC)
def test_every_public_name_resolves(package: str) -> None:
    module = importlib.import_module(package)
    missing = []
    for name in module.__all__:
        try:
            getattr(module, name)
        except ImportError as exc:  # an optional extra (the local model) may be missing
            assert "llama" in str(exc), (name, exc)
        except AttributeError:
            missing.append(name)
    assert missing == []
    assert sorted(dir(module)) == sorted(module.__all__)


def _framework_types(hint: object) -> list[str]:
    """The framework classes a type hint names, through unions and generics."""
    found = []
    for part in (hint, *typing.get_args(hint)):
        if part is not hint:
            found += _framework_types(part)
        elif inspect.isclass(part) and part.__module__.split(".")[0] in FRAMEWORKS:
            found.append(f"{part.__module__}.{part.__qualname__}")
    return found


def test_no_framework_type_in_a_public_signature_of_the_copilot() -> None:
    wrong = []
    for name, member in inspect.getmembers(copilot.Copilot):
        if name.startswith("_") or not callable(member):
            continue
        function = getattr(member, "__func__", member)
        hints = typing.get_type_hints(inspect.unwrap(function))
        wrong += [f"Copilot.{name}: {kind} {t}" for kind, hint in hints.items() for t in _framework_types(hint)]
    assert wrong == []


def test_an_unknown_public_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Graph'"):
        copilot.Graph  # noqa: B018
