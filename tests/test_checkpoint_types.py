"""Checkpoints load LangChain's messages and the agent's own kept types, and build no other class."""

from __future__ import annotations

import logging
from enum import StrEnum

import pytest
from langchain_core.messages import AIMessage, ToolMessage

from copilot.agent.state import Called, Chosen, Ticket
from copilot.procedures.run import ProcedureRun, RunState
from copilot.store.approvals import ApprovalStatus, Origin
from copilot.wiring import checkpoint_serde
from policies.model import ActionFacts, RequireApproval, Role


class Planted(StrEnum):
    """A class a checkpoint names that the agent never keeps."""

    boom = "boom"


def test_the_agent_state_round_trips_without_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    serde = checkpoint_serde()
    ticket = Ticket(action_id="a1", call_id="c1", thread_id="t1", user="olga", role=Role.operator,
                    tool="write_setpoint", arguments={"value": 1}, digest="d", facts=ActionFacts(change="1 → 2"),
                    decision=RequireApproval(roles=[Role.supervisor], approvers=1, reasons=["a change"]))
    values = [AIMessage(content="", tool_calls=[{"name": "x", "args": {}, "id": "c1"}]),
              ToolMessage(content="ok", tool_call_id="c1", artifact={"status": "done"}), Role.operator, Origin.mcp,
              ApprovalStatus.approved, ProcedureRun(procedure="p", request="r", outcome=RunState.asking),
              Chosen(procedure="p", slots={"a": 1}), Called(tool="x", args={}, id="c1"), ticket]
    with caplog.at_level(logging.WARNING):
        assert [serde.loads_typed(serde.dumps_typed(v)) for v in values] == values
    assert not [r for r in caplog.records if "unregistered" in r.getMessage()]


def test_a_class_the_agent_does_not_keep_is_not_built() -> None:
    serde = checkpoint_serde()
    assert not isinstance(serde.loads_typed(serde.dumps_typed(Planted.boom)), Planted)
