"""Procedures run from their forms on the real simulator of each shipped plant, with no model: the same run as the
chat's (its conversation, its steps, the gate, the queue with the owners, the ledger, the audit log), resumed when
a supervisor signs off, so the ERP holds the order and the PLC the new value. The chat offers the form when the
procedure asks back, and when the model is off, down or too slow."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from connectors.erp import ErpClient
from connectors.plc import open_plc
from connectors.settings import ConnectorSettings
from connectors.site import PLANTS, PRODUCT_DEFAULTS
from copilot import AuditKind, Copilot, FormRejected, OfferReason, Origin, Proposal, Result, Status, Waiting
from copilot.identity.users import UserDirectory
from copilot.llm import LLMSettings, NoModel, make_chat_model
from copilot.procedures import SlotKind
from copilot.settings import CopilotSettings
from policies.rules import PolicyError
from simulator.process import free_ports, running_simulator, settings_env
from twin.settings import TwinSettings
from ui.cli import app

PEOPLE = {"riverside": ("olga", "sam"), "dyehouse": ("priya", "helen")}


@pytest.fixture(scope="module")
def dyehouse_server(tmp_path_factory) -> Iterator[ConnectorSettings]:
    with running_simulator(tmp_path_factory.mktemp("sim-dyehouse"), plant_file=PLANTS / "dyehouse" / "plant.yaml") \
            as sim:
        yield sim


@pytest.fixture(params=list(PEOPLE))
def site(request) -> tuple[str, ConnectorSettings]:
    """Each shipped plant's simulator, back at its start."""
    sim = request.getfixturevalue("sim_server" if request.param == "riverside" else "dyehouse_server")
    assert httpx.post(f"{sim.sim_url}/reset", timeout=30).status_code == 200
    return request.param, sim


@contextlib.asynccontextmanager
async def opened(name: str, sim: ConnectorSettings, data: Path, model=None) -> AsyncIterator[Copilot]:
    settings = CopilotSettings(site_dir=PLANTS / name, data_dir=data)
    async with Copilot.open(model or NoModel(), settings=settings, connectors=sim,
                            twin=TwinSettings(site_dir=PLANTS / name)) as copilot:
        yield copilot


def people(name: str):
    users = UserDirectory.load(PLANTS / name / "users.yaml")
    return [users.get(n) for n in PEOPLE[name]]


async def live(sim: ConnectorSettings, machine: str, tag: str) -> float:
    async with open_plc(sim, sim.load_plant(), "opcua") as plc:
        return float((await plc.read(machine, tag)).value)


async def sign_off(copilot: Copilot, action_id: str, names: list) -> list:
    """Approve with each person in turn until the action is no longer waiting; the resumed steps."""
    steps: list = []
    for person in names:
        if all(a.action_id != action_id for a in copilot.pending()):
            break
        steps += (await copilot.approve(action_id, person, "checked on the form"))[1]
    return steps


async def test_a_part_ordered_from_a_form_waits_with_its_owner_and_is_placed_once_approved(site, tmp_path):
    name, sim = site
    operator, supervisor = people(name)
    async with opened(name, sim, tmp_path) as copilot:
        part = copilot.plant.parts[0]
        done = await copilot.run_form(operator, "order_part", {"part": part.id, "quantity": "3"})
        assert [type(s).__name__ for s in done.steps][:2] == ["Choice", "Proposal"]  # as the chat's run
        [wait] = [s for s in done.steps if isinstance(s, Waiting)]
        [action] = copilot.pending()
        assert (action.tool, action.via, action.requester, action.decision.owner) == \
            ("create_purchase_order", Origin.form, operator.username, "purchasing")
        assert wait.decision.owner == "purchasing"
        [decided] = copilot.audit_records(kind=AuditKind.decision, action_id=action.action_id)
        assert decided.judged.owner == "purchasing"
        resumed = await copilot.approve(action.action_id, supervisor, "ok")
        assert [s.status for s in resumed[1] if isinstance(s, Result)] == [Status.done]
        [approval] = copilot.audit_records(kind=AuditKind.approval, action_id=action.action_id)
        assert approval.result["owner"] == "purchasing"
        transcript = await copilot.transcript(done.thread_id)
        assert transcript.entries[0].text == f"Order part (form): part {part.id}, quantity 3"
        assert done.thread_id in [c.thread_id for c in copilot.conversations_of(operator)]
    async with ErpClient.from_settings(sim) as erp:
        orders = await erp.list_purchase_orders(part=part.id)
    assert [(o.quantity, o.requested_by) for o in orders] == [(3, operator.username)]


def _a_step(copilot: Copilot, machine, old: float) -> float:
    """A new value for the machine's first setpoint within its limits and a third of its largest step."""
    tag = machine.setpoints[0]
    step = (tag.max_step or (tag.max - tag.min) / 10) / 3
    new = round(old + step) if old + step <= tag.max else round(old - step)
    assert tag.min <= new <= tag.max and new != old
    return float(new)


async def test_a_setpoint_changed_from_a_form_is_read_back_from_the_plc_once_signed_off(site, tmp_path):
    name, sim = site
    operator, supervisor = people(name)
    async with opened(name, sim, tmp_path) as copilot:
        machine = next(m for m in copilot.plant.machines.values() if m.setpoints and m.setpoints[0].max_step)
        tag = machine.setpoints[0]
        new = _a_step(copilot, machine, await live(sim, machine.id, tag.name))
        done = await copilot.run_form(operator, "change_setpoints",
                                      {"machine": machine.id, "changes": [{"tag": tag.name, "to": new}]})
        [wait] = [s for s in done.steps if isinstance(s, Waiting)]
        assert wait.decision.owner == "process engineering"
        others = [p for p in UserDirectory.load(PLANTS / name / "users.yaml").people()
                  if p.role in wait.decision.roles and p.username != operator.username]
        steps = await sign_off(copilot, wait.action_id, [supervisor, *others])
        assert [s.status for s in steps if isinstance(s, Result)] == [Status.done]
    assert await live(sim, machine.id, tag.name) == pytest.approx(new)


async def test_a_denial_names_the_procedures_owner_in_the_step_and_the_audit_log(sim, tmp_path):
    olga, _ = people("riverside")
    async with opened("riverside", sim, tmp_path) as copilot:
        done = await copilot.run_form(olga, "change_setpoints",
                                      {"machine": "OV-201", "changes": "temp_setpoint=200"})  # twice its max step
        [denied] = [s for s in done.steps if isinstance(s, Result) and s.status is Status.denied]
        assert denied.decision.owner == "process engineering"
        assert denied.text.rstrip().endswith("(owner: process engineering)")
        [record] = copilot.audit_records(kind=AuditKind.decision, action_id=denied.action_id)
        assert record.judged.owner == "process engineering"
        assert copilot.pending() == []


async def test_bad_values_run_nothing_and_are_told_per_field(sim, tmp_path):
    olga, _ = people("riverside")
    async with opened("riverside", sim, tmp_path) as copilot:
        with pytest.raises(FormRejected) as refused:
            await copilot.run_form(olga, "order_part", {"part": "BRG-0000", "quantity": "many"})
        assert refused.value.problems[1] == "quantity: a whole number of 0 or more is needed, not 'many'"
        assert copilot.conversations_of(olga) == [] and copilot.audit_records(kind=AuditKind.request) == []


async def test_the_chat_offers_the_form_of_a_procedure_that_asks_back(sim, tmp_path):
    olga, _ = people("riverside")
    async with opened("riverside", sim, tmp_path) as copilot:
        await copilot.run_procedure(olga, "change_setpoints", {"machine": "OV-201"}, "change the oven", "t-ask",
                                    via=Origin.chat)
        offer = await copilot.form_offer("t-ask")
        form = next(f for f in copilot.forms() if f.procedure == "change_setpoints")
        assert (offer.reason, offer.procedure, offer.values_for(form)) == \
            (OfferReason.asking, "change_setpoints", {"machine": "OV-201"})


@contextlib.asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A loopback server that takes connections and never answers."""
    held = []

    async def hold(reader, writer) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()


@pytest.mark.parametrize("outage", [OfferReason.down, OfferReason.slow, OfferReason.off])
async def test_the_chat_offers_the_forms_when_no_model_answers(sim, tmp_path, outage):
    olga, _ = people("riverside")
    async with contextlib.AsyncExitStack() as stack:
        port = await stack.enter_async_context(silent_server()) if outage is OfferReason.slow else free_ports(1)[0]
        served = LLMSettings(provider="openai", base_url=f"http://127.0.0.1:{port}/v1", api_key="k",
                             request_timeout_s=1.0)
        model = NoModel(why="the model is off") if outage is OfferReason.off else make_chat_model(served)
        copilot = await stack.enter_async_context(opened("riverside", sim, tmp_path, model))
        steps = [s async for s in copilot.ask(olga, "we need 4 SEAL-M25 for the pump", thread_id="t-1")]
        assert not [s for s in steps if isinstance(s, Proposal)]  # nothing was proposed, nothing ran
        offer = await copilot.form_offer("t-1")
        assert (offer.reason, offer.procedure) == (outage, None)
        assert offer.heard == {SlotKind.machine: "P-101", SlotKind.part: "SEAL-M25"}
        assert copilot.model_off is (outage is OfferReason.off)


def test_the_cli_says_the_model_is_off_and_runs_a_form(sim, tmp_path):
    env = settings_env(sim) | {"COPILOT_DATA_DIR": str(tmp_path), "COPILOT_PROVIDER": "none",
                               "COPILOT_PASSWORD": "olga-demo"}
    asked = CliRunner().invoke(app, ["ask", "order a bearing", "--user", "olga"], env=env)
    assert asked.exit_code == 1
    assert "the model is off (COPILOT_PROVIDER=none)" in asked.output and "plant-copilot form run" in asked.output
    listed = CliRunner().invoke(app, ["form", "list", "change_setpoints"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "OV-201 temp_setpoint: 140 to 200 °C, up to 10 °C a change" in listed.output
    bad = CliRunner().invoke(app, ["form", "run", "order_part", "part=BRG-6205", "quantity=lots", "--user", "olga"],
                             env=env)
    assert bad.exit_code == 1 and "error: quantity: a whole number of 0 or more is needed, not 'lots'" in bad.output
    ran = CliRunner().invoke(app, ["form", "run", "order_part", "part=BRG-6205", "quantity=2", "--user", "olga"],
                             env=env)
    assert ran.exit_code == 0, ran.output
    assert "[waiting for approval] order 2 x BRG-6205" in ran.output and "owner purchasing" in ran.output


async def test_a_policy_file_with_a_bad_owner_stops_the_start_with_one_line(sim, tmp_path):
    shipped = (PRODUCT_DEFAULTS / "policy.yaml").read_text()
    for wrong, said in ((shipped.replace("order_part: {owner:", "ordr_part: {owner:"),
                         r"procedures: 'ordr_part' is no procedure of the procedures file"),
                        (shipped.replace("owner: purchasing", "owner: ''"),
                         r"rule 'purchase orders' \(rules\[\d+\]\), field owner: String should have at least 2")):
        policy = tmp_path / "policy.yaml"
        policy.write_text(wrong)
        settings = CopilotSettings(data_dir=tmp_path / "data", policy_file=policy)
        with pytest.raises(PolicyError) as refused:
            async with Copilot.open(NoModel(), settings=settings, connectors=sim, twin=TwinSettings()):
                pass
        assert re.search(said, str(refused.value)) and str(refused.value).count("\n") <= 1
