"""Configuration is read once, at the edge, and injected (issue #18): library code never builds settings.

The rule is checked on the source (an AST walk), so a new ``CopilotSettings()`` in library code fails here
before it reads the environment somewhere nobody looks.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from copilot.config import Configuration, ConfigurationError, NotConfigured, configuration
from ui.cli import app

REPO = Path(__file__).resolve().parent.parent
LIBRARY = ("copilot", "tools", "policies", "connectors", "knowledge", "twin", "evals")
EDGES = ("copilot/config.py",)  # and every *cli.py: the command's edge, which takes it from the context


def settings_classes(root: Path) -> set[str]:
    """Every class of the repository that is a pydantic-settings ``BaseSettings``, directly or through another."""
    bases: dict[str, set[str]] = {}
    for path in root.glob("*/**/*.py"):
        if ".venv" in path.parts or "var" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {b.id if isinstance(b, ast.Name) else b.attr for b in node.bases
                                    if isinstance(b, ast.Name | ast.Attribute)}
    found = {"BaseSettings"}
    while grown := {name for name, of in bases.items() if of & found} - found:
        found |= grown
    return found - {"BaseSettings"}


def constructions(root: Path, packages: tuple[str, ...], classes: set[str]) -> set[tuple[str, str]]:
    """(file, class) for every call of a settings class in the packages' library modules."""
    found = set()
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            if path.name.endswith("cli.py") or name in EDGES:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), name)):
                if isinstance(node, ast.Call):
                    called = node.func.id if isinstance(node.func, ast.Name) else \
                        node.func.attr if isinstance(node.func, ast.Attribute) else None
                    if called in classes:
                        found.add((name, called))
    return found


def test_library_code_builds_no_settings_it_takes_them_as_parameters():
    classes = settings_classes(REPO)
    assert {"CopilotSettings", "ConnectorSettings", "LLMSettings", "KnowledgeSettings", "TwinSettings"} <= classes
    found = constructions(REPO, LIBRARY, classes)
    assert found == set(), "settings built in library code; take them as a parameter from the edge"


def test_the_check_finds_a_construction_and_a_subclass_of_a_subclass(tmp_path: Path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "settings.py").write_text("from pydantic_settings import BaseSettings\n"
                                     "class Base(BaseSettings): pass\nclass Derived(Base): pass\n")
    (lib / "use.py").write_text("import lib.settings as s\ndef f(x=None):\n    return x or s.Derived()\n")
    (lib / "cli.py").write_text("from lib.settings import Base\nBase()\n")  # an edge may
    classes = settings_classes(tmp_path)
    assert classes == {"Base", "Derived"}
    assert constructions(tmp_path, ("lib",), classes) == {("lib/use.py", "Derived")}


def test_the_environment_is_read_into_every_part(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("COPILOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PLANT_MODBUS_PORT", "15020")
    monkeypatch.setenv("COPILOT_PROVIDER", "scripted")
    monkeypatch.setenv("PLANT_KNOWLEDGE_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("PLANT_TWIN_FILE", str(tmp_path / "twin.yaml"))
    config = Configuration.from_environment()
    assert config.copilot.data_dir == tmp_path / "data"
    assert config.connectors.modbus_port == 15020
    assert config.llm.provider == "scripted"
    assert config.knowledge.knowledge_store == tmp_path / "store"
    assert config.twin.file == tmp_path / "twin.yaml"


def test_a_value_a_setting_does_not_take_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv("PLANT_MODBUS_PORT", "five")
    with pytest.raises(ConfigurationError, match="PLANT_MODBUS_PORT='five': Input should be a valid integer"):
        Configuration.from_environment()
    told = subprocess.run([sys.executable, "-m", "ui.cli", "sim", "status"], cwd=REPO, capture_output=True, text=True,
                          env=os.environ | {"PLANT_MODBUS_PORT": "five"}, timeout=120)
    assert told.returncode == 2 and told.stderr.startswith("error: PLANT_MODBUS_PORT='five'"), told.stderr


def test_the_command_reads_the_environment_at_each_invocation():
    """In-process invocations with different environments see each their own (the callback reads it)."""
    runner = CliRunner()
    openai = runner.invoke(app, ["model", "check"], env={"COPILOT_PROVIDER": "openai", "COPILOT_MODEL": "m-one"})
    scripted = runner.invoke(app, ["model", "check"], env={"COPILOT_PROVIDER": "scripted",
                                                           "COPILOT_SCRIPT_FILE": "replies.json"})
    assert openai.exit_code == 0 and "model m-one" in openai.output, openai.output
    assert scripted.exit_code == 0 and "scripted: replies.json" in scripted.output, scripted.output


def test_a_command_without_the_configuration_in_its_context_says_where_it_comes_from():
    lone = typer.Typer()

    @lone.command()
    def show(ctx: typer.Context) -> None:
        configuration(ctx)

    result = CliRunner().invoke(lone, [])
    assert isinstance(result.exception, NotConfigured)
    assert "plant-copilot" in str(result.exception) and "NoneType" in str(result.exception)


@pytest.mark.parametrize("args", [["sim", "status"], ["twin", "predict", "OV-201", "temp_setpoint", "1"]])
def test_the_lower_layers_commands_take_the_addresses_from_the_configuration(args: list[str], tmp_path: Path):
    """Nothing answers on the configured port: the command says so, naming the address it took from there."""
    env = {"PLANT_HOST": "127.0.0.1", "PLANT_SIM_PORT": "9", "PLANT_OPCUA_PORT": "9", "PLANT_CONNECT_TIMEOUT_S": "1",
           "PLANT_TWIN_FILE": str(REPO / "plants" / "riverside" / "twin.yaml")}
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 1, result.output
    assert ":9" in result.output, result.output
