"""Plant Copilot's public API: what the app, the CLI, the MCP server and the evals use, and nothing else.

Open a :class:`Copilot` (``Copilot.open``) with a :class:`Configuration`'s parts and a chat model
(``copilot.llm.make_chat_model``); ask it as a :class:`~copilot.identity.User` and read its :data:`Step` events;
supervisors decide :class:`PendingAction` s. The sub-packages ``copilot.identity``, ``copilot.llm``,
``copilot.monitor``, ``copilot.reports``, ``copilot.procedures`` and ``copilot.governance`` declare the rest of
the faces' API; every other module is internal. Names load on first use."""

from copilot.exports import exports

_NAMES = {
    "Copilot": "copilot.service",
    "CallOutcome": "copilot.service",
    "ActionState": "copilot.service",
    "MAX_REQUEST_CHARS": "copilot.service",
    "Configuration": "copilot.config",
    "ConfigurationError": "copilot.config",
    "configuration": "copilot.config",
    "CopilotSettings": "copilot.settings",
    "DatabaseError": "copilot.store.db",
    "CopilotError": "copilot.errors",
    "RequestRejected": "copilot.errors",
    "FormRejected": "copilot.errors",
    "FormRun": "copilot.form_runs",
    "FormOffer": "copilot.form_offers",
    "OfferReason": "copilot.form_offers",
    "ConversationBusy": "copilot.errors",
    "RecordedSignIn": "copilot.signins",
    "ApprovalQueue": "copilot.store.approvals",
    "ApprovalStatus": "copilot.store.approvals",
    "ApprovalRefused": "copilot.store.approvals",
    "NotPending": "copilot.store.approvals",
    "Origin": "copilot.store.approvals",
    "PendingAction": "copilot.store.approvals",
    "UnknownAction": "copilot.store.approvals",
    "Verdict": "copilot.store.approvals",
    "Conversation": "copilot.store.conversations",
    "NotYourConversation": "copilot.store.conversations",
    "AuditKind": "copilot.store.audit",
    "AuditLog": "copilot.store.audit",
    "AuditRecord": "copilot.store.audit",
    "Head": "copilot.store.audit",
    "VerifyReport": "copilot.store.audit",
    "Status": "copilot.agent.status",
    "system_prompt": "copilot.agent.prompts",
    "Step": "copilot.steps",
    "StepKind": "copilot.steps",
    "Restating": "copilot.steps",
    "Calling": "copilot.steps",
    "Token": "copilot.steps",
    "Choice": "copilot.steps",
    "Proposal": "copilot.steps",
    "Result": "copilot.steps",
    "Waiting": "copilot.steps",
    "Answer": "copilot.steps",
    "Transcript": "copilot.steps",
    "Said": "copilot.steps",
    "Replied": "copilot.steps",
    "Alert": "copilot.monitor.alerts",
    "AlertStatus": "copilot.monitor.alerts",
    "AlertVerdict": "copilot.monitor.alerts",
    "Decision": "policies.model",
    "Allow": "policies.model",
    "RequireApproval": "policies.model",
    "Deny": "policies.model",
    "Role": "policies.model",
    "Risk": "policies.model",
    "System": "tools.deps",
}

__all__ = sorted(_NAMES)
__getattr__, __dir__ = exports(__name__, _NAMES)
