"""The code's shape (issue #26): no module over 400 lines, no function over 60 lines.

Walks the project's packages with ``ast`` (generated ``*_pb2.py`` files left out) and names every offender
as ``path:line name N lines``, so that the failure says where to split.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("copilot", "tools", "policies", "connectors", "knowledge", "twin", "simulator", "evals", "ui", "bench",
            "vision")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def python_files(packages: tuple[str, ...] = PACKAGES) -> list[Path]:
    """The project's own Python modules under ``packages``, without generated protobuf code, sorted."""
    files = []
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            if not path.name.endswith("_pb2.py") and "node_modules" not in path.parts:
                files.append(path)
    return files


def oversized(packages: tuple[str, ...] = PACKAGES) -> list[str]:
    """Each module over ``MAX_MODULE_LINES`` and each function over ``MAX_FUNCTION_LINES``, as
    ``path:line name N lines`` (a function from its ``def`` line to its last line, nested ones too)."""
    problems = []
    for path in python_files(packages):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT).as_posix()
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            problems.append(f"{where}:1 (module) {lines} lines")
        for node in ast.walk(ast.parse(text, filename=where)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    problems.append(f"{where}:{node.lineno} {node.name} {length} lines")
    return sorted(problems)


def test_the_walk_finds_the_packages() -> None:
    found = {path.relative_to(ROOT).parts[0] for path in python_files()}
    assert found == set(PACKAGES)


def test_no_module_over_400_lines_and_no_function_over_60() -> None:
    problems = oversized()
    assert not problems, (
        f"over {MAX_MODULE_LINES} lines a module or {MAX_FUNCTION_LINES} a function:\n" + "\n".join(problems)
    )
