"""The simulator's control API, for the overview's demo controls (inject and clear faults).

Only present when the plant is the simulator: ``reachable`` asks its health endpoint,
so on a real plant the controls simply do not appear. Plain HTTP on the configured
host with short timeouts; no tool or copilot code ever calls it.
"""

from __future__ import annotations

from typing import Any

import httpx

from connectors.settings import ConnectorSettings

FAULTS = ("bearing_wear", "sensor_drift", "temp_controller_drift", "jam", "plc_offline", "tool_wear", "erp_error",
          "mes_error", "plm_error")
MACHINE_FAULTS = FAULTS[:6]


class SimControl:
    """A client of the simulator's control API: whether it answers, its state, and injecting and clearing faults."""

    def __init__(self, settings: ConnectorSettings, timeout_s: float = 5.0) -> None:
        self._url = settings.sim_url
        self._timeout = timeout_s

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx.request(method, self._url + path, timeout=self._timeout, **kwargs)
        if response.status_code >= 400:
            raise ValueError(response.json().get("detail", response.text))
        return response.json() if response.content else None

    def reachable(self) -> bool:
        try:
            return httpx.get(self._url + "/health", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def state(self) -> dict[str, Any]:
        return self._request("GET", "/state")

    def inject(self, kind: str, machine_id: str | None, severity: float, tag: str | None = None) -> None:
        body = {"kind": kind, "severity": severity, "machine_id": machine_id if kind in MACHINE_FAULTS else None}
        if tag:
            body["tag"] = tag
        self._request("POST", "/faults", json=body)

    def clear(self) -> int:
        return int(self._request("DELETE", "/faults")["cleared"])
