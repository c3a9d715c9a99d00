"""The embedded local model for real: Qwen2.5-Coder-1.5B on the CPU through llama.cpp, constrained tool calls.

Two short generations on one loaded model (the process keeps one per parameters)
after a warm-up of the system prompt and tools; the warmed prefix is kept in
var/models/prefix-cache, so later runs restore it instead of evaluating it.
Skipped only when llama-cpp-python or the weight packages are not installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel, Field

pytest.importorskip("llama_cpp", reason="llama-cpp-python (the [local] extra) is not installed")

from copilot.llm import prefix_state  # noqa: E402
from copilot.llm.constrained import CALLING  # noqa: E402
from copilot.llm.errors import ContextOverflow  # noqa: E402
from copilot.llm.factory import make_chat_model  # noqa: E402
from copilot.llm.local import LocalChatModel  # noqa: E402
from copilot.llm.settings import LLMSettings  # noqa: E402
from copilot.llm.weights import (  # noqa: E402
    QWEN25_CODER_1_5B,
    ModelIntegrityError,
    ModelWeights,
    WeightsNotInstalled,
    installed_parts,
)

MODELS = Path(__file__).resolve().parent.parent / "var" / "models"
SYSTEM = "You are Plant Copilot, the assistant of the operators of a factory. Use the tools to find facts."


class machine_status(BaseModel):
    """Read one machine's live status from its PLC: state, active alarms and every tag (vibration, temperature,
    speed...)."""

    machine_id: str = Field(description="machine id, e.g. P-101")


class inventory(BaseModel):
    """Stock level, reorder point and supplier offers of a spare part."""

    part_id: str = Field(description="part number, e.g. BRG-6205")


class create_work_order(BaseModel):
    """Open a maintenance work order for a machine."""

    machine_id: str = Field(description="machine id, e.g. P-101")
    title: str
    priority: str = "medium"


TOOLS = [machine_status, inventory, create_work_order]


@pytest.fixture(scope="module")
def model() -> LocalChatModel:
    try:
        installed_parts(QWEN25_CODER_1_5B)
    except WeightsNotInstalled as exc:
        pytest.skip(f"the local model's weights are not installed: {exc}")
    chat = make_chat_model(LLMSettings(model_dir=MODELS, n_ctx=2048, max_tokens=32))
    assert isinstance(chat, LocalChatModel) and chat.prefix_cache_dir == MODELS / "prefix-cache"
    return chat


def test_the_local_model_picks_the_read_tool_with_valid_arguments(model: LocalChatModel) -> None:
    warm = model.warm_up(SYSTEM, TOOLS)
    assert warm.prefix_tokens > 100 and warm.how in ("evaluated", "restored")
    assert len(list(model.prefix_cache_dir.glob("prefix-*.kv"))) >= 1

    reply = model.bind_tools(TOOLS).invoke([SystemMessage(SYSTEM), HumanMessage("What is the vibration of P-101?")])

    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("machine_status", {"machine_id": "P-101"})]
    assert reply.invalid_tool_calls == [] and reply.content == ""
    assert reply.usage_metadata["input_token_details"]["cache_read"] >= warm.prefix_tokens  # the warm prefix reused


def test_a_call_is_announced_to_listeners_by_its_name_before_its_arguments_are_written(model: LocalChatModel) -> None:
    heard: list[str] = []

    class Listener(BaseCallbackHandler):
        def on_llm_new_token(self, token, *, chunk=None, **kwargs) -> None:
            heard.append(chunk.message.response_metadata.get(CALLING))

    messages = [SystemMessage(SYSTEM), HumanMessage("What is the vibration of P-101?")]
    reply = model.bind_tools(TOOLS).invoke(messages, config={"callbacks": [Listener()]})
    assert [c["name"] for c in reply.tool_calls] == ["machine_status"]  # the call itself arrives once, whole
    assert heard == ["machine_status"]

    chunks = list(model.bind_tools(TOOLS).stream(messages))  # streamed: the name comes first, alone
    assert chunks[0].response_metadata.get(CALLING) == "machine_status" and not chunks[0].tool_call_chunks
    joined = chunks[0]
    for chunk in chunks[1:]:
        joined += chunk
    assert [c["name"] for c in joined.tool_calls] == ["machine_status"]


def test_narrowed_to_words_it_answers_from_the_restored_prefix_and_streams(model: LocalChatModel) -> None:
    model.loaded().llama.reset()  # as in a new process: nothing in the KV cache
    warm = model.warm_up(SYSTEM, TOOLS)
    assert warm.how == "restored"

    history = [
        SystemMessage(SYSTEM),
        HumanMessage("What is the vibration of P-101?"),
        AIMessage(content="", tool_calls=[{"name": "machine_status", "args": {"machine_id": "P-101"}, "id": "c1"}]),
        ToolMessage(content='{"machine_id": "P-101", "state": "running", "tags": [{"tag": "vibration", "value": 7.9, '
                            '"unit": "mm/s", "alarm_above": 7.1}]}', tool_call_id="c1"),
    ]
    chunks = list(model.bind_tools(TOOLS).stream(history, tool_choice="none"))

    words = [c.content for c in chunks if c.content]
    assert len(words) > 3  # the answer came token by token, not at the end
    assert "7.9" in "".join(words)
    assert all(not c.tool_call_chunks for c in chunks)


def test_a_prefix_state_file_that_does_not_load_is_ignored_and_replaced(model: LocalChatModel) -> None:
    llm = model.loaded()
    prefix = llm.prompt([{"role": "system", "content": "Short."}], reply=False)
    saved = prefix_state.state_file(model.prefix_cache_dir, model.weights.sha256, prefix)
    saved.write_bytes(b"not a llama.cpp state file")
    llm.llama.reset()
    assert model.warm_up("Short.").how == "evaluated"
    llm.llama.reset()
    assert model.warm_up("Short.").how == "restored"
    saved.unlink()
    assert model.warm_up("Short.").how == "cached" and saved.exists()  # already warm, and saved again
    llm.llama.reset()
    assert model.warm_up("Short.").how == "restored"


def test_a_warmed_prefix_pushed_out_of_the_cache_is_restored_not_evaluated_again(model: LocalChatModel) -> None:
    shots = [HumanMessage("How is P-101?"),
             AIMessage(content="", tool_calls=[{"name": "machine_status", "args": {"machine_id": "P-101"}, "id": "x"}])]
    warm = model.warm_up(SYSTEM, TOOLS, shots)
    bound = model.bind_tools(TOOLS)
    bound.invoke([SystemMessage(SYSTEM), HumanMessage("What is the vibration of OV-201?")])  # leaves the shots
    reply = bound.invoke([SystemMessage(SYSTEM), *shots, HumanMessage("How is HP-102?")])
    assert reply.usage_metadata["input_token_details"]["cache_read"] >= warm.prefix_tokens


def test_a_conversation_longer_than_the_context_is_a_clear_error(model: LocalChatModel) -> None:
    too_long = HumanMessage("vibration " * 2100)
    with pytest.raises(ContextOverflow, match=r"exceeds the model's context of 2048 tokens \(COPILOT_N_CTX\)"):
        model.bind_tools(TOOLS).invoke([SystemMessage(SYSTEM), too_long])


def test_the_chat_template_is_qwen_chatml_from_the_gguf(model: LocalChatModel) -> None:
    llm = model.loaded()
    assert "<|im_start|>" in llm.llama.metadata["tokenizer.chat_template"]
    prompt = llm.prompt([{"role": "system", "content": "S"}, {"role": "user", "content": "U"}])
    assert prompt == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n"


def test_a_tampered_model_file_is_refused_before_llama_cpp_sees_it(tmp_path: Path) -> None:
    weights = ModelWeights(file_name="tampered.gguf", sha256=QWEN25_CODER_1_5B.sha256, distributions=())
    (tmp_path / "tampered.gguf").write_bytes(b"GGUF" + b"\0" * 4096)
    chat = LocalChatModel(weights=weights, model_dir=tmp_path)
    with pytest.raises(ModelIntegrityError, match=QWEN25_CODER_1_5B.sha256):
        chat.invoke("hello")
