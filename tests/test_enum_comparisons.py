"""Statuses and kinds are enums compared as enums: no ``x.status == "done"`` anywhere in the product's code."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("copilot", "tools", "policies", "connectors", "knowledge", "twin", "evals", "ui")
NAMES = {"status", "kind", "verdict", "outcome"}  # a machine's state is the plant file's own word, not an enum


def _named(node: ast.expr) -> str | None:
    """The status-like name a side of a comparison reads (``a.status``, ``kind``), if any."""
    if isinstance(node, ast.Attribute) and node.attr in NAMES:
        return node.attr
    if isinstance(node, ast.Name) and node.id in NAMES:
        return node.id
    return None


def _strings(node: ast.expr) -> bool:
    """Whether a side of a comparison is a string literal, or a tuple, list or set of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return bool(node.elts) and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)
    return False


def string_comparisons(source: str, path: str) -> list[str]:
    """Each comparison of a status-like name with a string literal in ``source``, as ``path:line``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        if any(_named(s) for s in sides) and any(_strings(s) for s in sides):
            found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_check_finds_a_status_compared_as_a_string() -> None:
    source = 'if a.status == "pending" or kind in ("x", "y") or a.status is Status.done: pass\n'
    assert len(string_comparisons(source, "probe.py")) == 2


def test_no_status_or_kind_is_compared_as_a_string() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found += string_comparisons(path.read_text(), str(path.relative_to(ROOT)))
    assert found == []
