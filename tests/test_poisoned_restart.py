"""One request cannot poison every later start: numbers are bounded by the tools' argument models before anything
computes with them, a run that fails ends as failed (never left claimed), and a resume that cannot go on is
skipped with one line while the copilot opens."""

from __future__ import annotations

import pytest
from agent_helpers import ask, call, copilot_on, results, script, user

from copilot.errors import RequestRejected
from copilot.llm.scripted import ScriptExhausted
from copilot.steps import Answer


@pytest.mark.asyncio
async def test_a_1e200_setpoint_is_refused_and_the_next_start_resumes_cleanly(sim, tmp_path):
    huge = call("write_setpoint", machine_id="OV-201", tag="temp_setpoint", value=1e200)
    async with copilot_on(sim, tmp_path, script([huge], "Refused.")) as copilot:
        [refused] = results(await ask(copilot, "olga", "oven to 1e200"), "write_setpoint")
        assert refused.status == "invalid_arguments" and "less than or equal to 1000000000" in refused.text
        assert copilot.conversations.cut_off() == []
    async with copilot_on(sim, tmp_path, script()) as restarted:
        assert await restarted.resume_decided() == []


@pytest.mark.asyncio
async def test_a_400_digit_integer_over_mcp_is_refused_with_one_clear_line(sim, tmp_path):
    async with copilot_on(sim, tmp_path, script()) as copilot:
        with pytest.raises(RequestRejected) as refused:
            await copilot.call_tool(user("olga"), "record_inspection",
                                    {"machine_id": "IM-103", "inspected": 10**400, "defects": 1})
        assert str(refused.value) == ("invalid arguments for record_inspection: inspected: Input should be less "
                                      "than or equal to 1000000000")
        with pytest.raises(RequestRejected, match="value: Input should be a valid number"):
            await copilot.call_tool(user("olga"), "write_setpoint",
                                    {"machine_id": "OV-201", "tag": "temp_setpoint", "value": 10**400})
        assert copilot.audit_records(kind="request") == []  # nothing was taken in


@pytest.mark.asyncio
async def test_a_run_that_raises_during_resume_is_ended_as_failed_and_the_copilot_still_opens(sim, tmp_path):
    async with copilot_on(sim, tmp_path, script()) as copilot:  # a model that fails the run: it stays claimed
        with pytest.raises(ScriptExhausted):
            await ask(copilot, "olga", "how is P-101?", thread_id="poisoned")
    async with copilot_on(sim, tmp_path, script()) as restarted:  # the next start resumes it, and it fails again
        assert restarted.conversations.cut_off() == ["poisoned"]
        [said] = await restarted.resume_decided()
        assert isinstance(said, Answer) and said.text.startswith("conversation poisoned could not be resumed")
        assert "\n" not in said.text and "ScriptExhausted" in said.text
        assert restarted.conversations.cut_off() == []  # ended as failed: no later start tries it again
    async with copilot_on(sim, tmp_path, script()) as again:
        assert await again.resume_decided() == []


@pytest.mark.asyncio
async def test_a_400_digit_integer_from_the_model_is_refused_and_the_conversation_goes_on(sim, tmp_path):
    huge = call("record_inspection", machine_id="IM-103", inspected=10**400, defects=1)
    async with copilot_on(sim, tmp_path, script([huge], "Refused.")) as copilot:
        steps = await ask(copilot, "olga", "record an inspection")
        [refused] = results(steps, "record_inspection")
        assert refused.status == "invalid_arguments" and "far too large" in refused.text
        assert steps[-1].kind == "answer"
        with pytest.raises(RequestRejected, match="far too large"):
            await copilot.call_tool(user("olga"), "machine_status", {"machine_id": "P-101", "extra": 10**400})
