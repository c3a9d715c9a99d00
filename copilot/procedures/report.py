"""What a procedure's steps found and did, in lines a person reads: the answer is made of these.

Every line comes from a tool's result or the gate's outcome, so the answer can only
say what ran, what waits, what was refused and why, and what failed. Text that came
from the plant (PLC strings, ERP fields, manual passages) is quoted as data.
"""

from __future__ import annotations

import json
import re
from typing import Any

from copilot.agent.status import Status

_PASSAGE = re.compile(r"<manual_passage[^>]*>\n\([^)]*\)\n(.*?)\n</manual_passage>", re.S)
_SHORT = 280


def _quoted(text: Any, limit: int = 120) -> str:
    text = " ".join(str(text).split())
    return f'"{text[:limit]}{"…" if len(text) > limit else ""}"'


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _status(result: dict) -> str:
    head = f"{result['machine_id']} ({result['name']}) is {result['state']}"
    alarms = [a["message"] for a in result.get("alarms", [])]
    readings = []
    for r in result.get("tags", []):
        if r["tag"] in ("state", "alarm_code"):
            continue
        value = _quoted(r["value"], 40) if isinstance(r["value"], str) else _number(r["value"])
        readings.append(f"{r['tag']} {value} {r.get('unit') or ''}".rstrip())
    return (f"{head}; alarms: {'; '.join(alarms)}" if alarms else f"{head}; no active alarm") + \
        (f". Readings: {', '.join(readings)}" if readings else "")


def _manuals(result: dict) -> str:
    passages = result.get("passages", [])
    if not passages:
        return "the manuals have no passage on this"
    lines = []
    for p in passages[:2]:
        match = _PASSAGE.search(p.get("text", ""))
        body = " ".join((match.group(1) if match else p.get("text", "")).split())
        lines.append(f"[{p['citation']}]: {_quoted(body, _SHORT)}")
    return "the manual says " + " — ".join(lines)


def _part(p: dict) -> str:
    offers = ", ".join(f"{o['supplier']} {o['price']:.2f} / {o['lead_time_days']} d / {o['carbon_kg']:g} kg CO2e"
                       for o in p.get("offers", []))
    on_order = f", {p['on_order']} on order" if p.get("on_order") else ""
    return (f"{p['id']} ({p['name']}): {p['stock']} {p['unit']} in stock{on_order}, reorder point {p['reorder_point']}, "
            f"reorder quantity {p['reorder_qty']}" + (f"; offers: {offers}" if offers else ""))


def _work_orders(orders: list) -> str:
    if not orders:
        return "no open work order"
    return "open work orders: " + "; ".join(
        f"{o['id']} on {o['machine_id']}: {_quoted(o['title'], 80)} ({o['priority']}, {o['status']})" for o in orders)


def _production(orders: list) -> str:
    return "production orders: " + "; ".join(
        f"{o['id']} on {o['line']}: {o['product']} {o['variant']}, {o['produced']} of {o['quantity']} made ({o['status']})"
        for o in orders) if orders else "no production order"


def _alarms(result: dict) -> str:
    alarms = [f"{a['machine_id']}: {a['message']}" for a in result.get("alarms", [])]
    down = [f"{m} does not answer" for m in result.get("unreachable", {})]
    return ("active alarms: " + "; ".join(alarms) if alarms else "no active alarm") + (
        "; " + "; ".join(down) if down else "")


def _trend(t: dict) -> str:
    if not t.get("samples"):
        return f"{t['machine_id']} {t['tag']}: no history in the last {t['minutes']:g} min"
    unit = t.get("unit") or ""
    return (f"{t['machine_id']} {t['tag']} over {t['minutes']:g} min: {t['first']:g} → {t['last']:g} {unit}, "
            f"min {t['minimum']:g}, max {t['maximum']:g}, {t['change_per_hour']:+g} {unit}/h").replace("  ", " ")


def _quality(result: Any) -> str:
    machines = result.get("machines", []) if isinstance(result, dict) else result
    lines = []
    for m in machines or []:
        rate = m.get("defect_rate")
        rate_text = f"{rate:g} %" if isinstance(rate, (int, float)) else "?"
        lines.append(f"{m.get('machine_id')}: defect rate {rate_text}, {m.get('good', m.get('good_count', '?'))} good, "
                     f"{m.get('rejected', m.get('reject_count', '?'))} rejected")
        for i in (m.get("inspections") or [])[-2:]:
            lines.append(f"inspection {i.get('defects')}/{i.get('inspected')} {i.get('defect_type') or ''}".rstrip())
    return "quality: " + "; ".join(lines) if lines else "quality: " + json.dumps(result, ensure_ascii=False)[:300]


_READS = {
    "machine_status": _status,
    "search_manuals": _manuals,
    "open_work_orders": _work_orders,
    "production_orders": _production,
    "active_alarms": _alarms,
    "tag_history": _trend,
    "quality_report": _quality,
}


def read_line(tool: str, result: Any) -> str:
    if tool == "inventory":
        parts = result if isinstance(result, list) else [result]
        return "; ".join(_part(p) for p in parts) if parts else "no such part"
    render = _READS.get(tool)
    if render is None:
        return f"{tool}: {json.dumps(result, ensure_ascii=False, default=str)[:_SHORT]}"
    return render(result)


def _made(result: Any) -> str:
    if isinstance(result, dict) and result.get("id"):
        return f" ({result['id']})"
    return ""


def result_line(tool: str, status: Status, text: str, result: Any, change: str | None) -> str:
    """One line per call, by what became of it."""
    what = change or tool
    detail = text.split("\n", 1)[-1].strip()
    if status is Status.done:
        return f"done: {what}{_made(result)}" if change else read_line(tool, result)
    if status is Status.denied:
        return f"refused: {what}: {detail.removeprefix('refused by policy: ')}"
    if status is Status.rejected:
        return f"rejected: {what}: {detail}"
    if status is Status.waiting:
        return f"waiting for approval: {what}"
    return f"not done: {what}: {detail}"
