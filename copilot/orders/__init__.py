"""Configure to order: a customer's configuration checked by code for buildability and its due date."""

from copilot.exports import exports

_NAMES = {
    "CapacityCheck": "copilot.orders.result",
    "ConfigurationCheck": "copilot.orders.result",
    "ConfigurationError": "copilot.orders.configuration",
    "MaterialCheck": "copilot.orders.result",
    "OrderRequest": "copilot.orders.check",
    "RecipeSetpoint": "copilot.orders.result",
    "RuleBreach": "copilot.orders.result",
    "Substitution": "copilot.orders.result",
    "SubstitutionKind": "copilot.orders.result",
    "Verdict": "copilot.orders.result",
    "check_configuration": "copilot.orders.check",
    "check_order": "copilot.orders.planner",
    "LineOrder": "copilot.orders.sequence",
    "LineSequence": "copilot.orders.sequence",
    "SequenceMethod": "copilot.orders.sequence",
    "Slot": "copilot.orders.sequence",
    "plm_products": "copilot.orders.planner",
    "sequence_line": "copilot.orders.sequence",
    "sequenced_line": "copilot.orders.planner",
}

__all__ = sorted(_NAMES)
__getattr__, __dir__ = exports(__name__, _NAMES)
