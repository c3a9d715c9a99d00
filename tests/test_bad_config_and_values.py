"""Bad values and bad config files: NaN never passes the connector's own guard or a plant file's limits, and
a broken plant, policy or users file ends the command with one line naming the file and the field."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from connectors.errors import Rejected
from connectors.plant import PlantFileError, load_plant
from connectors.plc import guard_write
from connectors.site import DEMO_SITE

PLANT = load_plant(DEMO_SITE / "plant.yaml")
SPEED = PLANT.tag("P-101", "speed_setpoint")


@pytest.mark.parametrize(("old", "new", "why"), [
    (2400.0, float("nan"), "finite number"),
    (2400.0, float("inf"), "finite number"),
    (float("nan"), 2450.0, "cannot be checked"),
])
def test_the_connector_guard_refuses_what_is_not_a_finite_number(old, new, why):
    with pytest.raises(Rejected, match=why):
        guard_write(SPEED, old, new)


def test_a_plant_file_with_a_nan_limit_is_refused_naming_the_field(tmp_path):
    raw = yaml.safe_load((DEMO_SITE / "plant.yaml").read_text())
    raw["lines"][0]["machines"][0]["tags"]["speed_setpoint"]["max"] = float("nan")
    path = tmp_path / "plant.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(PlantFileError, match=r"speed_setpoint\.max: Input should be a finite number") as caught:
        load_plant(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(("variable", "text", "said"), [
    ("PLANT_PLANT_FILE", "lines: [1, 2", "plant file"),
    ("COPILOT_USERS_FILE", "users: {olga: {role: foreman}}", "users file"),
])
def test_a_broken_config_file_ends_the_command_with_one_line(tmp_path, variable, text, said):
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    env = {**os.environ, variable: str(path), "COPILOT_PASSWORD": "olga-demo", "COPILOT_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "ui.cli", "approvals", "approve", "A1", "--user", "olga"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and said in done.stderr and str(path) in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr
