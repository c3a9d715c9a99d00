"""How the copilot's steps look in the chat: one collapsible box per tool call, the answer as text.

The same renderer draws a turn while it streams and a reopened conversation from the
checkpointer, so both look alike. A tool call's box opens as "running" on the proposal
and is updated in place by its result, or marked as waiting for sign-off.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from copilot import (
    Answer,
    Calling,
    Choice,
    Decision,
    Proposal,
    RequireApproval,
    Restating,
    Result,
    Status,
    Step,
    Token,
    Waiting,
)
from tools.search_manuals import ManualPassage, search_manuals

PASSAGE_PAGE: Any = "pages/passage.py"  # relative to ui/main.py, or an st.Page
_STATE = {Status.done: "complete", Status.waiting: "running"}
_ICON = {Status.done: ":material/check_circle:", Status.waiting: ":material/hourglass_top:",
         Status.denied: ":material/block:", Status.rejected: ":material/cancel:", Status.blocked: ":material/block:"}


def decision_text(decision: Decision | None) -> str:
    """The policy's decision in a sentence: its kind, reasons and the rule that decided."""
    if decision is None:
        return ""
    extra = ""
    if isinstance(decision, RequireApproval):
        extra = f" ({decision.approvers} × {' or '.join(decision.roles)})"
    rule = f" — rule: {decision.rule}" if decision.rule else ""
    owner = f" — owner: {decision.owner}" if decision.owner else ""
    return f"{decision.kind.replace('_', ' ')}{extra}: {'; '.join(decision.reasons)}{rule}{owner}".strip(": ")


def passages_of(step: Result) -> list[ManualPassage]:
    """The cited passages in a search_manuals result."""
    if step.tool != search_manuals.name or step.result is None:
        return []
    return [p for p in search_manuals.result_of(step.result).passages if p.chunk_id]


def passage_link(passage: ManualPassage) -> None:
    """A citation as a link to the passage's page (same session, so no new sign-in)."""
    st.page_link(PASSAGE_PAGE, label=passage.citation or passage.chunk_id, icon=":material/menu_book:",
                 query_params={"id": passage.chunk_id})


def _short(value: Any, limit: int = 3000) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str, indent=1)
    return text if len(text) <= limit else text[:limit] + "\n…"


@dataclass
class TurnView:
    """Draws one assistant turn as its steps arrive."""

    boxes: dict[str, Any] = field(default_factory=dict)
    arguments: dict[str, dict[str, Any]] = field(default_factory=dict)
    citations: list[ManualPassage] = field(default_factory=list)
    _text: str = ""
    _placeholder: Any = None
    _streamed: list[str] = field(default_factory=list)
    _understood: str = ""
    _understood_at: Any = None
    _calling_at: Any = None

    def show(self, step: Step) -> None:
        if isinstance(step, Calling):  # what the model is writing a call of, until the call's own step shows
            if self._calling_at is None:
                self._calling_at = st.empty()
            self._calling_at.caption(f"{step.tool.replace('_', ' ')} …")
            return
        if self._calling_at is not None:
            self._calling_at.empty()
            self._calling_at = None
        match step:
            case Restating():  # how the request was understood, in English, as it is written
                if self._understood_at is None:
                    self._understood_at = st.empty()
                self._understood += step.text
                self._understood_at.caption(f"understood as: {self._understood.strip()}")
            case Token():
                if self._placeholder is None:
                    self._placeholder, self._text = st.empty(), ""
                self._text += step.text
                self._placeholder.markdown(self._text + "▌")
            case _:
                self._end_text()
                self._step(step)

    def _step(self, step: Step) -> None:
        match step:
            case Choice():
                shown = ", ".join(f"{k} {v}" for k, v in step.arguments.items()
                                  if v not in (None, [], "") and k != "lang")
                st.caption(f"{step.tool.replace('_', ' ')}" + (f": {shown}" if shown else ""))
            case Proposal():
                self._proposal(step)
            case Result():
                self._result(step)
            case Waiting():
                self._waiting(step)
            case Answer():
                if step.text.strip() not in self._streamed:
                    st.markdown(step.text)
                self._sources()

    def finish(self) -> None:
        self._end_text()

    def _end_text(self) -> None:
        if self._placeholder is not None:
            self._placeholder.markdown(self._text)
            self._streamed.append(self._text.strip())
            self._placeholder = None

    def _box(self, step: Proposal | Result | Waiting, label: str, state: str) -> Any:
        key = step.action_id or f"step{len(self.boxes)}"
        box = self.boxes.get(key)
        if box is None:
            box = self.boxes[key] = st.status(label, state=state, expanded=False)
        else:
            box.update(label=label, state=state)
        return box

    def _proposal(self, step: Proposal) -> None:
        self.arguments[step.action_id] = step.arguments
        with self._box(step, f"{step.tool} …", "running"):
            st.markdown(f"**{step.tool}** `{json.dumps(step.arguments, ensure_ascii=False)}`")

    def _result(self, step: Result) -> None:
        status = step.status
        state = _STATE.get(status, "error")
        with self._box(step, f"{_ICON.get(status, ':material/error:')} {step.tool} — {status}", state):
            if step.action_id not in self.arguments:
                st.markdown(f"**{step.tool}**")
            if step.decision:
                st.caption("Policy: " + decision_text(step.decision))
            if step.change:
                st.markdown(f"Change: **{step.change}**")
            passages = passages_of(step)
            for passage in passages:
                passage_link(passage)
            self.citations += passages
            if status is Status.done and step.result is not None and not passages:
                st.code(_short(step.result), language="json")
            elif status is not Status.done:
                st.markdown(step.text.split("\n", 1)[-1] if "\n" in step.text else step.text)

    def _waiting(self, step: Waiting) -> None:
        with self._box(step, f"{_ICON[Status.waiting]} {step.tool} — waiting for approval", "running"):
            st.warning(f"Waiting for approval: {step.change}")
            if step.decision:
                st.caption("Policy: " + decision_text(step.decision))

    def _sources(self) -> None:
        if self.citations:
            st.caption("Sources")
            seen: set[str] = set()
            for passage in self.citations:  # one link per citation: a page may hold several passages
                cite = passage.citation or passage.chunk_id
                if cite not in seen:
                    seen.add(cite)
                    passage_link(passage)


def show_steps(steps: Iterable[Step]) -> TurnView:
    """Draw finished steps (a turn that is over); the view that drew them."""
    view = TurnView()
    for step in steps:
        view.show(step)
    view.finish()
    return view
