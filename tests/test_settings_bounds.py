"""Settings and files that used to fail open or crash: each refused at start in one line naming what is wrong,
and no secret in the message."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from connectors.plant import PlantFileError, load_plant
from connectors.settings import ConnectorSettings
from copilot.config import Configuration, ConfigurationError
from copilot.identity.users import PasswordTooLong, UserDirectory, UsersFile, UsersFileError, hash_password
from copilot.monitor.spec import MonitorError, MonitorSpec
from copilot.procedures.spec import ProcedureError, Procedures
from copilot.urls import shown_url
from policies.rules import Policy, PolicyError
from tools.registry import TOOLS
from twin.errors import TwinFileError
from twin.file import site_twin

REPO = Path(__file__).resolve().parent.parent


def refused(monkeypatch, name: str, value: str) -> str:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as err:
        Configuration.from_environment()
    return str(err.value)


def test_an_inf_approval_window_is_refused_at_start_with_the_variable_named(monkeypatch):
    assert "COPILOT_APPROVAL_RUN_WITHIN_MINUTES='inf': Input should be a finite number" in \
        refused(monkeypatch, "COPILOT_APPROVAL_RUN_WITHIN_MINUTES", "inf")


@pytest.mark.parametrize(("name", "value"), [("COPILOT_APPROVAL_TOLERANCE", "1e9"),
                                             ("COPILOT_APPROVAL_TTL_HOURS", "-1"), ("COPILOT_TOOL_TIMEOUT_S", "0"),
                                             ("COPILOT_MAX_STEPS_PER_TURN", "0"),
                                             ("COPILOT_APPROVAL_NORMAL_WINDOW_HOURS", "nan"),
                                             ("PLANT_REQUEST_TIMEOUT_S", "-3"), ("PLANT_OPCUA_PORT", "70000")])
def test_a_setting_out_of_its_range_is_refused_naming_the_variable(monkeypatch, name, value):
    assert refused(monkeypatch, name, value).startswith(f"{name}={value!r}: ")


def test_a_bad_database_url_is_refused_without_its_password(monkeypatch):
    message = refused(monkeypatch, "COPILOT_DATABASE_URL", "mysql://olga:hunter2@db/plant")
    assert "hunter2" not in message and message.startswith("COPILOT_DATABASE_URL: ") and "\n" not in message


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://hooks.example/T0/B0/secret", "not a url",
                                 "https://:99999/x"])
def test_a_webhook_url_that_is_not_http_is_refused_without_its_secret(monkeypatch, url):
    message = refused(monkeypatch, "COPILOT_MONITOR_WEBHOOK_URL", url)
    assert message.startswith("COPILOT_MONITOR_WEBHOOK_URL: ") and "secret" not in message


def test_a_webhook_url_is_shown_without_its_path():
    assert shown_url("https://hooks.slack.com/services/T0/B0/XyZsecret") == "https://hooks.slack.com/***"


def test_a_max_step_of_zero_or_less_in_the_plant_file_is_refused(tmp_path):
    text = (REPO / "plants/riverside/plant.yaml").read_text().replace("max_step: 300", "max_step: -10", 1)
    (tmp_path / "plant.yaml").write_text(text)
    with pytest.raises(PlantFileError, match="max_step: Input should be greater than 0"):
        load_plant(tmp_path / "plant.yaml")


LOADERS = {
    "plant.yaml": lambda path: load_plant(path),
    "users.yaml": lambda path: UserDirectory.load(path),
    "policy.yaml": lambda path: Policy.load(path, tools=TOOLS),
    "procedures.yaml": lambda path: Procedures.load(path, {}),
    "monitor.yaml": lambda path: MonitorSpec.load(path, PLANT, None),
    "twin.yaml": lambda path: site_twin(path, PLANT),
}
PLANT = ConnectorSettings().load_plant()


@pytest.mark.parametrize("name", list(LOADERS))
def test_non_utf8_bytes_in_a_config_file_are_one_line_naming_the_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"# caf\xe9\n")
    with pytest.raises((PlantFileError, UsersFileError, PolicyError, ProcedureError, MonitorError, TwinFileError)) \
            as err:
        LOADERS[name](path)
    assert "not UTF-8 text (byte 0xe9 at position 5)" in str(err.value) and name in str(err.value)
    assert "\n" not in str(err.value)


def test_a_password_over_72_bytes_is_refused_and_never_matches():
    with pytest.raises(PasswordTooLong, match="at most 72 bytes"):
        hash_password("é" * 40)
    users = UserDirectory.load(REPO / "plants/riverside/users.yaml")
    assert users.authenticate("olga", "x" * 100) is None


def test_a_hash_that_is_not_bcrypt_is_refused_naming_the_user(tmp_path):
    (tmp_path / "users.yaml").write_text("users:\n  olga: {display_name: Olga, role: operator, password_hash: x}\n")
    with pytest.raises(UsersFileError, match="user 'olga': password_hash"):
        UserDirectory.load(tmp_path / "users.yaml")


def test_a_missing_users_file_is_a_users_file_error(tmp_path):
    with pytest.raises(UsersFileError, match="No such file"):
        UsersFile(tmp_path / "users.yaml").current()


def cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "COPILOT_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(REPO),
               "COPILOT_AUDIT_HEADS_DIR": str(tmp_path / "heads"), "COPILOT_AUDIT_KEY": "k" * 32, **env}
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], env=environ, capture_output=True, text=True,
                          timeout=120, cwd=REPO)


@pytest.mark.parametrize("env", [{"COPILOT_DATA_DIR": "/proc/no/data"},
                                 {"COPILOT_AUDIT_KEY": "", "COPILOT_AUDIT_KEY_FILE": "/proc/no/audit.key"},
                                 {"COPILOT_DATABASE_URL": "postgresql://olga:hunter2@127.0.0.1:9/plant"}])
def test_a_place_that_cannot_be_made_or_reached_is_one_line(tmp_path, env):
    done = cli(tmp_path, "audit", "verify", **env)
    assert done.returncode == 1 and "Traceback" not in done.stderr and "hunter2" not in done.stderr
    assert done.stderr.startswith("error: ") and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_audit_verify_on_a_dropped_table_is_one_line(tmp_path):
    assert cli(tmp_path, "audit", "verify").returncode == 0
    with sqlite3.connect(tmp_path / "data" / "audit.sqlite") as db:
        db.execute("DROP TABLE audit")
    done = cli(tmp_path, "audit", "verify")
    assert done.returncode == 1 and done.stderr.strip() == "error: no such table: audit", done.stderr
