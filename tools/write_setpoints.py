"""write_setpoints: several setpoints (a recipe) written as one change approved once, in order, each read back."""

from __future__ import annotations

from pydantic import BaseModel, Field

from connectors.errors import ConnectorError, Rejected
from policies.model import Risk, SetpointWrite
from tools.base import ActionFacts, Call, Number, ToolArgs, tool
from tools.deps import Deps
from tools.plc_write import write_facts


class SetpointTarget(ToolArgs):
    """One setpoint and the value it is written to."""

    machine_id: str = Field(min_length=1, max_length=40, description="machine id, e.g. IM-103")
    tag: str = Field(min_length=1, max_length=80, description="a writable setpoint tag")
    value: Number = Field(description="the new value in the tag's engineering unit")


class WriteSetpointsArgs(ToolArgs):
    """The setpoints to write, in order, as one change, and why."""

    setpoints: list[SetpointTarget] = Field(min_length=1, max_length=20)
    reason: str = Field(default="", max_length=500)


class SetpointReadBack(BaseModel):
    """One setpoint written: the value before, the value written and the value read back after."""

    machine_id: str
    tag: str
    old_value: float | int | bool | str
    written: float
    read_back: float | int | bool | str
    unit: str = ""


class SetpointsWritten(BaseModel):
    """Every setpoint of the change, in the order written."""

    setpoints: list[SetpointReadBack]

    def line(self) -> str:
        return "written and read back: " + "; ".join(
            f"{s.machine_id} {s.tag} {s.old_value:g} → {s.read_back:g} {s.unit}".rstrip()
            if isinstance(s.read_back, int | float) and isinstance(s.old_value, int | float)
            else f"{s.machine_id} {s.tag} → {s.read_back}" for s in self.setpoints)


async def _facts(deps: Deps, args: WriteSetpointsArgs) -> ActionFacts:
    """Each setpoint's facts as a single write's (limits, step from its live value, the twin's dry run)."""
    each = [await write_facts(deps, s.machine_id, s.tag, s.value) for s in args.setpoints]
    writes = [SetpointWrite(machine_id=f.machine_id, tag=f.tag, tag_writable=f.tag_writable,
                            run_command=f.run_command, tag_min=f.tag_min, tag_max=f.tag_max,
                            tag_max_step=f.tag_max_step, unit=f.unit,
                            old_value=f.old_value if isinstance(f.old_value, float) else None,
                            new_value=f.new_value if isinstance(f.new_value, float) else None,
                            prediction=f.prediction) for f in each]
    lines = list(dict.fromkeys(f.line_id for f in each))
    states = dict.fromkeys(f"{f.machine_id} {f.machine_state}" for f in each)

    def values(of: str) -> str:  # bound to the approval as a whole: any setpoint moved asks for a new one
        return "; ".join(f"{w.machine_id}.{w.tag} {getattr(w, of)}" for w in writes)

    return ActionFacts(line_id=lines[0] if len(lines) == 1 else None, writes=writes, old_value=values("old_value"),
                       new_value=values("new_value"), change="; ".join(f.change for f in each),
                       extra={"machine_states": ", ".join(states)})


@tool(args=WriteSetpointsArgs, risk=Risk.write, result=SetpointsWritten, line=SetpointsWritten.line, order=112,
      facts=_facts)
async def write_setpoints(deps: Deps, args: WriteSetpointsArgs, call: Call) -> SetpointsWritten:
    """Write several setpoints as one change (e.g. an order's recipe at a changeover): each within its limits
    and maximum step, in the order given, each read back. Runs only after the policy allows it."""
    done: list[SetpointReadBack] = []
    for target in args.setpoints:
        try:
            written = await deps.plc.write(target.machine_id, target.tag, target.value)
            back = await deps.plc.read(target.machine_id, target.tag)
        except ConnectorError as exc:
            so_far = ", ".join(f"{s.machine_id} {s.tag}" for s in done) or "none"
            raise Rejected(f"{target.machine_id} {target.tag} was not written ({exc}); written before it: "
                           f"{so_far}") from None
        done.append(SetpointReadBack(machine_id=written.machine_id, tag=written.tag, old_value=written.old_value,
                                     written=float(target.value), read_back=back.value, unit=written.unit))
    return SetpointsWritten(setpoints=done)
