"""The quality loop's reasoning: root cause by code across a line's machines."""

from copilot.exports import exports

_NAMES = {
    "ClassRise": "copilot.quality.defect_classes",
    "Cause": "copilot.quality.root_cause",
    "CauseKind": "copilot.quality.root_cause",
    "RootCause": "copilot.quality.root_cause",
    "explain": "copilot.quality.root_cause",
}

__all__ = sorted(_NAMES)
__getattr__, __dir__ = exports(__name__, _NAMES)
