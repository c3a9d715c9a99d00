"""Forms from the procedures' typed slots, on each shipped plant: their choices are the plant's own values, a
setpoint shows its unit and limits; what a person fills in is checked with one clear line per bad field, and
nothing of it is lost. Owners in the policy file: validated, and carried by the decisions they make."""

from __future__ import annotations

import copy

import pytest

from connectors.plant import Plant, load_plant
from connectors.site import PLANTS, PRODUCT_DEFAULTS
from copilot.procedures.fitting import fitted_to
from copilot.procedures.form_input import read_form
from copilot.procedures.forms import Form, forms_of
from copilot.procedures.spec import Procedures, SlotKind
from policies.engine import evaluate
from policies.model import ActionContext, Risk, Role
from policies.rules import Policy, PolicyError
from tools.registry import TOOLS

PROCEDURES = Procedures.load(PRODUCT_DEFAULTS / "procedures.yaml", TOOLS)
SITES = ("riverside", "dyehouse")


def forms(site: str) -> tuple[Plant, dict[str, Form]]:
    plant = load_plant(PLANTS / site / "plant.yaml")
    return plant, {f.procedure: f for f in forms_of(fitted_to(PROCEDURES, plant), plant)}


@pytest.mark.parametrize("site", SITES)
def test_every_procedure_is_a_form_whose_choices_are_the_plants_own(site: str) -> None:
    plant, by_name = forms(site)
    procedures = fitted_to(PROCEDURES, plant)
    assert list(by_name) == procedures.names
    expected = {
        SlotKind.machine: list(plant.machines),
        SlotKind.part: [p.id for p in plant.parts],
        SlotKind.supplier: [s.id for s in plant.suppliers],
        SlotKind.line: [line.id for line in plant.lines],
        SlotKind.production_order: [o.id for o in plant.production_orders],
        SlotKind.product: [p.id for p in plant.products],
    }
    seen = set()
    for form in by_name.values():
        spec = procedures.get(form.procedure)
        assert [f.name for f in form.fields] == list(spec.slots)
        assert [f.required for f in form.fields] == [s.required for s in spec.slots.values()]
        for field in form.fields:
            if field.kind in expected:
                assert [c.value for c in field.choices] == expected[field.kind], (form.procedure, field.name)
                seen.add(field.kind)
    assert seen >= {SlotKind.machine, SlotKind.part, SlotKind.supplier, SlotKind.line}
    part = plant.parts[0]
    assert by_name["order_part"].field("part").choice(part.id.lower()).label == f"{part.id} — {part.name}"


@pytest.mark.parametrize("site", SITES)
def test_a_setpoint_shows_its_unit_and_write_limits_from_the_plant_file(site: str) -> None:
    plant, by_name = forms(site)
    form = by_name["change_setpoints"]
    for machine in plant.machines.values():
        shown = {p.tag: p for p in form.setpoints.get(machine.id, ())}
        assert list(shown) == [t.name for t in machine.setpoints]
        for tag in machine.setpoints:
            point = shown[tag.name]
            assert (point.unit, point.low, point.high, point.max_step) == (tag.unit, tag.min, tag.max, tag.max_step)
            if tag.min is not None and tag.max is not None:
                assert point.limits.startswith(f"{tag.min:g} to {tag.max:g}")


@pytest.mark.parametrize("site", SITES)
def test_good_values_become_the_slots_and_a_request_in_words(site: str) -> None:
    plant, by_name = forms(site)
    part, supplier = plant.parts[0], plant.parts[0].offers[0].supplier
    order = read_form(by_name["order_part"], {"part": part.id, "quantity": "6", "supplier": supplier})
    assert order.ok and order.slots == {"part": part.id, "quantity": 6, "supplier": supplier}
    assert order.request == f"Order part (form): part {part.id}, quantity 6, supplier {supplier}"
    machine = next(m for m in plant.machines.values() if m.setpoints)
    tag = machine.setpoints[0]
    change = read_form(by_name["change_setpoints"], {"machine": machine.id, "changes": f"{tag.name}={tag.max:g}"})
    assert change.ok, change.problems
    assert change.slots["changes"] == [{"tag": tag.name, "to": tag.max, "by": None, "percent": None}]


def test_each_bad_field_gets_one_line_that_names_it_and_the_values_stay_as_typed() -> None:
    plant, by_name = forms("riverside")
    typed = {"machine": "OV-201", "symptom": "x" * 200, "priority": "soonish", "order_spare_parts": "perhaps",
             "part": "BRG-9999", "quantity": "-3", "colour": "blue"}
    kept = copy.deepcopy(typed)
    problems = read_form(by_name["report_to_maintenance"], typed).problems
    assert typed == kept  # nothing the person typed is changed or dropped
    assert [line.split(":")[0] for line in problems] == ["colour", "symptom", "priority", "order spare parts",
                                                         "part", "quantity"]
    assert all("\n" not in line for line in problems)
    assert "at most 120 characters are taken; this has 200" in problems[1]
    assert problems[2].startswith("priority: the plant has no 'soonish'; choose one of low, medium, high, urgent")
    assert problems[3] == "order spare parts: yes or no is needed, not 'perhaps'"
    assert problems[5] == "quantity: a whole number of 0 or more is needed, not '-3'"
    assert read_form(by_name["order_part"], {}).problems == ("part: required — Which part should I order "
                                                            "(part number)?",)


def test_a_setpoint_change_is_checked_against_its_machine_and_limits() -> None:
    _, by_name = forms("riverside")
    form = by_name["change_setpoints"]
    lines = {value: read_form(form, {"machine": "OV-201", "changes": value}).problems for value in
             ("temp_setpoint=250", "speed_setpoint=2000", "temp_setpoint=hot", "temp_setpoint")}
    assert lines["temp_setpoint=250"] == ("changes: OV-201 temperature setpoint 250 °C is outside its limits: it may "
                                          "be set from 140 to 200 °C, up to 10 °C a change",)
    assert lines["speed_setpoint=2000"] == ("changes: OV-201 has no setpoint 'speed_setpoint'; its setpoints are "
                                            "temp_setpoint",)
    assert lines["temp_setpoint=hot"] == ("changes: OV-201 temperature setpoint takes a number, not 'hot'",)
    assert lines["temp_setpoint"][0].startswith("changes: the new value of OV-201 temperature setpoint is missing")
    assert read_form(form, {"changes": "temp_setpoint=170"}).problems[-1] == \
        "changes: choose the machine first: its setpoints are the ones that may change"
    trend = by_name["tag_history_trend"]
    assert read_form(trend, {"machine": "OV-201", "tag": "zone_temp"}).ok
    assert read_form(trend, {"machine": "OV-201", "tag": "vibration"}).problems[0].startswith(
        "tag: OV-201 has no tag 'vibration'; its tags are ")


POLICY = {"defaults": {"read": {"allow": "reads"},
                       "write": {"require_approval": {"roles": ["supervisor"], "reason": "writes"}},
                       "critical": {"deny": "never"}},
          "rules": [{"name": "orders", "tools": ["create_purchase_order"], "owner": "purchasing",
                     "require_approval": {"roles": ["supervisor"], "reason": "money"}},
                    {"name": "no fill changes", "tools": ["write_setpoint"], "when": {"tag": ["fill_setpoint"]},
                     "deny": "the fill is fixed"}],
          "procedures": {"change_setpoints": {"owner": "process engineering"}}}


@pytest.mark.parametrize("owner", ["", "x", "a\nb", ["a", "b"], 7, "o" * 81])
def test_a_bad_owner_is_one_clear_error_naming_the_rule_and_the_field(owner) -> None:
    data = copy.deepcopy(POLICY)
    data["rules"][0]["owner"] = owner
    with pytest.raises(PolicyError) as refused:
        Policy.from_data(data, source="policy.yaml", tools=TOOLS)
    lines = str(refused.value).splitlines()
    assert lines[0] == "policy.yaml is not a valid policy:"
    assert len(lines) == 2 and lines[1].strip().startswith("rule 'orders' (rules[0]), field owner: ")


def test_a_procedures_owner_must_name_a_procedure_of_the_procedures_file() -> None:
    policy = Policy.from_data(POLICY, tools=TOOLS)
    policy.check_procedures(PROCEDURES.names)
    stranger = r"procedures: 'change_setpoints' is no procedure of the procedures file \(procedures: a, b\)"
    with pytest.raises(PolicyError, match=stranger):
        policy.check_procedures(["a", "b"])
    bad = copy.deepcopy(POLICY) | {"procedures": {"change_setpoints": {"owner": ""}}}
    with pytest.raises(PolicyError, match=r"procedures\.change_setpoints\.owner"):
        Policy.from_data(bad, tools=TOOLS)


def _context(tool: str, risk: Risk, procedure: str | None, **facts) -> ActionContext:
    return ActionContext(tool=tool, risk=risk, requester="olga", role=Role.operator, procedure=procedure, **facts)


def test_a_decision_carries_its_rules_owner_else_its_procedures() -> None:
    policy = Policy.from_data(POLICY, tools=TOOLS)
    order = evaluate(policy, _context("create_purchase_order", Risk.write, "change_setpoints", amount=10))
    assert (order.rule, order.owner) == ("orders", "purchasing")  # the rule's own owner first
    setpoint = dict(machine_id="FL-202", tag="fill_setpoint", tag_writable=True, tag_min=0, tag_max=1000,
                    old_value=500, new_value=505)
    denied = evaluate(policy, _context("write_setpoint", Risk.write, "change_setpoints", **setpoint))
    assert (denied.kind, denied.owner) == ("deny", "process engineering")
    assert denied.summary() == "denied: the fill is fixed (owner: process engineering)"
    assert evaluate(policy, _context("write_setpoint", Risk.write, None, **setpoint)).owner is None
    assert evaluate(policy, _context("machine_status", Risk.read, "change_setpoints")).owner is None
