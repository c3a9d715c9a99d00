"""The monitor: watches the live plant, opens alerts and runs the matching procedure; its inspector records what
the in-line cameras see in the MES."""

from copilot.exports import exports

_NAMES = {
    "ACTOR": "copilot.monitor.watch",
    "Check": "copilot.monitor.watch",
    "Monitor": "copilot.monitor.watch",
    "MonitorError": "copilot.monitor.spec",
    "MonitorSpec": "copilot.monitor.spec",
    "Outbox": "copilot.monitor.notify",
    "Alert": "copilot.monitor.alerts",
    "Alerts": "copilot.monitor.alerts",
    "AlertStatus": "copilot.monitor.alerts",
    "AlertVerdict": "copilot.monitor.alerts",
    "close_alert": "copilot.monitor.alerts",
    "judge_alert": "copilot.monitor.alerts",
    "AlertKind": "copilot.monitor.alerts",
    "DriftCheck": "copilot.monitor.drift",
    "DriftThresholds": "copilot.monitor.drift_limits",
    "check_drift": "copilot.monitor.drift",
    "drift_thresholds": "copilot.monitor.drift",
    "INSPECTOR": "copilot.monitor.inspector",
    "InspectionPass": "copilot.monitor.inspector",
    "Inspector": "copilot.monitor.inspector",
}

__all__ = sorted(_NAMES)
__getattr__, __dir__ = exports(__name__, _NAMES)
