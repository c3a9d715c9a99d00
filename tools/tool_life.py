"""tool_life: each machine's tool (mould, die, nozzle) with its cycles since the last change against its rated life."""

from __future__ import annotations

from pydantic import BaseModel, Field

from connectors.genealogy import ToolLife
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps, System


class ToolLifeArgs(ToolArgs):
    """A machine, a line, or the whole plant."""

    machine_id: str | None = Field(default=None, description="machine id, e.g. IM-103")
    line_id: str | None = Field(default=None, description="line id, e.g. L1")


class ToolsNow(BaseModel):
    """The tools asked about, each with its cycles and rated life."""

    tools: list[ToolLife]

    def line(self) -> str:
        if not self.tools:
            return "no machine asked about has a tool with a rated life"
        return "; ".join(f"{t.machine_id} {t.tool}: {t.cycles} cycles since its last change, rated {t.rated_cycles} "
                         f"({100 * t.used:.0f} %{', past its rated life' if t.used > 1 else ''})" for t in self.tools)


@tool(args=ToolLifeArgs, risk=Risk.read, result=ToolsNow, line=ToolsNow.line, order=73, systems=(System.mes,))
async def tool_life(deps: Deps, args: ToolLifeArgs, call: Call) -> ToolsNow:
    """How worn each machine's tool is (mould, trim die, jet nozzle): cycles since it was last changed against its
    rated life, from the MES's maintenance records."""
    line = deps.plant.machine(args.machine_id).line_id if args.machine_id else args.line_id
    tools = await deps.mes.tools(line=line)
    wanted = deps.plant.machine(args.machine_id).id if args.machine_id else None
    return ToolsNow(tools=[t for t in tools if wanted is None or t.machine_id == wanted])
