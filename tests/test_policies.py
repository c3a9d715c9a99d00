"""The policy engine: the demo rules, the rules file format, built-in guards no rule can loosen, who may approve."""

from __future__ import annotations

import contextvars
import copy
import sys
from contextlib import contextmanager

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.settings import ConnectorSettings
from connectors.site import PRODUCT_DEFAULTS
from policies.engine import ApprovalRefused, RefusalReason, check_approver, evaluate, is_satisfied
from policies.model import ActionContext, Allow, Deny, Prediction, RequireApproval, Risk, Role
from policies.rules import Policy, PolicyError
from tools.registry import TOOLS

POLICY = Policy.load(PRODUCT_DEFAULTS / "policy.yaml", tools=TOOLS)
RAW = yaml.safe_load((PRODUCT_DEFAULTS / "policy.yaml").read_text())


CALM = Prediction(modelled=True, settle_minutes=5)  # the twin's dry run: no alarm predicted


def setpoint(**overrides) -> ActionContext:
    base = dict(tool="write_setpoint", risk=Risk.write, requester="olga", role=Role.operator, machine_id="P-101",
                line_id="L1", machine_state="running", tag="speed_setpoint", tag_writable=True, tag_min=1200,
                tag_max=3000, tag_max_step=300, unit="rpm", old_value=2400, new_value=2500, prediction=CALM)
    return ActionContext(**(base | overrides))


def run_command(tool: str, state: str, role: Role = Role.operator) -> ActionContext:
    return ActionContext(tool=tool, risk=Risk.critical, requester="olga", role=role, machine_id="CV-203", line_id="L2",
                         machine_state=state, tag="run", tag_writable=True, run_command=True, tag_min=0, tag_max=1,
                         old_value=1 if tool == "stop_machine" else 0, new_value=0 if tool == "stop_machine" else 1,
                         prediction=CALM)


def order(amount: float | None, role: Role = Role.operator) -> ActionContext:
    return ActionContext(tool="create_purchase_order", risk=Risk.write, requester="x", role=role, amount=amount,
                         quantity=10)


def policy_with(*rules: dict, **changes) -> Policy:
    raw = copy.deepcopy(RAW) | changes
    raw["rules"] = list(rules) + raw["rules"]
    return Policy.from_data(raw, tools=TOOLS)


# --- the demo policy -----------------------------------------------------------------------------------


def test_the_policy_knows_exactly_the_registered_tools():
    assert "known_tools" not in RAW  # the registry says which tools exist
    assert POLICY.tools == tuple(TOOLS)


def test_an_older_file_listing_its_tools_still_runs_only_those_and_names_none_the_registry_lacks():
    listed = Policy.from_data(RAW | {"known_tools": [t for t in TOOLS if t != "stop_machine"]}, tools=TOOLS)
    assert "stop_machine" not in listed.tools
    assert isinstance(evaluate(listed, run_command("stop_machine", "running")), Deny)
    with pytest.raises(PolicyError, match="known_tools: 'format_disk' is not a tool of the registry"):
        Policy.from_data(RAW | {"known_tools": [*TOOLS, "format_disk"]}, tools=TOOLS)


def test_an_unbound_policy_knows_no_tool():
    unbound = Policy.model_validate(RAW)
    assert isinstance(evaluate(unbound, ActionContext(tool="machine_status", risk=Risk.read, requester="a",
                                                      role=Role.admin)), Deny)


def test_reads_are_allowed_for_everyone():
    for role in Role:
        decision = evaluate(POLICY, ActionContext(tool="machine_status", risk=Risk.read, requester="a", role=role))
        assert isinstance(decision, Allow) and decision.rule == "default: read actions"


def test_setpoint_inside_limits_needs_one_supervisor_or_engineer():
    decision = evaluate(POLICY, setpoint())
    assert isinstance(decision, RequireApproval) and decision.approvers == 1
    assert {Role.supervisor, Role.engineer} <= set(decision.roles) and Role.operator not in decision.roles
    assert decision.rule == "setpoint changes"


def lot_action(tool: str, status: str, role: Role = Role.operator) -> ActionContext:
    return ActionContext(tool=tool, risk=Risk.write, requester="olga", role=role, old_value=status,
                         extra={"lot_status": status, "material": "PA66-GF30 granulate"})


def test_a_lot_hold_release_or_issue_needs_a_quality_engineers_or_supervisors_sign_off_and_a_held_lot_no_issue():
    for tool, rule in (("hold_lot", "lot holds"), ("release_lot", "lot releases"), ("issue_lot", "lot issues")):
        for role in (Role.operator, Role.engineer, Role.supervisor):  # whoever asks: one other person signs
            decision = evaluate(POLICY, lot_action(tool, "available" if tool != "release_lot" else "on_hold", role))
            assert isinstance(decision, RequireApproval) and (decision.rule, decision.approvers) == (rule, 1)
            assert set(decision.roles) == {Role.engineer, Role.supervisor, Role.admin}
    refused = evaluate(POLICY, lot_action("issue_lot", "on_hold", Role.supervisor))
    assert isinstance(refused, Deny) and refused.rule == "held lots are not issued"
    assert "release_lot" in refused.reasons[0]


def test_operators_large_steps_need_two_people_and_engineers_small_trims_run():
    assert evaluate(POLICY, setpoint(new_value=2550)).approvers == 1  # exactly half the maximum step
    assert evaluate(POLICY, setpoint(new_value=2700)).approvers == 2
    assert evaluate(POLICY, setpoint(new_value=2700, role=Role.supervisor)).approvers == 1
    assert isinstance(evaluate(POLICY, setpoint(new_value=2550, role=Role.engineer)), Allow)
    assert isinstance(evaluate(POLICY, setpoint(new_value=2700, role=Role.engineer)), RequireApproval)


def test_fill_volume_always_needs_two_people():
    fill = setpoint(machine_id="FL-202", tag="fill_setpoint", tag_min=480, tag_max=520, tag_max_step=5, unit="ml",
                    old_value=500, new_value=501, role=Role.engineer)
    assert evaluate(POLICY, fill).approvers == 2


def test_a_faulted_machine_takes_no_setpoint_and_no_start():
    assert evaluate(POLICY, setpoint(machine_state="faulted")).rule == "no setpoint changes on a faulted machine"
    assert isinstance(evaluate(POLICY, run_command("start_machine", "faulted")), Deny)


def test_start_and_stop():
    start = evaluate(POLICY, run_command("start_machine", "stopped"))
    assert isinstance(start, RequireApproval) and start.approvers == 2
    assert "already running" in evaluate(POLICY, run_command("start_machine", "running")).summary()
    stop = evaluate(POLICY, run_command("stop_machine", "running", Role.admin))
    assert isinstance(stop, RequireApproval) and stop.approvers == 2
    assert "already stopped" in evaluate(POLICY, run_command("stop_machine", "stopped")).summary()


def test_a_run_write_needs_two_approvers_whichever_tool_and_policy():
    run_tag = dict(tag="run", run_command=True, tag_min=0, tag_max=1, tag_max_step=None, unit="", machine_id="CV-203")
    stop_by_setpoint = setpoint(**run_tag, old_value=1, new_value=0, role=Role.engineer)
    assert evaluate(POLICY, stop_by_setpoint).rule == "run commands are not setpoints"
    allow_all = policy_with({"name": "anything goes", "tools": ["*"], "allow": "trust everyone"})
    decision = evaluate(allow_all, stop_by_setpoint)
    assert isinstance(decision, RequireApproval) and decision.approvers == 2
    assert isinstance(evaluate(allow_all, run_command("start_machine", "stopped")), RequireApproval)


def test_purchase_orders_by_amount_and_role():
    assert isinstance(evaluate(POLICY, order(300, Role.supervisor)), Allow)
    assert evaluate(POLICY, order(500.01, Role.supervisor)).approvers == 1
    assert evaluate(POLICY, order(300)).approvers == 1
    assert evaluate(POLICY, order(5000)).approvers == 1
    assert evaluate(POLICY, order(5000.01, Role.admin)).approvers == 2
    assert evaluate(POLICY, order(None, Role.supervisor)).approvers == 1  # an unknown amount is not "small"


def test_work_orders_run_except_urgent_ones_by_operators():
    def work_order(priority: str, role: Role = Role.operator) -> ActionContext:
        return ActionContext(tool="create_work_order", risk=Risk.write, requester="olga", role=role,
                             arguments={"machine_id": "P-101", "title": "noise", "priority": priority})

    assert all(isinstance(evaluate(POLICY, work_order(p)), Allow) for p in ("low", "medium", "high"))
    assert isinstance(evaluate(POLICY, work_order("urgent")), RequireApproval)
    assert isinstance(evaluate(POLICY, work_order("urgent", Role.supervisor)), Allow)


def test_production_order_changes():
    def change(status: str) -> ActionContext:
        return ActionContext(tool="change_production_order", risk=Risk.write, requester="olga", role=Role.operator,
                             line_id="L2", quantity=9000, extra={"order_status": status, "produced": 7420})

    assert evaluate(POLICY, change("in_progress")).approvers == 1
    assert isinstance(evaluate(POLICY, change("done")), Deny)


# --- the built-in guards, with reasons people understand -------------------------------------------------


def test_out_of_limits_writes_are_denied_with_reasons():
    assert evaluate(POLICY, setpoint(old_value=2900, new_value=3100)).reasons == [
        "P-101 speed_setpoint 3100 rpm is above the limit 3000 rpm"
    ]
    assert "below the limit 1200 rpm" in evaluate(POLICY, setpoint(old_value=1300, new_value=1100)).summary()
    [step] = evaluate(POLICY, setpoint(new_value=2800)).reasons
    assert step.startswith("P-101 speed_setpoint would change by 400 rpm (2400 → 2800 rpm), more than the maximum "
                           "step of 300 rpm")
    assert "allow-list" in evaluate(POLICY, setpoint(tag="vibration", tag_writable=False)).summary()
    assert "allow-list" in evaluate(POLICY, setpoint(tag_writable=None)).summary()


def test_writes_that_cannot_be_checked_are_denied():
    for ctx, words in (
        (setpoint(old_value=None), "current value of P-101 speed_setpoint is unknown"),
        (setpoint(new_value=None), "no numeric new value"),
        (setpoint(new_value=float("nan")), "not a finite number"),
        (setpoint(new_value=float("inf")), "not a finite number"),
        (setpoint(old_value=float("nan")), "current value of P-101 speed_setpoint is unknown"),
        (setpoint(tag_max=None), "no engineering limits"),
    ):
        decision = evaluate(POLICY, ctx)
        assert isinstance(decision, Deny) and words in decision.summary(), ctx
        assert decision.rule == "built-in: plant limits"


def test_unknown_tools_are_denied_and_the_policy_knows_the_tools_it_is_bound_to():
    decision = evaluate(POLICY, ActionContext(tool="format_disk", risk=Risk.read, requester="a", role=Role.admin))
    assert isinstance(decision, Deny) and "'format_disk' is not one of the plant's tools" in decision.reasons[0]
    status = ActionContext(tool="machine_status", risk=Risk.read, requester="a", role=Role.admin)
    reads = {**RAW, "rules": []}
    assert isinstance(evaluate(Policy.from_data(reads, tools=["tag_history"]), status), Deny)
    assert isinstance(evaluate(Policy.from_data(reads, tools=["machine_status"]), status), Allow)


def test_a_rule_cannot_let_a_critical_action_through_alone():
    loose = policy_with({"name": "just do it", "tools": ["stop_machine"], "allow": "fine"},
                        {"name": "one is enough", "risk": ["critical"], "when": {"role": ["supervisor"]},
                         "require_approval": {"roles": ["supervisor"], "approvers": 1, "reason": "r"}})
    allowed = evaluate(loose, run_command("stop_machine", "running"))
    assert isinstance(allowed, RequireApproval) and allowed.approvers == 2
    assert "'just do it' would allow it" in allowed.summary()
    # the first rule wins, so move it away to reach the second
    one = Policy.from_data(RAW | {"rules": [loose.rules[1].model_dump(exclude_none=True)]}, tools=TOOLS)
    assert evaluate(one, run_command("stop_machine", "running", Role.supervisor)).approvers == 2


# --- the rules file: conditions, selectors, order, errors ------------------------------------------------


def test_rules_select_by_glob_and_risk_class_and_the_first_that_applies_decides():
    policy = policy_with(
        {"name": "night shift on L2", "risk": ["write", "critical"], "when": {"line": ["L2"], "role": ["operator"]},
         "deny": "no changes on L2 by operators tonight"},
        {"name": "creating", "tools": ["create_*"], "deny": "purchasing is closed"},
    )
    assert evaluate(policy, order(10)).rule == "creating"
    assert evaluate(policy, run_command("start_machine", "stopped")).rule == "night shift on L2"
    assert evaluate(policy, setpoint()).rule == "setpoint changes"  # L1
    assert isinstance(evaluate(policy, ActionContext(tool="inventory", risk=Risk.read, requester="a",
                                                     role=Role.operator, line_id="L2")), Allow)


@pytest.mark.parametrize(
    ("when", "holds", "fails"),
    [
        ({"step_fraction_of_range": {"above": 0.1}}, {"new_value": 2600}, {"new_value": 2500}),  # range 1800
        ({"step": {"at_least": 150}}, {"new_value": 2550}, {"new_value": 2549}),
        ({"new_value": {"above": 2450, "below": 2600}}, {"new_value": 2500}, {"new_value": 2600}),
        ({"machine": ["P-101"], "tag": ["speed_setpoint"]}, {}, {"machine_id": "FL-202"}),
        ({"machine_state": ["stopped"]}, {"machine_state": "stopped"}, {"machine_state": None}),
        ({"arguments": {"value": 2500}}, {"arguments": {"value": 2500.0}}, {"arguments": {"value": "2500"}}),
        ({"arguments": {"force": True}}, {"arguments": {"force": True}}, {"arguments": {"force": 1}}),
        ({"arguments": {"value": {"above": 2000}}}, {"arguments": {"value": 2500}}, {"arguments": {}}),
        ({"facts": {"batch": ["A", "B"]}}, {"extra": {"batch": "B"}}, {"extra": {"batch": "C"}}),
        ({"facts": {"note": None}}, {"extra": {}}, {"extra": {"note": "x"}}),
    ],
)
def test_each_condition_holds_and_fails(when, holds, fails):
    policy = policy_with({"name": "probe", "tools": ["write_setpoint"], "when": when, "deny": "probe"})
    assert evaluate(policy, setpoint(**holds)).rule == "probe"
    assert evaluate(policy, setpoint(**fails)).rule != "probe"


def bad(mutate) -> str:
    raw = copy.deepcopy(RAW)
    mutate(raw)
    with pytest.raises(PolicyError) as err:
        Policy.from_data(raw, "config/policy.yaml", tools=TOOLS)
    return str(err.value)


def test_policy_file_errors_name_the_rule_and_the_field():
    at = [r["name"] for r in RAW["rules"]].index("large steps by operators")
    message = bad(lambda raw: raw["rules"][at]["when"].update(step_fraction_above=0.5))
    assert f"rule 'large steps by operators' (rules[{at}]), field when.step_fraction_above: unknown field" in message
    assert "exactly one of allow, require_approval, deny (got allow, require_approval)" in bad(
        lambda raw: raw["rules"][0].update(allow="and allow too"))
    assert "rule 'work orders': tools entry 'create_wrk_order' matches no known tool" in bad(
        lambda raw: raw["rules"][1].update(tools=["create_wrk_order"]))
    assert "rules[0] (a rule without a name)" in bad(lambda raw: raw["rules"][0].pop("name"))
    assert "another rule has the same name" in bad(lambda raw: raw["rules"][1].update(name=raw["rules"][0]["name"]))
    assert "say which actions the rule is for" in bad(lambda raw: raw["rules"][0].pop("tools"))
    assert "field when.role.0: Input should be 'operator'" in bad(
        lambda raw: raw["rules"][0]["when"].update(role=["visitor"]))
    assert "at least 2 approvers" in bad(
        lambda raw: raw["defaults"]["critical"]["require_approval"].update(approvers=1))
    assert "at least one of above" in bad(lambda raw: raw["rules"][3]["when"].update(amount={}))
    assert "defaults.write: Field required" in bad(lambda raw: raw["defaults"].pop("write"))


def test_policy_file_that_cannot_be_read(tmp_path):
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        Policy.load(tmp_path / "missing.yaml", tools=TOOLS)
    (tmp_path / "broken.yaml").write_text("rules: [\n")
    with pytest.raises(PolicyError, match="is not valid YAML"):
        Policy.load(tmp_path / "broken.yaml", tools=TOOLS)
    (tmp_path / "list.yaml").write_text("- a\n")
    with pytest.raises(PolicyError, match="expected a mapping"):
        Policy.load(tmp_path / "list.yaml", tools=TOOLS)


# --- who may approve -------------------------------------------------------------------------------------


def test_approvers():
    decision = RequireApproval(roles=[Role.supervisor], approvers=2, reasons=["r"])
    for approver, role, before, reason in (
        ("sam", Role.supervisor, [], RefusalReason.own_action),
        (" SAM ", Role.supervisor, [], RefusalReason.own_action),
        ("eli", Role.engineer, [], RefusalReason.wrong_role),
        ("sara", Role.supervisor, ["Sara"], RefusalReason.already_approved),
        ("ada", Role.supervisor, ["sara", "tom"], RefusalReason.complete),
        ("  ", Role.supervisor, [], RefusalReason.no_name),
    ):
        with pytest.raises(ApprovalRefused) as err:
            check_approver(decision, "sam", approver, role, before)
        assert err.value.reason is reason
    with pytest.raises(ApprovalRefused, match="eli is an engineer; this action needs approval by a supervisor"):
        check_approver(decision, "sam", "eli", Role.engineer, [])
    check_approver(decision, "olga", "sara", Role.supervisor, ["sam"])
    assert not is_satisfied(decision, ["sam", "SAM "]) and is_satisfied(decision, ["sam", "sara"])
    assert not is_satisfied(decision, ["olga", "sam"], requester="Olga")


# --- properties, for any policy an admin could write ------------------------------------------------------

KNOWN = list(TOOLS)
ROLES = st.sampled_from(list(Role))
outcomes = st.one_of(
    st.builds(lambda r: {"allow": r}, st.just("ok")),
    st.builds(lambda r: {"deny": r}, st.just("no")),
    st.builds(lambda roles, n: {"require_approval": {"roles": roles, "approvers": n, "reason": "sign"}},
              st.lists(ROLES, min_size=1, max_size=4, unique=True), st.integers(1, 5)),
)
whens = st.fixed_dictionaries({}, optional={
    "role": st.lists(ROLES, min_size=1, unique=True),
    "machine_state": st.lists(st.sampled_from(["running", "stopped", "faulted"]), min_size=1, unique=True),
    "step_fraction_of_max_step": st.builds(lambda x: {"above": x}, st.floats(0, 2)),
    "new_value": st.builds(lambda x: {"at_most": x}, st.floats(-1e4, 1e4)),
})
rules = st.builds(
    lambda i, tools, risk, when, outcome: {"name": f"r{i}", **tools, **risk, "when": when, **outcome},
    st.integers(),
    st.one_of(st.just({}), st.builds(lambda t: {"tools": t}, st.lists(st.sampled_from([*KNOWN, "*", "*_machine"]),
                                                                       min_size=1))),
    st.one_of(st.just({"risk": list(Risk)}), st.builds(lambda r: {"risk": r}, st.lists(st.sampled_from(list(Risk)),
                                                                                        min_size=1, unique=True))),
    whens,
    outcomes,
)
policies = st.builds(
    lambda rs: Policy.from_data(RAW | {"rules": [r | {"name": f"r{i}"} for i, r in enumerate(rs)]}, tools=TOOLS),
    st.lists(rules, max_size=6),
)
numbers = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.floats(-500, 4000),
                    st.sampled_from([0.0, 1.0]))
WRITABLE = [t for m in ConnectorSettings().load_plant().machines.values() for t in m.tags.values() if t.writable]


def plant_write(tag, **facts) -> ActionContext:
    """A write to one of the plant file's writable tags, its limits as the plant file has them."""
    return setpoint(machine_id=tag.machine_id, tag=tag.name, tag_min=tag.min, tag_max=tag.max,
                    tag_max_step=tag.max_step, unit=tag.unit, run_command=tag.is_run_command, **facts)


writes = st.builds(
    plant_write,
    st.sampled_from(WRITABLE),  # every writable tag, the run commands included
    tool=st.sampled_from(["write_setpoint", "start_machine", "stop_machine"]),
    risk=st.sampled_from([Risk.write, Risk.critical]),
    role=ROLES,
    machine_state=st.sampled_from(["running", "stopped", "faulted", None]),
    tag_writable=st.one_of(st.none(), st.booleans()),
    old_value=numbers,
    new_value=numbers,
)


def in_bounds(ctx: ActionContext) -> bool:
    new, old = ctx.new_value, ctx.old_value
    return bool(
        ctx.tag_writable
        and new is not None and ctx.tag_min <= new <= ctx.tag_max
        and (ctx.tag_max_step is None or (old is not None and abs(new - old) <= ctx.tag_max_step))
    )


@settings(max_examples=200, deadline=None)
@given(policies, writes)
def test_no_policy_lets_a_write_outside_the_plant_limits_run_or_wait(policy, ctx):
    decision = evaluate(policy, ctx)
    if not in_bounds(ctx):
        assert isinstance(decision, Deny) and decision.rule == "built-in: plant limits"
    if ctx.risk is Risk.critical or ctx.run_command:  # a start or stop is critical whichever tool writes it
        assert not isinstance(decision, Allow)
        assert not isinstance(decision, RequireApproval) or decision.approvers >= 2


@settings(max_examples=100, deadline=None)
@given(policies, st.text(min_size=1, max_size=30).filter(lambda t: t not in KNOWN), st.sampled_from(list(Risk)),
       ROLES)
def test_under_any_policy_an_unknown_tool_is_denied(policy, tool, risk, role):
    decision = evaluate(policy, ActionContext(tool=tool, risk=risk, requester="a", role=role))
    assert isinstance(decision, Deny) and decision.rule == "built-in: unknown tool"


@settings(max_examples=100, deadline=None)
@given(policies, st.sampled_from(KNOWN), ROLES, st.one_of(st.none(), st.floats(0, 1e5)))
def test_under_any_policy_a_critical_action_needs_two_people(policy, tool, role, amount):
    ctx = ActionContext(tool=tool, risk=Risk.critical, requester="a", role=role, amount=amount)
    decision = evaluate(policy, ctx)
    assert isinstance(decision, Deny) or (isinstance(decision, RequireApproval) and decision.approvers >= 2)


names = st.text(alphabet="abcSAM ", min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(names, st.sampled_from(["", " ", "\t "]), st.sampled_from([str.upper, str.lower, str.title]), ROLES,
       st.lists(names, max_size=3), st.lists(ROLES, min_size=1, unique=True), st.integers(1, 5))
def test_check_approver_never_accepts_the_requester(requester, pad, case, role, before, roles, n):
    decision = RequireApproval(roles=roles, approvers=n, reasons=["r"])
    with pytest.raises(ApprovalRefused):
        check_approver(decision, requester, pad + case(requester) + pad, role, before)
    assert not is_satisfied(decision, [requester] * 5 + [case(requester)], requester=requester)


_in_evaluate = contextvars.ContextVar("in_evaluate", default=False)
_IO_EVENTS = ("open", "socket.", "subprocess.", "os.", "shutil.", "sqlite3.", "urllib.", "http.", "time.sleep")


def _no_io(event: str, args: tuple) -> None:
    if _in_evaluate.get() and event.startswith(_IO_EVENTS):
        raise AssertionError(f"the policy engine did I/O: {event} {args!r:.200}")


sys.addaudithook(_no_io)  # a hook stays for the process; it acts only inside `no_io()`


@contextmanager
def no_io():
    token = _in_evaluate.set(True)
    try:
        yield
    finally:
        _in_evaluate.reset(token)


def test_the_io_guard_itself_catches_io(tmp_path):
    with pytest.raises(AssertionError, match="did I/O: open"), no_io():
        (tmp_path / "x").write_text("x")


@settings(max_examples=150, deadline=None)
@given(policies, st.one_of(writes, st.builds(order, st.floats(0, 1e4), ROLES)))
def test_evaluation_is_pure(policy, ctx):
    before = repr(ctx.model_dump())
    with no_io():
        first, second = evaluate(policy, ctx), evaluate(policy, ctx)
    assert first == second
    assert repr(ctx.model_dump()) == before
