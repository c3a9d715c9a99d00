"""Governance: releases that freeze what makes the copilot decide, with their eval reports, promoted only when
the reports meet the admin's thresholds; the running one is checked at start and named in the audit log."""

from copilot.exports import exports

_NAMES = {
    "Change": "copilot.governance.manifest",
    "Entry": "copilot.governance.manifest",
    "EntryChange": "copilot.governance.manifest",
    "Manifest": "copilot.governance.manifest",
    "manifest_of": "copilot.governance.manifest",
    "Figure": "copilot.governance.figures",
    "SuiteFigures": "copilot.governance.figures",
    "read_report": "copilot.governance.figures",
    "Shortfall": "copilot.governance.thresholds",
    "Thresholds": "copilot.governance.thresholds",
    "FigureMove": "copilot.governance.releases",
    "NotPromoted": "copilot.governance.releases",
    "Release": "copilot.governance.releases",
    "ReleaseDiff": "copilot.governance.releases",
    "Releases": "copilot.governance.releases",
    "ReleaseError": "copilot.errors",
    "ReleaseRefused": "copilot.errors",
    "admitted": "copilot.governance.running",
    "DriftFigure": "copilot.governance.drift",
    "DriftHistory": "copilot.governance.drift",
    "DriftPoint": "copilot.governance.drift",
    "DriftSources": "copilot.governance.drift",
    "drift_history": "copilot.governance.drift",
}

__all__ = sorted(_NAMES)
__getattr__, __dir__ = exports(__name__, _NAMES)
