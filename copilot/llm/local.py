"""The embedded model: a small instruct model on the CPU through llama.cpp, calling tools by constrained JSON.

The model emits no native tool calls; its output is held by a grammar (made
from :func:`constrained.reply_schema`) to exactly one allowed reply, which
becomes an ordinary tool call, or words for the operator. The system prompt and
the tool list come first and never change with the per-call narrowing, so every
call after the first reuses their KV cache.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    SystemMessage,
)
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable

from copilot.llm import llama_runtime, prefix_state
from copilot.llm.answer_stream import AnswerStream
from copilot.llm.choice import ANSWER, ToolChoice, choices, openai_tools
from copilot.llm.constrained import (
    calling_chunk,
    chat_messages,
    final_chunk,
    reply_schema,
    to_message,
)
from copilot.llm.warmup import WarmUp
from copilot.llm.weights import QWEN25_CODER_1_5B, ModelWeights, model_file


class LocalChatModel(BaseChatModel):
    """A LangChain chat model on the embedded GGUF model (llama-cpp-python on the CPU), with tool
    calls constrained to the reply schema by default."""

    weights: ModelWeights = QWEN25_CODER_1_5B
    model_dir: Path = Path("var/models")
    n_ctx: int = 16384
    n_threads: int = 2
    n_batch: int = 512
    temperature: float = 0.0
    max_tokens: int = 512
    constrained: bool = True
    """False lets the model write freely and reads the first JSON object in its text (for comparison)."""
    prefix_cache_dir: Path | None = None
    """Where ``warm_up`` keeps the evaluated system prompt and tools (their KV state) for the next process."""

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.weights.file_name, "sha256": self.weights.sha256, "constrained": self.constrained,
                "temperature": self.temperature, "max_tokens": self.max_tokens}

    def bind_tools(
        self,
        tools: Sequence[Any],
        *,
        tool_choice: ToolChoice = None,
        allowed_tools: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools; ``tool_choice`` and ``allowed_tools`` may also be given per call to narrow the choice."""
        specs = openai_tools(tools)
        choices(specs, tool_choice, allowed_tools)  # a bad choice fails here, not at the first call
        return self.bind(tools=specs, tool_choice=tool_choice, allowed_tools=allowed_tools, **kwargs)

    def warm_up(self, system_prompt: str, tools: Sequence[Any] = (), shots: Sequence[BaseMessage] = ()) -> WarmUp:
        """Load the model and evaluate the system prompt, tool list and example turns (``shots``), so the first
        request pays only for itself."""
        start = time.perf_counter()
        llm = self.loaded()
        prefix = llm.prompt(chat_messages([SystemMessage(system_prompt), *shots], openai_tools(tools)), reply=False)
        saved = (
            None if self.prefix_cache_dir is None
            else prefix_state.state_file(self.prefix_cache_dir, self.weights.sha256, prefix)
        )
        warmed = llm.warm(prefix, saved)
        return WarmUp(prefix_tokens=warmed.tokens, seconds=time.perf_counter() - start, how=warmed.how)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        tool_choice: ToolChoice = None,
        allowed_tools: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llm = self.loaded()
        specs = list(tools or [])
        allowed = choices(specs, tool_choice, allowed_tools) if specs else None
        prompt = llm.prompt(chat_messages(messages, specs))
        grammar = (
            llama_runtime.grammar(json.dumps(reply_schema(allowed))) if allowed and self.constrained else None
        )
        usage = llama_runtime.Usage()
        answer = AnswerStream()
        written: list[str] = []
        finish_reason = None
        for piece in llm.complete(
            prompt, max_tokens=self.max_tokens, temperature=self.temperature, grammar=grammar, stop=stop or [],
            usage=usage,
        ):
            written.append(piece.text)
            finish_reason = piece.finish_reason or finish_reason
            unnamed = answer.name is None
            delta = answer.feed(piece.text) if allowed else piece.text
            if unnamed and answer.name not in (None, ANSWER):  # the call's name is written: tell it now
                calling = calling_chunk(answer.name)
                if run_manager:
                    run_manager.on_llm_new_token("", chunk=calling)
                yield calling
            if delta:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk
        text = "".join(written)
        if allowed:
            last = final_chunk(to_message(text, allowed, strict=self.constrained), streamed=answer.text)
        else:
            last = AIMessageChunk(content="")
        last.response_metadata = {**last.response_metadata, "model_name": self.weights.file_name,
                                  "finish_reason": finish_reason, "raw_output": text}
        last.usage_metadata = {
            "input_tokens": usage.prompt_tokens,
            "output_tokens": usage.completion_tokens,
            "total_tokens": usage.prompt_tokens + usage.completion_tokens,
            "input_token_details": {"cache_read": usage.cached_tokens},
        }
        yield ChatGenerationChunk(message=last)

    def loaded(self) -> llama_runtime.LoadedLlama:
        """The process's loaded model for these parameters; the first use checks the weights and loads them."""
        directory = self.model_dir.resolve()
        params = llama_runtime.LlamaParams(
            path=directory / self.weights.file_name, n_ctx=self.n_ctx, n_threads=self.n_threads, n_batch=self.n_batch
        )
        return llama_runtime.loaded(params, prepare=lambda: model_file(self.weights, directory))
