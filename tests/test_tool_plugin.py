"""A site adds a read tool as one file in its own package: found, offered, gated, audited and read as its line."""

from __future__ import annotations

import pytest
import yaml
from agent_helpers import ask, call, copilot_on, results, script

from connectors.settings import ConnectorSettings
from copilot.agent.prompt import model_prompt
from copilot.agent.status import Status
from copilot.procedures.report import result_line
from copilot.procedures.spec import Procedures
from copilot.settings import CopilotSettings
from copilot.store.audit import AuditKind
from policies.engine import evaluate
from policies.model import ActionContext, Allow, Role
from policies.rules import Policy
from tools.registry import TOOLS, discover

PACKAGE = "acme_site_tools"
TOOL = '''"""plant_size: how many lines and machines the plant has."""

from pydantic import BaseModel

from policies.model import Risk
from tools.base import Call, tool
from tools.deps import Deps


class PlantSizeArgs(BaseModel):
    pass


class PlantSize(BaseModel):
    lines: int
    machines: int

    def line(self) -> str:
        return f"the plant has {self.lines} lines and {self.machines} machines"


@tool(args=PlantSizeArgs, risk=Risk.read, result=PlantSize, line=PlantSize.line)
async def plant_size(deps: Deps, args: PlantSizeArgs, call: Call) -> PlantSize:
    """How many production lines and machines the plant has."""
    return PlantSize(lines=len(deps.plant.lines), machines=len(deps.plant.machines))
'''
PROCEDURE = {"name": "plant_size_report", "description": "Tell how many lines and machines the plant has.",
             "examples": [{"request": "how big is the plant?"}], "steps": [{"read": "plant_size"}]}
PLANT = ConnectorSettings().load_plant()


@pytest.fixture
def site_tools(tmp_path, monkeypatch) -> dict:
    """The tools of a process started with COPILOT_TOOL_PACKAGES naming a package of one new file."""
    (tmp_path / PACKAGE).mkdir()
    (tmp_path / PACKAGE / "__init__.py").write_text("")
    (tmp_path / PACKAGE / "plant_size.py").write_text(TOOL)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("COPILOT_TOOL_PACKAGES", PACKAGE)
    return discover(CopilotSettings().tool_packages)


def site_procedures(tmp_path) -> str:
    data = yaml.safe_load(CopilotSettings().procedures_file.read_text())
    data["procedures"].append(PROCEDURE)
    path = tmp_path / "procedures.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return str(path)


def test_the_new_tool_is_found_offered_known_to_the_policy_and_read_as_its_line(site_tools, tmp_path):
    assert list(site_tools)[:-1] == list(TOOLS) and list(site_tools)[-1] == "plant_size"  # after the shipped ones
    tool = site_tools["plant_size"]
    procedures = Procedures.load(site_procedures(tmp_path), site_tools)
    offered = [s["function"]["name"] for s in model_prompt(PLANT, site_tools, procedures, plan=True, shots=False).tools]
    assert "plant_size" in offered and "create_work_order" not in offered  # a read, in the free loop
    policy = Policy.load(CopilotSettings().policy_file, tools=site_tools)
    ask_it = ActionContext(tool="plant_size", risk=tool.risk, requester="olga", role=Role.operator)
    assert isinstance(evaluate(policy, ask_it), Allow)
    assert result_line(tool, Status.done, "", {"lines": 2, "machines": 7}, None) == \
        "the plant has 2 lines and 7 machines"


@pytest.mark.asyncio
async def test_a_procedure_reads_the_new_tool_through_the_gate_and_answers_with_its_line(site_tools, sim, tmp_path,
                                                                                      monkeypatch):
    model = script([call("plant_size_report")])
    async with copilot_on(sim, tmp_path / "data", model, procedures_file=site_procedures(tmp_path),
                          tool_packages=[PACKAGE]) as cp:
        assert "plant_size" in cp.tools
        steps = await ask(cp, "olga", "how big is the plant?")
        [done] = results(steps, "plant_size")
        assert done.status is Status.done
        assert done.result == {"lines": len(PLANT.lines), "machines": len(PLANT.machines)}
        line = f"the plant has {len(PLANT.lines)} lines and {len(PLANT.machines)} machines"
        assert steps[-1].text == f"- {line[0].upper()}{line[1:]}"  # the answer is made of the lines
        [decision] = cp.rt.audit.records(tool="plant_size", kind=AuditKind.decision)
        assert isinstance(decision.judged, Allow)
        assert cp.rt.audit.records(tool="plant_size", kind=AuditKind.result)[0].result == done.result
