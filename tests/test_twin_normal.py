"""A change made in small steps is judged as the whole change from the setpoint's normal, and a rule on the twin's
prediction fails closed: with no prediction it asks for the stricter approval and says why."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from agent_helpers import SimControl, user

from copilot.agent.status import Status
from copilot.llm.absent import NoModel
from copilot.service import Copilot
from copilot.settings import CopilotSettings
from policies.engine import evaluate
from policies.model import ActionContext, Normal, PredictedAlarm, Prediction, Risk, Role
from policies.rules import Policy
from tools.registry import TOOLS
from twin.settings import TwinSettings

POLICY = Policy.load(CopilotSettings().policy_file, tools=TOOLS)
OVEN = {"machine_id": "OV-201", "tag": "temp_setpoint"}


def steep_oven(tmp_path: Path) -> Path:
    """The fitted twin with the oven's zone following its setpoint four times over: +10 degC is +40 (alarm 215)."""
    raw = yaml.safe_load(TwinSettings().file.read_text())
    for model in raw["models"]:
        if (model["machine"], model["input"], model["reading"]) == ("OV-201", "temp_setpoint", "zone_temp"):
            model.update(gain=4.0, curvature=0.0)
    path = tmp_path / "twin.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def trim(prediction: Prediction | None, normal: Normal | None = None) -> ActionContext:
    """An engineer's trim of the oven by 4 degC: a small one the policy lets an engineer make alone."""
    return ActionContext(tool="write_setpoint", risk=Risk.write, requester="eli", role=Role.engineer,
                         machine_id="OV-201", tag="temp_setpoint", tag_writable=True, tag_min=140, tag_max=200,
                         tag_max_step=10, old_value=186, new_value=190, prediction=prediction, normal=normal)


CALM = Prediction(modelled=True, settle_minutes=12)
ALARM = Prediction(modelled=True, settle_minutes=12, alarms=[
    PredictedAlarm(reading="zone_temp", limit="high", value=215, unit="degC", minute=9)])


def test_a_small_change_predicted_calm_is_judged_as_before():
    assert evaluate(POLICY, trim(CALM)).rule == "engineers' small trims"


def test_a_small_step_is_judged_by_the_whole_change_from_the_normal():
    whole = Normal(value=180, changes=3, hours=12, prediction=ALARM)
    decision = evaluate(POLICY, trim(CALM, whole))
    assert decision.kind == "require_approval" and decision.approvers == 2
    assert "predicted for the whole change from its normal 180 (3 change(s) ran within 12 h): zone_temp above its " \
           "alarm limit 215 degC at minute 9" in decision.reasons
    assert evaluate(POLICY, trim(CALM, whole.model_copy(update={"prediction": CALM}))).kind == "allow"


@pytest.mark.parametrize("prediction", [None, Prediction(modelled=False, why="no twin is fitted")])
def test_a_write_the_twin_cannot_predict_asks_for_the_stricter_approval_and_says_why(prediction):
    decision = evaluate(POLICY, trim(prediction))
    assert decision.kind == "require_approval" and decision.approvers == 2
    assert decision.rule == "changes the twin predicts into an alarm"
    why = "no twin is fitted" if prediction else "no dry run was made"
    assert f"the twin could not predict this change ({why}), so it is judged as if it would pass an alarm " \
           "limit" in decision.reasons
    blind_whole = Normal(value=180, changes=1, hours=12, prediction=Prediction(modelled=False, why="no model"))
    assert evaluate(POLICY, trim(CALM, blind_whole)).approvers == 2  # the whole change unknown: closed too


def test_a_rule_on_no_predicted_alarm_does_not_hold_without_a_prediction():
    lenient = Policy.from_data({**yaml.safe_load(CopilotSettings().policy_file.read_text()), "rules": [
        {"name": "calm changes run", "tools": ["write_setpoint"], "when": {"predicted_alarm": False},
         "allow": "the twin sees no alarm"}]}, source="policy", tools=TOOLS)
    assert evaluate(lenient, trim(CALM)).kind == "allow"
    assert evaluate(lenient, trim(Prediction(modelled=False, why="no model"))).kind == "require_approval"
    order = ActionContext(tool="create_purchase_order", risk=Risk.write, requester="x", role=Role.operator,
                          amount=10)  # nothing to predict: a rule on the prediction is not about it
    assert evaluate(POLICY, order).rule == "purchase orders"


@pytest.mark.asyncio
async def test_five_small_steps_to_a_predicted_alarm_need_what_the_whole_change_needs(sim, tmp_path):
    control = SimControl(sim)
    try:
        control.advance(60)  # a history for the twin's checks to start from
        settings = CopilotSettings(data_dir=tmp_path)
        async with Copilot.open(NoModel(), settings=settings, connectors=sim,
                                twin=TwinSettings(file=steep_oven(tmp_path))) as copilot:
            whole = await copilot.call_tool(user("eli"), "write_setpoint", {**OVEN, "value": 190}, key="whole")
            assert whole.status is Status.waiting, whole.text  # 180 → 190: +40 on the zone, past 215
            [waiting] = copilot.pending()
            assert waiting.decision.approvers == 2
            for value in (182, 184, 186, 188):  # each alone +8 on a zone that has not moved: no alarm, an engineer's
                step = await copilot.call_tool(user("eli"), "write_setpoint", {**OVEN, "value": value},
                                               key=f"step-{value}")
                assert step.status is Status.done, step.text
            last = await copilot.call_tool(user("eli"), "write_setpoint", {**OVEN, "value": 190}, key="step-190")
            assert last.status is Status.waiting, last.text
            decision = next(a for a in copilot.pending() if a.action_id != waiting.action_id).decision
            assert decision.approvers == 2 == waiting.decision.approvers
            assert any("the whole change from its normal 180" in r and "zone_temp above its alarm limit 215" in r
                       for r in decision.reasons), decision.reasons
            assert (await copilot.rt.deps.plc.read("OV-201", "temp_setpoint")).value == 188
    finally:
        control.close()


@pytest.mark.asyncio
async def test_a_missing_twin_asks_for_the_stricter_approval(sim, tmp_path):
    settings = CopilotSettings(data_dir=tmp_path)
    async with Copilot.open(NoModel(), settings=settings, connectors=sim,
                            twin=TwinSettings(file=tmp_path / "no-twin.yaml")) as copilot:
        small = await copilot.call_tool(user("eli"), "write_setpoint", {**OVEN, "value": 184})
        assert small.status is Status.waiting, small.text  # with a twin, an engineer's trim that runs at once
        [action] = copilot.pending()
        assert action.decision.approvers == 2
        assert any("no twin is fitted" in r for r in action.decision.reasons)
