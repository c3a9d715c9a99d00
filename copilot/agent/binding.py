"""What a supervisor approved is what runs: the facts an approval is bound to, and what counts as changed.

An approval is for an action's arguments *and* the facts its approvers saw: the
machine's state, the tag, the old and the new value, the amount of money, the
quantity, and the names a tool found (the supplier it would order from, the
order's status). Just before the action runs, its tool gathers the facts again and
the policy decides again (copilot/agent/graph.py, ``act``); a bound fact that moved
beyond the tolerance sends the action back for a new approval with the difference
shown. Numbers that move by themselves (the stock, the parts produced) are context
for rules, not part of what was approved.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from policies.engine import is_satisfied
from policies.model import ActionFacts, Allow, Decision, RequireApproval, Role

BOUND = ("machine_state", "tag", "old_value", "new_value", "amount", "quantity")


def canonical_json(value: Any) -> str:
    """``value`` as compact JSON with sorted keys (other values as ``str``): equal values, equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def bound_facts(facts: ActionFacts | dict[str, Any]) -> dict[str, Any]:
    """The facts an approval is for (as JSON): the bound fields and the tool's extra facts that are names."""
    data = facts.model_dump(mode="json") if isinstance(facts, ActionFacts) else facts
    extra = {k: v for k, v in sorted((data.get("extra") or {}).items()) if not _is_number(v)}
    return {**{k: data.get(k) for k in BOUND}, "extra": extra}


def approval_digest(tool: str, arguments: dict[str, Any], facts: ActionFacts | dict[str, Any]) -> str:
    """The fingerprint of what an approval is for: the tool, its validated arguments and the bound facts."""
    body = {"tool": tool, "arguments": arguments, "facts": bound_facts(facts)}
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def _same(a: Any, b: Any, tolerance: float) -> bool:
    if _is_number(a) and _is_number(b):
        if not (math.isfinite(a) and math.isfinite(b)):
            return False
        return abs(a - b) <= tolerance * max(abs(a), abs(b)) + 1e-9
    return a == b


def _shown(value: Any) -> str:
    return f"{value:g}" if _is_number(value) else "none" if value is None else str(value)


def differences(approved: ActionFacts | dict[str, Any], fresh: ActionFacts | dict[str, Any],
                tolerance: float) -> list[str]:
    """What moved between the facts approved and the facts now, as people read it ("amount 2100 → 21000");
    a number within ``tolerance`` (a fraction of it) has not moved."""
    before, now = bound_facts(approved), bound_facts(fresh)
    pairs = [(k, before[k], now[k]) for k in BOUND]
    pairs += [(k, before["extra"].get(k), now["extra"].get(k)) for k in sorted({*before["extra"], *now["extra"]})]
    return [f"{key} {_shown(a)} → {_shown(b)}" for key, a, b in pairs if not _same(a, b, tolerance)]


def covered(decision: Decision, approvals: list[tuple[str, Role]], requester: str) -> bool:
    """Whether the approvals given (approver, role) are what ``decision`` asks for: enough people, each of
    a role it names, the requester never counted."""
    if isinstance(decision, Allow):
        return True
    if not isinstance(decision, RequireApproval):
        return False
    eligible = [name for name, role in approvals if role in decision.roles]
    return is_satisfied(decision, eligible, requester=requester)
