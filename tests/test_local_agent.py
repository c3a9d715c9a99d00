"""The whole copilot on the real local model: Qwen2.5-Coder-1.5B chooses the procedure of a multi-step request
against the simulator. It must read the machine's live status and then open the work order it was asked for,
with the policy gate between (a work order is allowed for an operator), and say so; a request in German gets
its relative change computed and its answer in German.

Slow on purpose (minutes on 2 cores the first time, while the prompt prefix is evaluated and saved under
var/models/prefix-cache; later runs restore it). Skipped only when the local model is not installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("llama_cpp", reason="llama-cpp-python (the [local] extra) is not installed")

from agent_helpers import SimControl, ask, copilot_on, results, user  # noqa: E402

from connectors.erp import ErpClient  # noqa: E402
from copilot.llm.factory import make_chat_model  # noqa: E402
from copilot.llm.settings import LLMSettings  # noqa: E402
from copilot.llm.weights import QWEN25_CODER_1_5B, WeightsNotInstalled, installed_parts  # noqa: E402
from copilot.procedures.language import language_of  # noqa: E402

MODELS = Path(__file__).resolve().parent.parent / "var" / "models"

pytestmark = pytest.mark.timeout(1500)


@pytest.fixture(scope="module")
def local_model():
    try:
        installed_parts(QWEN25_CODER_1_5B)
    except WeightsNotInstalled as exc:
        pytest.skip(f"the local model's weights are not installed: {exc}")
    return make_chat_model(LLMSettings(provider="local", model_dir=MODELS))


async def test_the_local_model_reads_the_status_then_opens_the_work_order(sim, tmp_path, local_model) -> None:
    control = SimControl(sim)
    control.fault("bearing_wear", machine_id="P-101", severity=0.8)
    control.advance(600)
    async with copilot_on(sim, tmp_path, local_model) as copilot:
        steps = await ask(copilot, "olga", "P-101 is vibrating, open a work order")

    done = [s for s in results(steps) if s.status == "done"]
    tools = [s.tool for s in done]
    assert "machine_status" in tools and "create_work_order" in tools, [(s.tool, s.status, s.text[:200]) for s in steps]
    assert tools.index("machine_status") < tools.index("create_work_order")
    status = done[tools.index("machine_status")]
    assert status.result["machine_id"] == "P-101"

    async with ErpClient.from_settings(sim) as erp:
        orders = await erp.list_work_orders(machine_id="P-101")
    assert len(orders) == 1, orders
    assert orders[0].requested_by == "olga"
    answer = [s for s in steps if s.kind == "answer"]
    assert answer and answer[-1].text.strip()


async def test_a_german_relative_change_waits_for_sign_off_and_is_answered_in_german(
    sim, tmp_path, local_model,
) -> None:
    async with copilot_on(sim, tmp_path, local_model) as copilot:
        steps = await ask(copilot, "olga", "Der Ofen OV-201 ist zu heiß, bitte die Temperatur um 5 Grad senken")
        [wait] = [s for s in steps if s.kind == "waiting"]
        assert wait.change == "OV-201 temperature setpoint 180 → 175 °C", [(s.kind, s.tool, s.text[:200])
                                                                            for s in steps]
        assert not [s for s in steps if s.kind == "answer"]  # the answer comes once the supervisor decided
        _, more = await copilot.approve(wait.action_id, user("sam"))
    [answer] = [s.text for s in more if s.kind == "answer"]
    assert "175" in answer and language_of(answer, before="?") == "de", answer
