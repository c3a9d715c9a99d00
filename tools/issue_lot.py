"""issue_lot: issue a material lot to a machine through the MES (the machine loads it); a held lot is refused."""

from __future__ import annotations

from pydantic import Field

from connectors.genealogy import LOT_TAG, LotIssue, MaterialLotRecord
from policies.model import Risk
from tools.base import ActionFacts, Call, ToolArgs, tool
from tools.deps import Deps, System
from tools.lot_facts import lot_extra


class IssueLotArgs(ToolArgs):
    """The lot to issue and the machine to load it on."""

    lot: str = Field(min_length=1, max_length=32, description="material lot id, e.g. LOT-24-0815")
    machine_id: str = Field(description="machine id, e.g. IM-103")


async def _facts(deps: Deps, args: IssueLotArgs) -> ActionFacts:
    machine = deps.plant.machine(args.machine_id)
    lot = await deps.mes.lot(args.lot)
    loaded = await deps.plc.read(machine.id, LOT_TAG) if LOT_TAG in machine.tags else None
    old = str(loaded.value) if loaded is not None else None
    return ActionFacts(machine_id=machine.id, line_id=machine.line_id, old_value=old, new_value=lot.id,
                       change=f"{machine.id} material lot {old or '(none)'} → {lot.id} ({lot.material})",
                       extra=lot_extra(lot))


@tool(args=IssueLotArgs, risk=Risk.write, result=MaterialLotRecord, line=MaterialLotRecord.line, order=127,
      facts=_facts, systems=(System.mes,))
async def issue_lot(deps: Deps, args: IssueLotArgs, call: Call) -> MaterialLotRecord:
    """Issue a material lot to a machine, which loads it next (e.g. back to the lot it ran before a suspect one).
    The MES refuses a lot on hold."""
    machine = deps.plant.machine(args.machine_id)
    issue = LotIssue(machine_id=machine.id, requested_by=call.requester)
    return await deps.mes.issue_lot(args.lot, issue, idempotency_key=call.idempotency_key)
