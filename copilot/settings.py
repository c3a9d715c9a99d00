"""The copilot's own settings: where its state lives, which files describe policy and users, its budgets.

Every field can be set as ``COPILOT_<FIELD>`` in the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from connectors.plc import Protocol
from connectors.site import site_dir_field, site_file
from copilot.store.db import Location, check_url
from copilot.urls import check_webhook_url


class CopilotSettings(BaseSettings):
    """The copilot's settings, from the ``COPILOT_*`` environment variables."""

    # a refused value is not echoed: COPILOT_DATABASE_URL, _AUDIT_KEY and _SESSION_KEY may hold secrets
    model_config = SettingsConfigDict(env_prefix="COPILOT_", extra="ignore", hide_input_in_errors=True,
                                      allow_inf_nan=False)  # every number finite, each within its range below

    site_dir: Path = site_dir_field()
    """PLANT_DIR: the site folder (users, and its own policy, procedures or monitor rules if it has them)."""
    data_dir: Path = Field(default_factory=lambda data: Path("var") / data["site_dir"].name)
    """The conversations, queue, ledger and audit log (SQLite), one folder per site."""
    database_url: str | None = None
    """COPILOT_DATABASE_URL: ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE`` puts the conversations, the
    approval queue, the ledger, the audit log and the sign-in state on PostgreSQL (several app replicas, the
    CLI, the monitor and MCP servers on one database); unset, they are SQLite files in the data folder."""
    policy_file: Path = Field(default_factory=lambda data: site_file(data["site_dir"], "policy.yaml"))
    users_file: Path = Field(default_factory=lambda data: data["site_dir"] / "users.yaml")
    plc_protocol: Protocol = Protocol.opcua
    """The protocol of the settings' PLC (PLANT_HOST...), for the machines that name no PLC in the plant file."""
    max_steps_per_turn: int = Field(8, ge=1, le=100)
    max_tool_calls_per_turn: int = Field(12, ge=1, le=200)
    tool_timeout_s: float = Field(20.0, gt=0, le=3600)
    approval_ttl_hours: float = Field(24.0, gt=0, le=24 * 90)
    """How long an action waits for its sign-off before it expires."""
    approval_run_within_minutes: float = Field(30.0, gt=0, le=24 * 60)
    """How long an approval holds: an approved action that has not run by then (a process was down) is not run."""
    approval_normal_window_hours: float = Field(12.0, gt=0, le=24 * 7)
    """A setpoint's approved normal is its value before the first of its writes that ran within this window; a
    rule on the twin's prediction judges a change as the whole change from there (copilot/agent/normal.py)."""
    approval_tolerance: float = Field(0.005, ge=0, le=0.1)
    """How far a number the approvers saw (an amount, an old value) may move before the action needs a new
    approval, as a fraction of it (0.005 = 0.5 %); names and states must not change at all."""
    audit_key: str | None = None
    """COPILOT_AUDIT_KEY: the audit chain's key; unset, the key file's (made on first use)."""
    audit_key_file: Path = Path.home() / ".config" / "plant-copilot" / "audit.key"
    """Kept outside the data folder: whoever can write the data folder cannot re-chain the audit log."""
    audit_heads_dir: Path = Path.home() / ".config" / "plant-copilot" / "audit-heads"
    """Where each audit log's signed head is kept after every append or batch (outside the data folder)."""
    tool_packages: Annotated[list[str], NoDecode] = []
    """COPILOT_TOOL_PACKAGES: a site's own packages of tools, importable and comma-separated (``acme_tools``)."""
    procedures: bool = True
    """Carry out requests by the plant's procedures (copilot/procedures/); off: every turn is the free loop."""
    procedures_file: Path = Field(default_factory=lambda data: site_file(data["site_dir"], "procedures.yaml"))
    monitor_file: Path = Field(default_factory=lambda data: site_file(data["site_dir"], "monitor.yaml"))
    """What the monitor watches for and which procedure each finding starts (copilot/monitor/)."""
    monitor_webhook_url: str | None = None
    """COPILOT_MONITOR_WEBHOOK_URL: where each alert opened or cleared is POSTed as JSON (Teams, Slack, a CMMS)."""
    release_file: Path = Field(default_factory=lambda data: site_file(data["site_dir"], "release.yaml"))
    """The thresholds a release's eval reports must meet to be promoted (copilot/governance/thresholds.py)."""
    unreleased: bool = False
    """COPILOT_UNRELEASED=1 (or ``plant-copilot --unreleased``): run a configuration that differs from the site's
    promoted release, its audit records marked unreleased; a site that never promoted one always runs so."""
    plan_first: Literal["auto", "on", "off"] = "auto"
    """Start each turn with a plan (copilot/agent/planning.py); auto = for constrained (small local) models."""

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, url: str | None) -> str | None:
        return check_url(url) if url else None

    @field_validator("monitor_webhook_url")
    @classmethod
    def _webhook_url(cls, url: str | None) -> str | None:
        return check_webhook_url(url) if url else None

    @field_validator("tool_packages", mode="before")
    @classmethod
    def _package_names(cls, value: object) -> object:
        return [name.strip() for name in value.split(",") if name.strip()] if isinstance(value, str) else value

    @property
    def checkpoints_db(self) -> Location:
        """The conversations' messages (LangGraph's checkpointer)."""
        return self.database_url or self.data_dir / "checkpoints.sqlite"

    @property
    def state_db(self) -> Location:
        """Approvals, executions, conversations, alerts, sign-in state."""
        return self.database_url or self.data_dir / "copilot.sqlite"

    @property
    def audit_db(self) -> Location:
        return self.database_url or self.data_dir / "audit.sqlite"
