"""A scenario: the plant's starting state, who asks what, who signs off, and what must hold afterwards.

Suites are YAML files under evals/suites/ (one suite per file, a list of scenarios).
A scenario that names a machine, tag, part, supplier or tool the plant or the
registry does not know is refused when the suite loads: its failures would be
the scenario's fault, not the agent's.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from connectors.genealogy import LotStatus
from connectors.plant import Machine, Plant, PlantFileError, load_plant
from connectors.site import DEMO_SITE, PLANTS
from copilot import Verdict

SUITES = Path(__file__).resolve().parent / "suites"
REPO = SUITES.parents[1]

Category = Literal[
    "maintenance", "quality", "procurement", "personalisation", "approval", "denial", "bad_input", "attack"
]


class ScenarioError(ValueError):
    """A suite file that cannot be read, or a scenario that contradicts the plant or the tools."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FaultSetup(_Strict):
    """A fault the simulator injects before the request: its kind, on which machine (and tag), how severe."""

    kind: Literal[
        "bearing_wear", "sensor_drift", "temp_controller_drift", "jam", "plc_offline", "tool_wear", "erp_error",
        "mes_error"
    ]
    machine_id: str | None = None
    severity: float = Field(default=1.0, ge=0.0, le=1.0)
    tag: str | None = None


class PlcText(_Strict):
    """Text in a PLC string tag (operator note, material lot, batch comment): where attacks get planted."""

    machine_id: str
    tag: str
    text: str


class WorkOrderSetup(_Strict):
    """A work order that exists before the request (its description is an ERP text field)."""

    machine_id: str
    title: str
    description: str = ""
    priority: Literal["low", "medium", "high", "urgent"] = "medium"


class InspectionSetup(_Strict):
    """An inspection record in the MES before the request (its note is a MES text field)."""

    machine_id: str
    inspected: int = Field(gt=0)
    defects: int = Field(ge=0)
    defect_type: str = ""
    note: str = ""


class LotHoldSetup(_Strict):
    """A material lot on hold in the MES before the request, and why."""

    lot: str
    reason: str = "held for the scenario"


class Setup(_Strict):
    """The plant's state when the scenario starts: faults, planted text, records, stock and extra manuals."""

    usual_s: float = Field(default=0.0, ge=0, description="sim time of usual running before the faults go in, so "
                           "the history holds the usual level that a line's root cause compares against")
    faults: list[FaultSetup] = []
    advance_s: float = Field(default=600.0, ge=0, description="sim time to let the faults show before asking")
    plc_text: list[PlcText] = []
    work_orders: list[WorkOrderSetup] = []
    inspections: list[InspectionSetup] = []
    stock: dict[str, int] = Field(default={}, description="raise a part's stock to at least this (goods received)")
    held_lots: list[LotHoldSetup] = Field(default=[], description="material lots put on hold in the MES")
    manuals: list[str] = Field(default=[],
                               description="extra manual files (repo-relative) in the store for this run only")


class Approval(_Strict):
    """How supervisors answer an action of this tool when it waits: every name in ``by`` votes."""

    tool: str
    verdict: Verdict = Verdict.approve
    by: list[str] = ["sam"]
    comment: str = ""


class WorkOrderExpect(_Strict):
    """``count`` work orders the copilot made on the machine, of one of ``priority`` when given."""

    machine_id: str
    count: int = 1
    priority: list[Literal["low", "medium", "high", "urgent"]] = []  # any of these; empty = any


class PurchaseOrderExpect(_Strict):
    """``count`` purchase orders the copilot made for at least ``min_quantity`` of the part, from ``supplier``
    when given."""

    part: str
    count: int = 1
    min_quantity: int = 1
    supplier: str | None = None


class SetpointExpect(_Strict):
    """The value a tag must have at the end, within ``tolerance``."""

    machine_id: str
    tag: str
    value: float | None = Field(default=None, description="the value it must have; None: unchanged from the start")
    tolerance: float = 0.01


class ProductionOrderExpect(_Strict):
    """A production order that must exist at the end, with this variant and quantity when given."""

    order_id: str
    variant: str | None = None
    quantity: int | None = None


class LotExpect(_Strict):
    """A material lot's status in the MES afterwards."""

    lot: str
    status: LotStatus


class Expect(_Strict):
    """What must hold at the end. Work and purchase orders count only those the copilot made."""

    tools_required: list[str] = Field(default=[], description="tools that must run; 'a|b': either serves")
    tools_in_order: bool = Field(default=False, description="the required tools ran in this order (safety order)")
    tools_forbidden: list[str] = Field(default=[], description="must not even be proposed")
    waiting: list[str] = Field(default=[], description="tools whose action must end waiting for approval")
    answer_contains: list[str] = Field(default=[], description="each: words, or alternatives split by |; any case")
    cites: list[str] = Field(default=[], description="manual citations (or parts of one) the answer must carry")
    work_orders: list[WorkOrderExpect] = []
    no_work_orders: bool = False
    purchase_orders: list[PurchaseOrderExpect] = []
    no_purchase_orders: bool = False
    setpoints: list[SetpointExpect] = []
    production_orders: list[ProductionOrderExpect] = []
    lots: list[LotExpect] = []


_DAY = re.compile(r"\{today\+(\d+)\}")


class Scenario(_Strict):
    """One scenario: the starting state, who asks what in which turns, who signs off, and what must hold after."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    category: Category
    description: str
    user: str = "olga"
    turns: list[str] = Field(min_length=1)
    setup: Setup = Setup()
    approvals: list[Approval] = []
    expect: Expect
    attack: bool = Field(default=False, description="planted instructions try to make the copilot act")

    def turns_on(self, today: date) -> list[str]:
        """The turns with each ``{today+N}`` written as the ISO date N days after ``today`` (the run's day): a due
        date stays as far ahead as when the scenario was written, while the suppliers' lead times count from today."""
        return [_DAY.sub(lambda m: (today + timedelta(days=int(m[1]))).isoformat(), turn) for turn in self.turns]

    @model_validator(mode="after")
    def _attacks_name_their_goal(self) -> Scenario:
        if self.attack and not self.expect.tools_forbidden:
            raise ValueError("an attack scenario names the tools the attack wants run (expect.tools_forbidden)")
        return self


class Suite(_Strict):
    """A named list of scenarios with unique ids (one suite file), on the plant it is written for."""

    name: str
    description: str = ""
    plant: str = Field(default=DEMO_SITE.name, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    scenarios: list[Scenario]

    @property
    def site(self) -> Path:
        """The site folder of the suite's plant (plants/NAME): its simulator, users and manuals."""
        return PLANTS / self.plant

    def chosen(self, only: list[str] | None) -> list[Scenario]:
        """The scenarios whose ids are in ``only``; all of them when it is empty."""
        return [s for s in self.scenarios if not only or s.id in only]

    @model_validator(mode="after")
    def _unique_ids(self) -> Suite:
        ids = [s.id for s in self.scenarios]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"scenario ids used twice: {', '.join(duplicates)}")
        return self


def suite_path(name_or_path: str) -> Path:
    """A suite by name (evals/suites/NAME.yaml) or by path."""
    path = Path(name_or_path)
    return path if path.suffix in (".yaml", ".yml") else SUITES / f"{name_or_path}.yaml"


def available_suites() -> list[str]:
    """The names of the suites under evals/suites/, sorted."""
    return sorted(p.stem for p in SUITES.glob("*.yaml"))


def load_suite(name_or_path: str, plant: Plant, tools: list[str]) -> Suite:
    """Read a suite and check every scenario against the plant and the tool registry."""
    path = suite_path(name_or_path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        suite = Suite(name=raw.get("name", path.stem), description=raw.get("description", ""),
                      plant=raw.get("plant", DEMO_SITE.name), scenarios=raw.get("scenarios") or [])
    except FileNotFoundError:
        raise ScenarioError(f"no suite {name_or_path!r}; suites: {', '.join(available_suites())}") from None
    except (yaml.YAMLError, ValidationError, AttributeError) as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    for scenario in suite.scenarios:
        problems = _contradictions(scenario, plant, set(tools))
        if problems:
            raise ScenarioError(f"{path}: scenario {scenario.id}: " + "; ".join(problems))
    return suite


def suite_named(name_or_path: str) -> tuple[Suite, Plant]:
    """A suite checked against its own plant and the tool registry, and that plant: the evals' entry point for the
    CLI and the app."""
    from tools.registry import TOOLS

    try:
        raw = yaml.safe_load(suite_path(name_or_path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        raw = None  # load_suite says what is wrong with it
    name = raw.get("plant", DEMO_SITE.name) if isinstance(raw, dict) else DEMO_SITE.name
    try:
        plant = load_plant(PLANTS / str(name) / "plant.yaml")
    except PlantFileError as exc:
        raise ScenarioError(f"{suite_path(name_or_path)}: plant {name!r}: {exc}") from None
    return load_suite(name_or_path, plant, list(TOOLS)), plant


def _contradictions(s: Scenario, plant: Plant, tools: set[str]) -> list[str]:
    """What in a scenario names things that do not exist (a scenario meant to name an unknown machine says
    so only in its turns, which are free text)."""
    machines = {m.id: m for line in plant.lines for m in line.machines}
    parts = {p.id for p in plant.parts}
    problems = _setup_contradictions(s.setup, machines) + _expect_contradictions(s.expect, machines)
    problems += [f"unknown part {part}" for part in [*s.setup.stock, *(p.part for p in s.expect.purchase_orders)]
                 if part not in parts]
    lots = {lot.id for lot in plant.material_lots}
    problems += [f"unknown material lot {lot}" for lot in [*(h.lot for h in s.setup.held_lots),
                                                           *(x.lot for x in s.expect.lots)] if lot not in lots]
    named = [*(t for tools in s.expect.tools_required for t in tools.split("|")), *s.expect.tools_forbidden,
             *s.expect.waiting, *(a.tool for a in s.approvals)]
    problems += [f"unknown tool {t}" for t in named if t not in tools]
    return problems


def _setup_contradictions(setup: Setup, machines: dict[str, Machine]) -> list[str]:
    """The machines, tags and manual files the setup names that do not exist, and planted texts too long
    for their tag."""
    problems: list[str] = []
    for f in setup.faults:
        problems += _unknown_machine(machines, f.machine_id, f.tag)
    for t in setup.plc_text:
        problems += _unknown_machine(machines, t.machine_id, t.tag) + _text_too_long(machines, t)
    problems += [f"no manual file {m}" for m in setup.manuals if not (REPO / m).is_file()]
    for mid in [*(w.machine_id for w in setup.work_orders), *(i.machine_id for i in setup.inspections)]:
        problems += _unknown_machine(machines, mid)
    return problems


def _expect_contradictions(expect: Expect, machines: dict[str, Machine]) -> list[str]:
    """The machines and tags the expectations name that do not exist."""
    problems: list[str] = []
    for w in expect.work_orders:
        problems += _unknown_machine(machines, w.machine_id)
    for p in expect.setpoints:
        problems += _unknown_machine(machines, p.machine_id, p.tag)
    return problems


def _unknown_machine(machines: dict[str, Machine], mid: str | None, tag: str | None = None) -> list[str]:
    """What is wrong with a reference to machine ``mid`` (and its ``tag``); empty when it exists or is None."""
    if mid is None:
        return []
    if mid not in machines:
        return [f"unknown machine {mid}"]
    if tag is not None and tag not in machines[mid].tags:
        return [f"{mid} has no tag {tag}"]
    return []


def _text_too_long(machines: dict[str, Machine], t: PlcText) -> list[str]:
    """The problem with a planted text longer than its tag holds; empty when it fits or the tag does not exist."""
    if t.machine_id not in machines or t.tag not in machines[t.machine_id].tags:
        return []
    room = 2 * (machines[t.machine_id].tags[t.tag].modbus.length or 0)
    if len(t.text.encode("utf-8")) <= room:
        return []
    return [f"{t.machine_id} {t.tag} holds {room} bytes; the planted text has {len(t.text.encode())}"]
