"""LLM settings from the environment, and the chat model the factory makes of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from copilot.llm.factory import make_chat_model
from copilot.llm.local import LocalChatModel
from copilot.llm.openai_compat import OpenAIChatModel
from copilot.llm.response_format import ResponseFormat
from copilot.llm.scripted import ScriptedChatModel
from copilot.llm.settings import LLMSettings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "COPILOT_API_KEY", "COPILOT_BASE_URL", "COPILOT_PROVIDER",
                 "COPILOT_TOOL_CALL_MODE", "COPILOT_MODEL", "COPILOT_MODEL_DIR", "COPILOT_SCRIPT_FILE",
                 "COPILOT_RESPONSE_FORMAT", "COPILOT_EXTRA_BODY"):
        monkeypatch.delenv(name, raising=False)


def test_the_default_is_the_local_model_with_constrained_calls(tmp_path: Path) -> None:
    model = make_chat_model(LLMSettings(model_dir=tmp_path, n_threads=3, max_tokens=64))
    assert isinstance(model, LocalChatModel)
    assert model.constrained and model.model_dir == tmp_path and model.n_threads == 3 and model.max_tokens == 64
    assert not make_chat_model(LLMSettings(tool_call_mode="native")).constrained


def test_an_openai_compatible_endpoint_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPILOT_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8000/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("COPILOT_MODEL", "Qwen/Qwen2.5-7B-Instruct")
    monkeypatch.setenv("COPILOT_TOOL_CALL_MODE", "constrained")
    monkeypatch.setenv("COPILOT_RESPONSE_FORMAT", "json_object_schema")
    monkeypatch.setenv("COPILOT_EXTRA_BODY", '{"repeat_penalty": 1.0}')
    settings = LLMSettings()
    assert "sk-from-env" not in repr(settings)
    model = make_chat_model(settings)
    assert isinstance(model, OpenAIChatModel)
    assert (model.base_url, model.model, model.constrained) == (
        "http://127.0.0.1:8000/v1", "Qwen/Qwen2.5-7B-Instruct", True)
    assert model.api_key.get_secret_value() == "sk-from-env"
    assert model.response_format is ResponseFormat.json_object_schema and model.extra_body == {"repeat_penalty": 1.0}


def test_the_copilot_key_wins_over_the_openai_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    monkeypatch.setenv("COPILOT_API_KEY", "sk-copilot")
    assert LLMSettings().api_key.get_secret_value() == "sk-copilot"


def test_native_is_the_default_for_a_served_model() -> None:
    model = make_chat_model(LLMSettings(provider="openai", base_url="http://127.0.0.1:9/v1"))
    assert isinstance(model, OpenAIChatModel) and not model.constrained


def test_the_scripted_provider_plays_its_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="COPILOT_SCRIPT_FILE"):
        make_chat_model(LLMSettings(provider="scripted"))
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"content": "hello"}]))
    model = make_chat_model(LLMSettings(provider="scripted", script_file=script))
    assert isinstance(model, ScriptedChatModel) and model.invoke("hi").content == "hello"


def test_an_unknown_provider_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPILOT_PROVIDER", "gpt5-magic")
    with pytest.raises(ValueError, match="provider"):
        LLMSettings()
