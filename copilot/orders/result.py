"""What a configure-to-order check finds: each check with its reason, and the verdict on the due date.

Plain frozen records, computed by code (``copilot.orders.check``); an answer is worded from them, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from connectors.plm_records import RuleKind
from copilot.orders.sequence import LineSequence, QueuePlace


class Verdict(StrEnum):
    """The check's outcome: refused (a rule broken, a recipe beyond a limit), or buildable on time or late."""

    rule_broken = "rule_broken"
    recipe_beyond_limits = "recipe_beyond_limits"
    on_time = "on_time"
    late = "late"


@dataclass(frozen=True)
class OrderRequest:
    """What a customer asks for: a product in a colour with options, how many, by when."""

    product: str
    colour: str
    options: tuple[str, ...]
    quantity: int
    due: date

    @property
    def line(self) -> str:
        """The configuration in words: ``600 HX-200 blue with coating``."""
        options = f" with {', '.join(self.options)}" if self.options else ""
        return f"{self.quantity} {self.product} {self.colour}{options}"


class SubstitutionKind(StrEnum):
    """What a substitution changes: the supplier of the material, the material (an alternate PLM allows), or the
    configuration (another option value the option rules allow, whose BOM does without the late material)."""

    supplier = "supplier"
    alternate = "alternate"
    option = "option"


@dataclass(frozen=True)
class RuleBreach:
    """An option rule the configuration breaks, with the reason engineering gave."""

    rule: str
    option: str
    kind: RuleKind
    others: tuple[str, ...]
    reason: str

    @property
    def line(self) -> str:
        verb = "needs one of" if self.kind is RuleKind.requires else "cannot go with"
        return f"rule {self.rule}: {self.option} {verb} {', '.join(self.others)} ({self.reason})"


@dataclass(frozen=True)
class RecipeSetpoint:
    """A setpoint of the configuration's recipe against the tag's limits in the plant file."""

    machine_id: str
    tag: str
    value: float
    unit: str
    low: float | None
    high: float | None

    @property
    def within_limits(self) -> bool:
        return (self.low is None or self.value >= self.low) and (self.high is None or self.value <= self.high)

    @property
    def line(self) -> str:
        where = f"{self.machine_id}.{self.tag} {self.value:g} {self.unit}".rstrip()
        return where if self.within_limits else f"{where} is beyond its limits {self.low:g}..{self.high:g}"


@dataclass(frozen=True)
class Substitution:
    """One way to get a late material in time: what is bought from whom (nothing when stock covers it), at what
    cost and carbon, when it is ready, the order's finish with it, and whether that meets the due date.
    ``recommended`` marks the one that meets the date at the least carbon (then the least cost). Another option
    (``option_change``, e.g. "green instead of blue") names the material it avoids; it buys its own materials."""

    kind: SubstitutionKind
    material: str
    quantity: float
    to_buy: int
    supplier: str | None
    cost: float
    carbon_kg: float
    ready: date
    finish: date
    meets_due: bool
    recommended: bool = False
    option_change: str = ""

    @property
    def line(self) -> str:
        source = f"{self.to_buy} from {self.supplier}" if self.supplier else "from stock"
        mark = " (recommended)" if self.recommended else ""
        what = (f"option {self.option_change} (no {self.material})" if self.kind is SubstitutionKind.option
                else f"{self.kind.value} {self.material}")
        return (f"{what}: {source}, cost {self.cost:.2f}, {self.carbon_kg:g} kg CO2e, "
                f"ready {self.ready}, finish {self.finish}{'' if self.meets_due else ', misses the date'}{mark}")


@dataclass(frozen=True)
class MaterialCheck:
    """One material of the exploded BOM: how much the order needs, what stock is free after the open orders' needs,
    what open purchase orders bring, what must be bought from the cheapest offer, and when it is all there."""

    material: str
    name: str
    unit: str
    needed: float
    free_stock: float
    on_order: float
    to_buy: int
    supplier: str | None
    ready: date | None
    """None: it cannot be had at all (nothing free, nothing on order, no offer)."""
    in_time: bool
    engineering_change: str | None = None
    substitutions: tuple[Substitution, ...] = ()

    @property
    def line(self) -> str:
        buy = f", buy {self.to_buy} from {self.supplier}" if self.to_buy else ""
        when = f"ready {self.ready}" if self.ready else "cannot be had"
        return (f"{self.material} {self.needed:g} {self.unit} (free {self.free_stock:g}, on order {self.on_order:g}"
                f"{buy}): {when}{'' if self.in_time else ', too late'}")


@dataclass(frozen=True)
class CapacityCheck:
    """The line's time for the order: the queued orders ahead and their hours (changeovers between them included),
    the changeover into this order, its run hours, and the day the line is free for it."""

    line_id: str
    machine_id: str
    queued_orders: tuple[str, ...]
    queue_h: float
    changeover_h: float
    run_h: float
    hours_per_day: float
    line_free: date


@dataclass(frozen=True)
class ConfigurationCheck:
    """A customer's configuration checked for buildability: rules, recipe, materials, capacity and the due date."""

    request: OrderRequest
    """What was checked: the request with its product's id as PLM writes it."""
    today: date
    verdict: Verdict
    broken_rules: tuple[RuleBreach, ...] = ()
    recipe: tuple[RecipeSetpoint, ...] = ()
    materials: tuple[MaterialCheck, ...] = ()
    capacity: CapacityCheck | None = None
    build_date: date | None = None
    finish: date | None = None
    sequence: LineSequence | None = None
    """The line's queue with the order, sequenced by changeover within the due dates."""
    place: QueuePlace | None = None
    """The order's place in its line's queue by the sequence, and the changeover with it there."""

    @property
    def buildable(self) -> bool:
        return self.verdict in (Verdict.on_time, Verdict.late)

    @property
    def recipe_refusals(self) -> tuple[RecipeSetpoint, ...]:
        return tuple(s for s in self.recipe if not s.within_limits)

    @property
    def late_materials(self) -> tuple[MaterialCheck, ...]:
        return tuple(m for m in self.materials if not m.in_time)
