"""Configure to order: a customer's configuration checked by code for buildability and its due date."""

from copilot.exports import exports

_NAMES = {
    "AcceptanceRefused": "copilot.orders.acceptance",
    "CapacityCheck": "copilot.orders.result",
    "ConfigurationCheck": "copilot.orders.result",
    "ConfigurationError": "copilot.orders.configuration",
    "MaterialCheck": "copilot.orders.result",
    "OrderRequest": "copilot.orders.result",
    "Proposal": "copilot.orders.acceptance",
    "Purchase": "copilot.orders.acceptance",
    "RecipeSetpoint": "copilot.orders.result",
    "RuleBreach": "copilot.orders.result",
    "StepBreach": "copilot.orders.acceptance",
    "Substitution": "copilot.orders.result",
    "SubstitutionKind": "copilot.orders.result",
    "Verdict": "copilot.orders.result",
    "accept": "copilot.orders.acceptance",
    "check_configuration": "copilot.orders.check",
    "check_order": "copilot.orders.planner",
    "LineOrder": "copilot.orders.sequence",
    "LineSequence": "copilot.orders.sequence",
    "SequenceMethod": "copilot.orders.sequence",
    "Slot": "copilot.orders.sequence",
    "plm_products": "copilot.orders.planner",
    "sequence_line": "copilot.orders.sequence",
    "sequenced_line": "copilot.orders.planner",
    "step_breaches": "copilot.orders.acceptance",
}

__all__ = sorted(_NAMES)
__getattr__, __dir__ = exports(__name__, _NAMES)
