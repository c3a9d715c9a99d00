"""The openai provider in constrained mode against a real llama-cpp-python server (``python -m llama_cpp.server``)
serving the local model's GGUF on loopback: one tool call and one procedure choice, in the reply format that
server accepts, found by ``auto``.

Skipped only when the server's packages (the [served] extra) or the weight packages are not installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

pytest.importorskip("starlette_context", reason="llama-cpp-python's server (the [served] extra) is not installed")

from connectors.settings import ConnectorSettings  # noqa: E402
from copilot.llm.errors import FormatRefused  # noqa: E402
from copilot.llm.factory import make_chat_model  # noqa: E402
from copilot.llm.openai_compat import OpenAIChatModel  # noqa: E402
from copilot.llm.response_format import Dialects, ResponseFormat  # noqa: E402
from copilot.llm.settings import LLMSettings  # noqa: E402
from copilot.llm.weights import QWEN25_CODER_1_5B, WeightsNotInstalled, model_file  # noqa: E402
from copilot.procedures.chooser import choice_names, choice_schemas, chooser_messages  # noqa: E402
from copilot.procedures.spec import Procedures  # noqa: E402
from copilot.settings import CopilotSettings  # noqa: E402
from tools.registry import TOOLS  # noqa: E402
from ui.served_processes import llama_server  # noqa: E402

MODELS = Path(__file__).resolve().parent.parent / "var" / "models"
ALIAS = "qwen2.5-coder-1.5b-instruct"


class machine_status(BaseModel):
    """Read one machine's live status from its PLC: state, active alarms and every tag (vibration, temperature,
    speed...)."""

    machine_id: str = Field(description="machine id, e.g. P-101")


class inventory(BaseModel):
    """Stock level, reorder point and supplier offers of a spare part."""

    part_id: str = Field(description="part number, e.g. BRG-6205")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    try:
        gguf = model_file(QWEN25_CODER_1_5B, MODELS)
    except WeightsNotInstalled as exc:
        pytest.skip(f"the local model's weights are not installed: {exc}")
    with llama_server(gguf, tmp_path_factory.mktemp("llama-server"), alias=ALIAS) as url:
        yield url


def served(url: str, memory: Dialects, **settings: object) -> OpenAIChatModel:
    """The model as the settings make it for this server: constrained, repeats not penalised (as locally)."""
    chat = make_chat_model(LLMSettings(provider="openai", base_url=url, model=ALIAS, tool_call_mode="constrained",
                                       extra_body={"repeat_penalty": 1.0}, max_tokens=128, **settings))
    assert isinstance(chat, OpenAIChatModel)
    return chat.model_copy(update={"dialects": memory})


def test_a_tool_call_in_the_dialect_auto_found(server: str) -> None:
    memory = Dialects()
    chat = served(server, memory)
    reply = chat.bind_tools([machine_status, inventory]).invoke(
        [SystemMessage("You are Plant Copilot. Use the tools to find facts."),
         HumanMessage("What is the vibration of P-101 right now?")], tool_choice="required")
    assert not reply.invalid_tool_calls
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("machine_status", {"machine_id": "P-101"})]
    assert memory.to_try(ResponseFormat.auto, server) == (ResponseFormat.json_object_schema,)

    standard = served(server, Dialects(), response_format=ResponseFormat.json_schema)
    with pytest.raises(FormatRefused, match="set COPILOT_RESPONSE_FORMAT to auto or json_object_schema"):
        standard.bind_tools([machine_status]).invoke([HumanMessage("P-101?")])


async def test_a_procedure_choice_through_the_chooser_call(server: str) -> None:
    plant = ConnectorSettings().load_plant()
    procedures = Procedures.load(CopilotSettings().procedures_file, TOOLS)
    schemas = choice_schemas(procedures, plant)
    chat = served(server, Dialects()).bind_tools(schemas)
    head = [SystemMessage("You are Plant Copilot. Choose the procedure that carries out the operator's request and "
                          "fill its slots from the request.")]
    request = HumanMessage("How many BRG-6205 bearings do we have in stock?")
    reply = await chat.ainvoke(chooser_messages(head, [request], None, brief=True),
                               allowed_tools=choice_names(procedures))
    assert not reply.invalid_tool_calls and len(reply.tool_calls) == 1
    [call] = reply.tool_calls
    schema = next(s for s in schemas if s["function"]["name"] == call["name"])
    assert not list(Draft202012Validator(schema["function"]["parameters"]).iter_errors(call["args"]))
    assert call["name"] == "inventory_check" and "BRG-6205" in str(call["args"])
