"""A fault that comes and goes while the monitor's proposals for it still wait is one alert: opened again, with
nothing proposed twice and the receiver told once."""

from __future__ import annotations

import pytest
from agent_helpers import SimControl, copilot_on, script, user

from connectors.settings import ConnectorSettings
from copilot.monitor.alerts import Alerts, AlertStatus
from copilot.monitor.notify import Outbox
from copilot.monitor.spec import MonitorSpec
from copilot.monitor.watch import ACTOR, Monitor
from copilot.procedures.spec import Procedures
from copilot.settings import CopilotSettings
from tools.registry import TOOLS

PLANT = ConnectorSettings().load_plant()
SPEC = MonitorSpec.load(CopilotSettings().monitor_file, PLANT, Procedures.load(CopilotSettings().procedures_file,
                                                                                 TOOLS))


def urgent_job_on_a_stop() -> MonitorSpec:
    """The stop detection raising an urgent work order, which the monitor (an operator) may not make alone."""
    stopped = next(d for d in SPEC.detections if d.name == "machine stopped by a fault")
    stopped = stopped.model_copy(update={"procedure": "report_to_maintenance",
                                         "slots": {"symptom": "stopped by a fault", "priority": "urgent"}})
    return SPEC.model_copy(update={"detections": [stopped]})


@pytest.mark.asyncio
async def test_a_fault_flapping_four_times_leaves_one_alert_one_approval_and_one_document(sim, tmp_path):
    control = SimControl(sim)
    try:
        async with copilot_on(sim, tmp_path, script()) as copilot:
            alerts = Alerts(copilot.rt.settings.state_db)
            outbox = Outbox(copilot.rt.settings.state_db, "http://127.0.0.1:9/nobody-listens")
            monitor = Monitor(copilot, urgent_job_on_a_stop(), alerts, user(ACTOR), outbox)
            opened, cleared = [], []
            for _ in range(4):
                control.fault("jam", machine_id="CV-203")
                control.advance(30)
                opened += (await monitor.check()).opened
                control.clear()
                control.advance(400)
                cleared += (await monitor.check()).cleared
            control.fault("jam", machine_id="CV-203")
            control.advance(30)
            await monitor.check()
            [alert] = alerts.listed(status=None)
            assert alert.status is AlertStatus.open and [a.alert_id for a in opened] == [alert.alert_id]
            assert len(cleared) == 4
            jobs = [a for a in copilot.pending() if a.requester == ACTOR and a.tool == "create_work_order"]
            assert len(jobs) == 1 and jobs[0].arguments["priority"] == "urgent"
            assert outbox.waiting() == 2  # opened and cleared, each once
            reopened = [r for r in copilot.audit_records(actor=ACTOR, kind="alert") if r.result["status"] == "reopened"]
            assert len(reopened) == 4
            outbox.close()
            alerts.close()
    finally:
        control.clear()
        control.close()
