"""The whole configuration, read from the environment once, at the edge, and passed down from there.

The edges (the ``plant-copilot`` command's callback, the Streamlit app once per process, the monitor and
the MCP server, which the command starts) call ``Configuration.from_environment()``; library code takes the
part it needs as a parameter and never builds settings itself (tests/test_configuration.py holds that).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from connectors.settings import ConnectorSettings
from copilot.llm.settings import LLMSettings
from copilot.settings import CopilotSettings
from knowledge.settings import KnowledgeSettings
from twin.settings import TwinSettings

S = TypeVar("S", bound=BaseSettings)


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
        """Each part from its variables (``COPILOT_*``, ``PLANT_*``, ``PLANT_TWIN_*``) and their defaults;
        a value a field does not take is a ``ConfigurationError`` naming the variable."""
        return cls(copilot=_read(CopilotSettings), connectors=_read(ConnectorSettings), llm=_read(LLMSettings),
                   knowledge=_read(KnowledgeSettings), twin=_read(TwinSettings))

    @classmethod
    def for_site(cls, site: Path) -> Configuration:
        """The environment's configuration, but of the site folder ``site`` (an eval suite's plant)."""
        return cls(copilot=_read(CopilotSettings, site), connectors=_read(ConnectorSettings, site),
                   llm=_read(LLMSettings), knowledge=_read(KnowledgeSettings, site), twin=_read(TwinSettings, site))


class ConfigurationError(ValueError):
    """A variable of the environment holds a value its setting does not take."""


SECRET = re.compile(r"url|key|password|secret|token", re.IGNORECASE)
"""Settings whose value may hold a secret: a refusal names the variable and says why, never echoes the value."""


def _read(settings: type[S], site: Path | None = None) -> S:
    try:
        return settings(**({"site_dir": site} if site is not None else {}))
    except ValidationError as exc:
        prefix = settings.model_config.get("env_prefix", "")
        problems = [_problem(prefix, e) for e in exc.errors() if e["type"] != "default_factory_not_called"]
        raise ConfigurationError("; ".join(problems)) from None


def _problem(prefix: str, error: Any) -> str:
    """One refused variable: its name, its value unless it may be secret, and why (the value's own message)."""
    name = prefix + ".".join(map(str, error["loc"])).upper()
    shown = "" if SECRET.search(name) else f"={error['input']!r}"
    return f"{name}{shown}: {error['msg'].removeprefix('Value error, ')}"


class NotConfigured(RuntimeError):
    """A command ran without the configuration its entry point reads (a sub-app invoked on its own)."""


def configuration(ctx: typer.Context) -> Configuration:
    """The configuration the ``plant-copilot`` callback (ui/cli.py) read once and put in the context."""
    if not isinstance(ctx.obj, Configuration):
        raise NotConfigured(f"`{ctx.command_path}` has no configuration in its context (got {type(ctx.obj).__name__}):"
                            " run it through `plant-copilot` (ui/cli.py), whose callback reads it")
    return ctx.obj
