"""What a tool is: a typed argument model, a docstring the model reads, a risk class and a function.

A tool that changes something also says, before it runs, what it would change
(:class:`~policies.model.ActionFacts`): the machine, the tag and its limits, the old and new
value, the amount of money. The policy gate judges those facts; the tool itself
never decides whether it may run.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from policies.model import ActionFacts, Risk
from tools.deps import Deps

A = TypeVar("A", bound=BaseModel)


class ToolArgumentsError(ValueError):
    """The model's arguments do not fit the tool's schema; the message goes back to the model."""


@dataclass(frozen=True)
class Call:
    """Who runs a tool and the key that makes a retried run create nothing twice."""

    requester: str
    idempotency_key: str


Run = Callable[[Deps, A, Call], Awaitable[BaseModel | list | dict | str]]
Facts = Callable[[Deps, A], Awaitable[ActionFacts]]


@dataclass(frozen=True)
class Tool(Generic[A]):
    name: str
    args: type[A]
    risk: Risk
    run: Run
    facts: Facts | None = None

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


def tool(
    *, args: type[A], risk: Risk, facts: Facts | None = None
) -> Callable[[Run], Tool[A]]:
    """Make a :class:`Tool` of an async function; its name and docstring are what the model sees."""

    def wrap(run: Run) -> Tool[A]:
        return Tool(name=run.__name__, args=args, risk=risk, run=run, facts=facts)

    return wrap
