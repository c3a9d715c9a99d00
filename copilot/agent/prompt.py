"""What every model call starts with: the system prompt, the tools bound, and example turns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AnyMessage, SystemMessage
from langchain_core.runnables import Runnable

from connectors.plant import Plant
from copilot.agent.planning import plan_schema
from copilot.agent.prompts import system_prompt
from copilot.agent.runtime import Runtime
from copilot.procedures.chooser import choice_names, choice_schemas, example_turns
from copilot.procedures.spec import Procedures
from copilot.settings import CopilotSettings
from policies.model import Risk
from tools.base import Tool

RESTATING = "restating"
"""The tag of the call restating a request in English: its words stream as how the request was understood,
not as the answer."""
TELLING_APART = "telling_apart"
"""The tag of the call telling a request's tasks apart: its words are not streamed (the tasks show as a choice)."""


@dataclass(frozen=True)
class Prompt:
    """The same start for every call, so a local model keeps it cached: system prompt, tools, examples."""

    system: str
    tools: list[dict[str, Any]]
    shots: list[AnyMessage]

    @property
    def head(self) -> list[AnyMessage]:
        """The start of a choosing or wording call: the system prompt and the examples."""
        return [SystemMessage(self.system), *self.shots]


def constrained(model: Any) -> bool:
    """Whether the model calls tools by constrained JSON (a small local model)."""
    return bool(getattr(model, "constrained", False))


def plans_first(settings: CopilotSettings, model: Any) -> bool:
    """Whether turns start with a plan (copilot/agent/planning.py): by default for models calling tools by
    constrained JSON (small local models), which need it; native tool callers choose freely."""
    if settings.plan_first == "auto":
        return constrained(model)
    return settings.plan_first == "on"


def agent_prompt(rt: Runtime) -> Prompt:
    """The prompt of this runtime's model, tools and procedures."""
    return prompt_of(rt.deps.plant, rt.tools, rt.procedures, rt.settings, rt.model)


def prompt_of(plant: Plant, tools: dict[str, Tool], procedures: Procedures | None, settings: CopilotSettings,
              model: Any) -> Prompt:
    """The prompt a copilot of these parts and this model starts every call with (before its runtime exists:
    a release freezes it)."""
    return model_prompt(plant, tools, procedures, plan=plans_first(settings, model), shots=constrained(model))


def model_prompt(plant: Plant, tools: dict[str, Tool], procedures: Procedures | None, *, plan: bool,
                 shots: bool) -> Prompt:
    """The tools, the plan and the procedures as choices, with their examples as turns (``shots``: for small
    models writing constrained JSON, which choose far better from examples than from descriptions). With
    procedures only the tools declared ``in_free_loop`` (the reads, by default) are bound: the free loop can look
    things up, and a change comes from a procedure, whose slots the model filled from the operator's words."""
    if procedures:
        tools = {name: t for name, t in tools.items() if t.in_free_loop}
    schemas = [t.schema() for t in tools.values()]
    if plan:
        reads = [t.name for t in tools.values() if t.risk == Risk.read]
        schemas.append(plan_schema(reads, [name for name in tools if name not in reads]))
    if not procedures:
        return Prompt(system_prompt(plant), schemas, [])
    examples = example_turns(procedures, plant)  # checked whether shown or not
    return Prompt(system_prompt(plant, procedures=True), schemas + choice_schemas(procedures, plant),
                  examples if shots else [])


@dataclass(frozen=True)
class BoundModel:
    """The model bound to the agent's prompt: what every node that calls the model starts from."""

    model: Runnable
    prompt: Prompt
    brief: bool  # a small model's prompt tokens are dear: no history where examples do
    planning: bool
    choices: tuple[str, ...]  # the procedures (and "other") the chooser may pick, in order

    @classmethod
    def of(cls, rt: Runtime) -> BoundModel:
        prompt = agent_prompt(rt)
        return cls(model=rt.model.bind_tools(prompt.tools), prompt=prompt, brief=constrained(rt.model),
                   planning=plans_first(rt.settings, rt.model),
                   choices=tuple(choice_names(rt.procedures)) if rt.procedures else ())

    @property
    def head(self) -> list[AnyMessage]:
        return self.prompt.head

    @property
    def tool_names(self) -> list[str]:
        """The names of the tools (and choices) bound."""
        return [schema["function"]["name"] for schema in self.prompt.tools]

    @property
    def loop_head(self) -> list[AnyMessage]:
        """The free loop's start: no examples of choices it could copy."""
        return [SystemMessage(self.prompt.system)]
