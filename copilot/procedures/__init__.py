"""The plant's workflows as data: typed slots, steps that read, decide by code and change through the gate."""

from copilot.exports import exports

_NAMES = {
    "ProcedureError": "copilot.procedures.spec",
    "Procedures": "copilot.procedures.spec",
    "SlotKind": "copilot.procedures.spec",
    "Choice": "copilot.procedures.forms",
    "Form": "copilot.procedures.forms",
    "FormField": "copilot.procedures.forms",
    "Setpoint": "copilot.procedures.forms",
}

__all__ = sorted(_NAMES)
__getattr__, __dir__ = exports(__name__, _NAMES)
