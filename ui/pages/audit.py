"""Audit: the append-only log, searchable by actor, tool, kind and text, with the hash chain verified."""

from __future__ import annotations

import json
import time

import streamlit as st

from copilot import AuditKind
from ui.auth import require
from ui.shared import copilot_ready, get_runtime

KINDS = ["", *AuditKind]

require("audit")
st.title("Audit log")
copilot = copilot_ready()
runtime = get_runtime()
report = runtime.sync(copilot.verify_audit)
if report.ok:
    st.success(f"Hash chain verified: {report.count} records, none edited, removed or reordered.",
               icon=":material/verified:")
else:
    st.error(f"Hash chain BROKEN at record {report.first_bad_seq}: {report.problem}", icon=":material/gpp_bad:")

a, b, c, d = st.columns(4)
actor = a.text_input("Actor", key="audit_actor")
tool = b.text_input("Tool", key="audit_tool")
kind = c.selectbox("Kind", KINDS, key="audit_kind", format_func=lambda k: k or "all")
text = d.text_input("Text in arguments, decisions, results", key="audit_text")
records = runtime.sync(copilot.audit_records, actor=actor.strip() or None, tool=tool.strip() or None, kind=kind or None,
                       text=text.strip() or None, limit=500)


def brief(value: object, limit: int = 160) -> str:
    """``value`` as JSON cut to ``limit`` characters; empty for None and empty values."""
    if value in (None, [], {}, ""):
        return ""
    out = json.dumps(value, ensure_ascii=False, default=str)
    return out if len(out) <= limit else out[:limit] + "…"


def owner(record) -> str:
    """The owner its decision (or the approval of one) names; empty when none."""
    for source in (record.decision, record.result):
        if isinstance(source, dict) and source.get("owner"):
            return str(source["owner"])
    return ""


st.caption(f"{len(records)} records, newest first (at most 500).")
st.dataframe(
    [{"seq": r.seq, "time": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.ts)), "kind": r.kind,
      "actor": r.actor, "tool": r.tool or "", "action": r.action_id or "", "arguments": brief(r.arguments),
      "decision": brief((r.decision or {}).get("kind") if isinstance(r.decision, dict) else r.decision),
      "owner": owner(r), "approvers": ", ".join(r.approvers), "result": brief(r.result), "old": brief(r.old_value),
      "new": brief(r.new_value), "release": r.release[:12] if r.release else "unreleased" * r.unreleased,
      "hash": r.hash[:12]} for r in records],
    hide_index=True, width="stretch",
)
