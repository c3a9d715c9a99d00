"""The policy engine: rules from the file, built-in guards no rule can loosen, who may approve."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from connectors.settings import REPO_CONFIG
from policies.engine import ApprovalRefused, check_approver, evaluate, is_satisfied
from policies.model import ActionContext, Allow, Deny, RequireApproval, Risk, Role
from policies.rules import Policy

POLICY = Policy.load(REPO_CONFIG / "policy.yaml")


def setpoint(**overrides) -> ActionContext:
    base = dict(tool="write_setpoint", risk=Risk.write, requester="olga", role=Role.operator, machine_id="P-101",
                machine_state="running", tag="speed_setpoint", tag_writable=True, tag_min=1200, tag_max=3000,
                tag_max_step=300, old_value=2400, new_value=2500)
    return ActionContext(**(base | overrides))


def order(amount: float, role: Role = Role.operator) -> ActionContext:
    return ActionContext(tool="create_purchase_order", risk=Risk.write, requester="x", role=role, amount=amount)


def test_reads_are_allowed():
    assert isinstance(evaluate(POLICY, ActionContext(tool="machine_status", risk=Risk.read, requester="olga",
                                                     role=Role.operator)), Allow)


def test_setpoint_inside_limits_needs_one_supervisor():
    decision = evaluate(POLICY, setpoint())
    assert isinstance(decision, RequireApproval) and decision.approvers == 1 and Role.supervisor in decision.roles


def test_large_step_needs_two_and_over_step_is_denied():
    assert evaluate(POLICY, setpoint(new_value=2700)).approvers == 2
    denied = evaluate(POLICY, setpoint(new_value=2800))
    assert isinstance(denied, Deny) and "maximum step 300" in denied.reasons[0]


def test_outside_limits_and_not_writable_are_denied_with_reasons():
    assert "above the limit 3000" in evaluate(POLICY, setpoint(old_value=2900, new_value=3100)).summary()
    assert "allow-list" in evaluate(POLICY, setpoint(tag="vibration", tag_writable=False)).summary()


def test_faulted_machine_setpoint_is_denied():
    assert isinstance(evaluate(POLICY, setpoint(machine_state="faulted")), Deny)


def test_purchase_orders_by_amount_and_role():
    assert isinstance(evaluate(POLICY, order(300, Role.supervisor)), Allow)
    assert evaluate(POLICY, order(300)).approvers == 1
    assert evaluate(POLICY, order(9000, Role.admin)).approvers == 2


def test_unknown_tool_is_denied():
    decision = evaluate(POLICY, ActionContext(tool="format_disk", risk=Risk.read, requester="a", role=Role.admin))
    assert isinstance(decision, Deny) and "unknown tool" in decision.reasons[0]


def test_a_rule_cannot_let_a_critical_action_through_with_one_approver(tmp_path):
    raw = yaml.safe_load((REPO_CONFIG / "policy.yaml").read_text())
    raw["tools"]["stop_machine"] = [{"allow": "just do it"}]
    loose = Policy.model_validate(raw)
    ctx = ActionContext(tool="stop_machine", risk=Risk.critical, requester="a", role=Role.admin, tag="run",
                        tag_writable=True, tag_min=0, tag_max=1, old_value=1, new_value=0, machine_id="CV-203")
    decision = evaluate(loose, ctx)
    assert isinstance(decision, RequireApproval) and decision.approvers == 2


def test_policy_file_errors_name_the_rule():
    raw = yaml.safe_load((REPO_CONFIG / "policy.yaml").read_text())
    raw["tools"]["write_setpoint"][1]["when"]["step_size_above"] = 3
    with pytest.raises(ValidationError) as err:
        Policy.model_validate(raw)
    assert "tools.write_setpoint.1" in str(err.value)
    raw = yaml.safe_load((REPO_CONFIG / "policy.yaml").read_text())
    raw["tools"]["start_machine"][0]["allow"] = "and deny too"
    with pytest.raises(ValidationError, match="exactly one"):
        Policy.model_validate(raw)


def test_approvers():
    decision = RequireApproval(roles=[Role.supervisor], approvers=2, reasons=["r"])
    with pytest.raises(ApprovalRefused, match="cannot approve"):
        check_approver(decision, "sam", "sam", Role.supervisor, [])
    with pytest.raises(ApprovalRefused, match="needs approval by supervisor"):
        check_approver(decision, "olga", "eli", Role.engineer, [])
    with pytest.raises(ApprovalRefused, match="already approved"):
        check_approver(decision, "olga", "sam", Role.supervisor, ["sam"])
    check_approver(decision, "olga", "sara", Role.supervisor, ["sam"])
    assert not is_satisfied(decision, ["sam", "sam"]) and is_satisfied(decision, ["sam", "sara"])


writes = st.builds(
    setpoint,
    role=st.sampled_from(list(Role)),
    tag_writable=st.booleans(),
    old_value=st.one_of(st.none(), st.floats(0, 4000)),
    new_value=st.floats(-1000, 5000),
    machine_state=st.sampled_from(["running", "stopped", "faulted", None]),
    tool=st.sampled_from(["write_setpoint", "start_machine", "stop_machine"]),
    risk=st.sampled_from([Risk.write, Risk.critical]),
)


@settings(max_examples=400, deadline=None)
@given(writes)
def test_no_write_outside_the_plant_limits_is_ever_allowed_or_queued(ctx):
    decision = evaluate(POLICY, ctx)
    in_bounds = (
        ctx.tag_writable
        and ctx.tag_min <= ctx.new_value <= ctx.tag_max
        and ctx.old_value is not None
        and abs(ctx.new_value - ctx.old_value) <= ctx.tag_max_step
    )
    if not in_bounds:
        assert isinstance(decision, Deny)
    if ctx.risk is Risk.critical and isinstance(decision, RequireApproval):
        assert decision.approvers >= 2
    assert evaluate(POLICY, ctx) == decision  # pure: same input, same answer


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=30).filter(lambda t: t not in POLICY.known_tools), st.sampled_from(list(Risk)),
       st.sampled_from(list(Role)))
def test_any_unknown_tool_is_denied(tool, risk, role):
    assert isinstance(evaluate(POLICY, ActionContext(tool=tool, risk=risk, requester="a", role=role)), Deny)
