"""The whole configuration, read from the environment once, at the edge, and passed down from there.

The edges (the ``plant-copilot`` command's callback, the Streamlit app once per process, the monitor and
the MCP server, which the command starts) call ``Configuration.from_environment()``; library code takes the
part it needs as a parameter and never builds settings itself (tests/test_configuration.py holds that).
"""

from __future__ import annotations

from dataclasses import dataclass

import typer

from connectors.settings import ConnectorSettings
from copilot.llm.settings import LLMSettings
from copilot.settings import CopilotSettings
from knowledge.settings import KnowledgeSettings
from twin.settings import TwinSettings


@dataclass(frozen=True)
class Configuration:
    """Every layer's settings, as one value: which backends, files and addresses this process uses."""

    copilot: CopilotSettings
    connectors: ConnectorSettings
    llm: LLMSettings
    knowledge: KnowledgeSettings
    twin: TwinSettings

    @classmethod
    def from_environment(cls) -> Configuration:
        """Each part from its variables (``COPILOT_*``, ``PLANT_*``, ``PLANT_TWIN_*``) and their defaults."""
        return cls(copilot=CopilotSettings(), connectors=ConnectorSettings(), llm=LLMSettings(),
                   knowledge=KnowledgeSettings(), twin=TwinSettings())


class NotConfigured(RuntimeError):
    """A command ran without the configuration its entry point reads (a sub-app invoked on its own)."""


def configuration(ctx: typer.Context) -> Configuration:
    """The configuration the ``plant-copilot`` callback (ui/cli.py) read once and put in the context."""
    if not isinstance(ctx.obj, Configuration):
        raise NotConfigured(f"`{ctx.command_path}` has no configuration in its context (got {type(ctx.obj).__name__}):"
                            " run it through `plant-copilot` (ui/cli.py), whose callback reads it")
    return ctx.obj
