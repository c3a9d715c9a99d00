"""What a tool is: a typed argument model, a docstring the model reads, a risk class, a function and the type of
its result, which knows how it reads as a line.

A tool that changes something also says, before it runs, what it would change
(:class:`~policies.model.ActionFacts`): the machine, the tag and its limits, the old and new
value, the amount of money. The policy gate judges those facts; the tool itself
never decides whether it may run.

The gate and the ledger keep a result as JSON; :meth:`Tool.result_of` gives it back as the declared type, and
:meth:`Tool.read` as the line a person reads (a read's finding, or what a change made: its record's id).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python

from policies.model import ActionFacts, Risk
from tools.deps import Deps, System

A = TypeVar("A", bound=BaseModel)
R = TypeVar("R")

SITE_ORDER = 1000
"""Where a tool that states no ``order`` stands among those offered to the model: after the shipped ones."""
_SHORT = 280
MAGNITUDE = 1e9
"""The largest magnitude a number a tool takes may have: far beyond any setpoint or quantity, small enough that
no computation on it (the twin's dry run, JSON, a checkpoint) overflows."""
Number = Annotated[float, Field(allow_inf_nan=False, ge=-MAGNITUDE, le=MAGNITUDE)]
"""A finite number within :data:`MAGNITUDE`: every number a tool takes, checked before anything computes with it."""
Count = Annotated[int, Field(ge=0, le=int(MAGNITUDE))]
"""A whole number of things, from 0 to :data:`MAGNITUDE` (an integer of 400 digits is refused here)."""


def _without_description(schema: dict[str, Any]) -> None:
    schema.pop("description", None)


class ToolArgs(BaseModel):
    """Base of a tool's arguments: the model sees their fields' schema, never a subclass's docstring."""

    model_config = ConfigDict(json_schema_extra=_without_description)


class ToolArgumentsError(ValueError):
    """The model's arguments do not fit the tool's schema; the message goes back to the model."""


@dataclass(frozen=True)
class Call:
    """Who runs a tool and the key that makes a retried run create nothing twice."""

    requester: str
    idempotency_key: str


Run = Callable[[Deps, A, Call], Awaitable[Any]]
Facts = Callable[[Deps, A], Awaitable[ActionFacts]]
Line = Callable[[Any], str]


@dataclass(frozen=True)
class Tool(Generic[A, R]):
    """One verb of the copilot. ``order`` places it among the tools offered to the model (lower first);
    ``in_free_loop``: whether the free tool-calling loop may call it while procedures carry out the changes
    (by default only reads; a change is otherwise made by a procedure's step); ``makes_record``: each run makes a
    new record (a work order, an order), so the same call again in a conversation would make a second one;
    ``systems``: those beside the PLCs it needs, so a face can leave it out for a plant without them; ``said``: how a
    result reads in an answer to a person (tags by their words, values rounded) where that differs from ``line``,
    which the model and the trail read (tags by their ids)."""

    name: str
    args: type[A]
    risk: Risk
    run: Run
    result: Any
    line: Line
    said: Line | None = None
    order: int = SITE_ORDER
    facts: Facts | None = None
    in_free_loop: bool = False
    makes_record: bool = False
    systems: frozenset[System] = frozenset()

    @property
    def description(self) -> str:
        return inspect.getdoc(self.run) or self.name

    @property
    def changes(self) -> bool:
        """Whether running it changes something (a write or a critical action), rather than only reading."""
        return self.risk is not Risk.read

    def schema(self) -> dict[str, Any]:
        """The tool in the OpenAI function-calling format the chat models bind."""
        parameters = self.args.model_json_schema()
        parameters.pop("title", None)
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": parameters},
        }

    def parse(self, raw: dict[str, Any] | str | None) -> A:
        """Validate the model's arguments, with an error message the model can correct from."""
        if isinstance(raw, str):
            try:
                raw = json.loads(raw or "{}")
            except json.JSONDecodeError as exc:
                raise ToolArgumentsError(f"arguments for {self.name} are not valid JSON: {exc}") from None
        try:
            return self.args.model_validate(raw or {})
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'arguments'}: {err['msg']}" for err in exc.errors()
            )
            raise ToolArgumentsError(f"invalid arguments for {self.name}: {problems}") from None

    async def describe(self, deps: Deps, args: A) -> ActionFacts:
        """The facts the gate needs; read-only tools touch nothing and have none."""
        return await self.facts(deps, args) if self.facts else ActionFacts()

    @cached_property
    def _adapter(self) -> TypeAdapter:
        return TypeAdapter(self.result)

    def result_of(self, raw: Any) -> R:
        """A result kept as JSON (by the gate, the ledger, a checkpoint) as the declared type again."""
        return self._adapter.validate_python(raw)

    def read(self, raw: Any) -> str:
        """A result kept as JSON as the line the model and the trail read."""
        return self.line(self.result_of(raw))

    def say(self, raw: Any) -> str:
        """A result kept as JSON as a person reads it in an answer."""
        return (self.said or self.line)(self.result_of(raw))


def as_json(result: Any, limit: int = _SHORT) -> str:
    """A result that has no line of its own, as (the start of) its JSON."""
    return json.dumps(to_jsonable_python(result), ensure_ascii=False, default=str)[:limit]


def record_id(result: Any) -> str:
    """The line of a change that makes a record: the record's id (``WO-…``, ``PO-…``)."""
    return str(getattr(result, "id", "") or "")


def tool(
    *, args: type[A], risk: Risk, result: Any, line: Line | None = None, said: Line | None = None,
    order: int = SITE_ORDER, facts: Facts | None = None, in_free_loop: bool | None = None, makes_record: bool = False,
    systems: tuple[System, ...] = (),
) -> Callable[[Run], Tool[A, Any]]:
    """Make a :class:`Tool` of an async function; its name and docstring are what the model sees. ``line`` reads
    a result of type ``result`` as a line (default: its JSON), ``said`` as a person reads it (default: ``line``);
    ``in_free_loop`` defaults to whether it only reads; ``systems``: those beside the PLCs it needs."""

    def wrap(run: Run) -> Tool[A, Any]:
        return Tool(name=run.__name__, args=args, risk=risk, run=run, result=result, facts=facts, order=order,
                    line=line or (lambda r: f"{run.__name__}: {as_json(r)}"), said=said,
                    in_free_loop=risk is Risk.read if in_free_loop is None else in_free_loop,
                    makes_record=makes_record, systems=frozenset(systems))

    return wrap
