"""``plant-copilot model check``: what the settings choose, and a refused model file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.llm.weights import QWEN25_CODER_1_5B
from ui.cli import app

runner = CliRunner()


def test_check_names_the_endpoint_and_never_the_key() -> None:
    env = {"COPILOT_PROVIDER": "openai", "OPENAI_API_KEY": "sk-very-secret",
           "COPILOT_BASE_URL": "http://127.0.0.1:8000/v1", "COPILOT_MODEL": "qwen"}
    result = runner.invoke(app, ["model", "check"], env=env)
    assert result.exit_code == 0
    assert "http://127.0.0.1:8000/v1 model qwen, native tool calls, key set" in result.output
    assert "sk-very-secret" not in result.output


def test_check_refuses_a_tampered_local_model(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python (the [local] extra) is not installed")
    (tmp_path / QWEN25_CODER_1_5B.file_name).write_bytes(b"GGUF tampered")
    result = runner.invoke(app, ["model", "check"],
                           env={"COPILOT_PROVIDER": "local", "COPILOT_MODEL_DIR": str(tmp_path)})
    assert result.exit_code == 1
    assert QWEN25_CODER_1_5B.sha256 in result.output and "refusing to load" in result.output
