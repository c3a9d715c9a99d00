"""What every node of the agent uses, built once per process by the wiring (copilot/wiring.py)."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

from connectors.errors import ConnectorError
from copilot.procedures.spec import Procedures
from copilot.settings import CopilotSettings
from copilot.store.approvals import ApprovalQueue
from copilot.store.audit import AuditLog
from copilot.store.ledger import ExecutionLedger
from copilot.store.twin_checks import TwinChecks
from knowledge.errors import KnowledgeError
from policies.rules import Policy
from tools.base import Tool
from tools.deps import Deps

TOOL_ERRORS = (ConnectorError, KnowledgeError, TimeoutError)
"""What a tool may fail with: told to the model and the operator as a message, never raised."""


@dataclass
class Runtime:
    """The plant's connections, the model, the tools, the policy and the stores the nodes share."""

    deps: Deps
    model: BaseChatModel
    tools: dict[str, Tool]
    policy: Policy
    queue: ApprovalQueue
    ledger: ExecutionLedger
    audit: AuditLog
    settings: CopilotSettings
    twin_checks: TwinChecks
    procedures: Procedures | None = None
    release: str | None = None  # the promoted release this copilot runs as; None: unreleased
