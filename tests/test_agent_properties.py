"""Property: whatever writes a model proposes, in whatever order and combination, nothing runs that the
rules do not allow — nothing before a supervisor signs off, and never a value outside the plant's limits."""

from __future__ import annotations

import asyncio

import httpx
from agent_helpers import call, script, user
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.plant import load_plant
from connectors.plc import open_plc
from connectors.site import DEMO_SITE
from copilot.service import Copilot
from copilot.settings import CopilotSettings
from twin.settings import TwinSettings

PLANT = load_plant(DEMO_SITE / "plant.yaml")
SETPOINTS = [t for t in PLANT.all_tags() if t.writable and t.name != "run"]
TARGETS = SETPOINTS + [PLANT.tag("P-101", "vibration"), PLANT.tag("OV-201", "zone_temp")]

proposal = st.builds(
    lambda tag, value: call("write_setpoint", machine_id=tag.machine_id, tag=tag.name, value=value),
    st.sampled_from(TARGETS),
    st.floats(-100, 4000, allow_nan=False).map(lambda v: round(v, 1)),
)
conversation = st.lists(st.lists(proposal, min_size=1, max_size=3), min_size=1, max_size=3)


async def setpoints(sim) -> dict[str, float]:
    async with open_plc(sim, PLANT, "modbus") as plc:
        return {t.key: (await plc.read(t.machine_id, t.name)).value for t in SETPOINTS}


async def run(sim, data_dir, replies) -> None:
    before = await setpoints(sim)
    model = script(*replies, "done")
    settings_ = CopilotSettings(data_dir=data_dir, plc_protocol="modbus")
    async with Copilot.open(model, settings=settings_, connectors=sim, twin=TwinSettings()) as copilot:
        [_ async for _ in copilot.ask(user("olga"), "change things")]
        assert await setpoints(sim) == before, "a write ran before anyone approved it"
        for _ in range(20):  # sign off everything the gate queued, as two supervisors
            pending = copilot.pending()
            if not pending:
                break
            for action in pending:
                for approver in ("sam", "sara"):
                    if copilot.rt.queue.get(action.action_id).status == "pending":
                        await copilot.approve(action.action_id, user(approver))
        after = await setpoints(sim)
        for action_id in copilot.rt.ledger.executed():
            assert copilot.rt.queue.get(action_id).approved_as_shown
    for tag in SETPOINTS:
        assert tag.min <= after[tag.key] <= tag.max, f"{tag.key} left its limits"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(replies=conversation)
def test_no_sequence_of_proposed_writes_runs_what_the_rules_forbid(sim_server, tmp_path_factory, replies):
    httpx.post(f"{sim_server.sim_url}/reset", timeout=30).raise_for_status()
    asyncio.run(run(sim_server, tmp_path_factory.mktemp("copilot"), replies))
