"""Plan first, then follow the plan (copilot/agent/planning.py): the narrowing per call, and the graph with a plan."""

from __future__ import annotations

from agent_helpers import ask, call, copilot_on, results, script
from langchain_core.messages import AIMessage, ToolMessage

from copilot.agent.planning import PLAN, plan_narrowing, plan_schema, planned_steps


def _plan(reads: list[str], changes: list[str]) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": PLAN, "args": {"reads": reads, "changes": changes}, "id": "p"}])


def _result(name: str, status: str) -> ToolMessage:
    return ToolMessage(content="", tool_call_id=f"id-{name}", name=name, artifact={"status": status})


def test_before_planning_only_the_plan_may_be_written() -> None:
    assert plan_narrowing([]) == {"tool_choice": PLAN}


def test_each_call_is_narrowed_to_the_next_planned_tool_then_to_an_answer() -> None:
    turn = [_plan(["machine_status"], ["create_work_order"]), _result(PLAN, "done")]
    assert planned_steps(turn) == ["machine_status", "create_work_order"]
    assert plan_narrowing(turn) == {"tool_choice": "machine_status"}
    turn.append(_result("machine_status", "done"))
    assert plan_narrowing(turn) == {"tool_choice": "create_work_order"}
    turn.append(_result("create_work_order", "done"))
    assert plan_narrowing(turn) == {"tool_choice": "none"}


def test_invalid_arguments_retry_the_step_and_a_read_error_moves_on() -> None:
    turn = [_plan(["machine_status", "tag_history"], []), _result("machine_status", "invalid_arguments")]
    assert plan_narrowing(turn) == {"tool_choice": "machine_status"}
    turn.append(_result("machine_status", "error"))
    assert plan_narrowing(turn) == {"tool_choice": "tag_history"}


def test_a_denied_rejected_or_blocked_call_ends_the_plan_with_an_answer() -> None:
    for status in ("denied", "rejected", "blocked", "not_approved"):
        turn = [_plan([], ["write_setpoint", "create_work_order"]), _result("write_setpoint", status)]
        assert plan_narrowing(turn) == {"tool_choice": "none"}, status


def test_the_plan_schema_keeps_reads_and_changes_apart() -> None:
    schema = plan_schema(["machine_status"], ["create_work_order"])["function"]["parameters"]
    assert schema["properties"]["reads"]["items"] == {"enum": ["machine_status"]}
    assert schema["properties"]["changes"]["items"] == {"enum": ["create_work_order"]}
    assert "changes" not in plan_schema(["machine_status"], [])["function"]["parameters"]["properties"]
    malformed = AIMessage(content="", tool_calls=[{"name": PLAN, "args": {"reads": "x"}, "id": "p"}])
    assert planned_steps([malformed]) == []


async def test_with_plan_first_the_plan_is_a_step_the_operator_sees_and_no_action(sim, tmp_path) -> None:
    model = script(
        [call(PLAN, reads=["machine_status"], changes=[])],
        [call("machine_status", machine_id="P-101")],
        "P-101 runs.",
    )
    async with copilot_on(sim, tmp_path, model, plan_first="on") as copilot:
        steps = await ask(copilot, "olga", "how is P-101?")
        planned_actions = copilot.rt.audit.records(tool=PLAN)
        reads = copilot.rt.audit.records(tool="machine_status")
    [plan] = [s for s in steps if s.kind == "choice"]
    assert plan.tool == PLAN and plan.arguments["reads"] == ["machine_status"] and not results(steps, PLAN)
    assert results(steps, "machine_status")[0].status == "done"
    assert steps[-1].kind == "answer" and steps[-1].text == "P-101 runs."
    assert planned_actions == [] and reads  # the plan is no action: nothing of it in the audit log
