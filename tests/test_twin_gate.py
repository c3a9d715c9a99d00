"""The twin in the approval flow: every setpoint change, start or stop is dry-run before it is judged; a rule
can judge the prediction; after the change the twin's error is what the PLC then read against it."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from agent_helpers import SimControl, cli, user

from copilot.agent.status import Status
from copilot.llm.absent import NoModel
from copilot.service import Copilot
from copilot.settings import CopilotSettings
from copilot.store.twin_checks import CheckStatus
from policies.engine import evaluate
from policies.model import ActionContext, PredictedAlarm, Prediction, Risk, Role
from policies.rules import Policy
from tools.registry import TOOLS
from twin.settings import TwinSettings

REPO_POLICY = CopilotSettings().policy_file
OVEN_UP = {"machine_id": "OV-201", "tag": "temp_setpoint", "value": 190}


def policy_with(tmp_path: Path, rule: dict) -> Path:
    """The plant's policy with ``rule`` first."""
    raw = yaml.safe_load(REPO_POLICY.read_text())
    raw["rules"].insert(0, rule)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def steep_oven(tmp_path: Path) -> Path:
    """The fitted twin with the oven's zone following its setpoint four times over: +10 degC is +40."""
    raw = yaml.safe_load(TwinSettings().file.read_text())
    for model in raw["models"]:
        if (model["machine"], model["input"], model["reading"]) == ("OV-201", "temp_setpoint", "zone_temp"):
            model.update(gain=4.0, curvature=0.0)
    path = tmp_path / "twin.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def context(prediction: Prediction | None) -> ActionContext:
    return ActionContext(tool="write_setpoint", risk=Risk.write, requester="eli", role=Role.engineer,
                         machine_id="OV-201", tag="temp_setpoint", tag_writable=True, tag_min=140, tag_max=200,
                         tag_max_step=10, old_value=180, new_value=184, prediction=prediction)


def test_rules_on_the_prediction_and_the_alarm_in_the_reason():
    policy = Policy.from_data({**yaml.safe_load(REPO_POLICY.read_text())}, source="policy", tools=TOOLS)
    alarm = PredictedAlarm(reading="zone_temp", limit="high", value=215, unit="degC", minute=12)
    crossing = Prediction(modelled=True, settle_minutes=20, alarms=[alarm],
                          courses={"zone_temp": [(0, 180), (30, 220)]})
    decision = evaluate(policy, context(crossing))
    assert decision.kind == "require_approval" and decision.approvers == 2  # an engineer's small trim, but an alarm
    assert "predicted: zone_temp above its alarm limit 215 degC at minute 12" in decision.reasons
    calm = crossing.model_copy(update={"alarms": []})
    assert evaluate(policy, context(calm)).kind == "allow"  # the engineer's trim, as before
    standing = crossing.model_copy(update={"alarms": [alarm.model_copy(update={"already": True, "minute": 0})]})
    assert evaluate(policy, context(standing)).kind == "allow"  # past its alarm before: not this change's doing
    assert "zone_temp already above its alarm limit 215 degC" in standing.line
    unknown = Prediction(modelled=False, why="no model")
    blind = evaluate(policy, context(unknown))  # no prediction: the rule fails closed and says why
    assert blind.kind == "require_approval" and blind.approvers == 2
    assert any("the twin could not predict this change (no model)" in r for r in blind.reasons)
    slow = Policy.from_data({**yaml.safe_load(REPO_POLICY.read_text()), "rules": [
        {"name": "slow", "tools": ["write_setpoint"], "when": {"predicted_settle_minutes": {"above": 25}},
         "deny": "settles too slowly"}]}, source="policy", tools=TOOLS)
    assert evaluate(slow, context(calm.model_copy(update={"settle_minutes": None}))).kind == "deny"  # not within 30
    assert evaluate(slow, context(calm)).kind != "deny"


@pytest.mark.asyncio
async def test_a_change_within_limits_that_the_twin_drives_into_an_alarm_is_denied_with_the_alarm(sim, tmp_path):
    deny = {"name": "no predicted alarms", "tools": ["write_setpoint", "start_machine", "stop_machine"],
            "when": {"predicted_alarm": True}, "deny": "the twin predicts an alarm"}
    settings = CopilotSettings(data_dir=tmp_path, policy_file=policy_with(tmp_path, deny))
    async with Copilot.open(NoModel(), settings=settings, connectors=sim,
                            twin=TwinSettings(file=steep_oven(tmp_path))) as copilot:
        denied = await copilot.call_tool(user("sam"), "write_setpoint", OVEN_UP)  # 190 is inside 140..200
        assert denied.status is Status.denied
        assert "the twin predicts an alarm" in denied.text
        assert "predicted: zone_temp above its alarm limit 215 degC at minute" in denied.text
        assert (await copilot.rt.deps.plc.read("OV-201", "temp_setpoint")).value == 180


@pytest.mark.asyncio
async def test_a_waiting_change_carries_its_dry_run_to_the_card_and_the_chat(sim, tmp_path):
    settings = CopilotSettings(data_dir=tmp_path)
    async with Copilot.open(NoModel(), settings=settings, connectors=sim, twin=TwinSettings()) as copilot:
        waiting = await copilot.call_tool(user("olga"), "write_setpoint", {**OVEN_UP, "value": 185}, key="k")
        assert waiting.status is Status.waiting
        [action] = copilot.pending()
        prediction = action.prediction
        assert prediction.modelled and prediction.courses["zone_temp"][0][0] == 0.0
        zone = prediction.courses["zone_temp"]
        assert zone[0][1] == pytest.approx(180, abs=2) and zone[-1][1] == pytest.approx(185, abs=1.5)
        assert prediction.settle_minutes is not None and prediction.settle_minutes < 30
    script = tmp_path / "script.json"
    script.write_text("[]")
    shown = cli(sim, tmp_path, script, "approvals", "show", action.action_id)
    assert "dry run  twin: " in shown.stdout and "zone_temp → 184" in shown.stdout, shown.stderr
    assert "zone_temp: 179" in shown.stdout or "zone_temp: 180" in shown.stdout  # its course, from the live value


@pytest.mark.asyncio
async def test_after_the_change_the_twins_error_is_what_the_plc_then_read_against_the_prediction(sim, tmp_path):
    control = SimControl(sim)
    settings = CopilotSettings(data_dir=tmp_path)
    try:
        control.advance(60)
        async with Copilot.open(NoModel(), settings=settings, connectors=sim, twin=TwinSettings()) as copilot:
            trim = await copilot.call_tool(user("eli"), "write_setpoint", {**OVEN_UP, "value": 184})  # allowed
            assert trim.status is Status.done, trim.text
            check = copilot.rt.twin_checks.get(trim.action_id)
            assert check is not None and check.status is CheckStatus.waiting
            control.advance(10 * 60)
            assert await copilot.measure_twin() == []  # 10 of its 30 minutes: not yet
            control.advance(21 * 60)
            [measured] = await copilot.measure_twin()
            assert measured.action_id == trim.action_id and measured.status is CheckStatus.measured

            started, run = copilot.rt.twin_checks.dry_run_of(trim.action_id)
            zone = next(t for t in run.trajectories if t.reading == "zone_temp")
            samples = await copilot.history("OV-201", "zone_temp", 40)
            inside = [(t - started, v) for t, v in samples if 0 <= t - started <= 30 * 60]
            predicted = zone.at(np.array([t for t, _ in inside]))  # what the twin said, against what was read
            rmse = math.sqrt(np.mean([(p - v) ** 2 for p, (_, v) in zip(predicted, inside, strict=True)]))
            assert measured.errors["zone_temp"]["rmse"] == pytest.approx(rmse, rel=0.05, abs=0.05)
            assert measured.errors["zone_temp"]["fraction"] == pytest.approx(rmse / 300, rel=0.05, abs=2e-4)
            assert measured.errors["zone_temp"]["samples"] == len(inside)
    finally:
        control.close()
