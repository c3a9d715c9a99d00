"""Any OpenAI-compatible chat-completions endpoint: OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp server.

Two ways to call tools: ``native`` sends the tools and reads the endpoint's
``tool_calls``; ``constrained`` sends the JSON protocol of
:mod:`copilot.llm.constrained` and asks for a reply that fits its schema in
the ``response_format`` dialect the server accepts
(:mod:`copilot.llm.response_format`), for served models without reliable
native tool calling. Either way a tool call
reaches the graph only once its arguments are complete JSON: tool-call deltas
are gathered and sent as the last chunk, while answer text streams as it comes
(:mod:`copilot.llm.openai_stream` reads the stream).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import openai
from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.chat_models import (
    agenerate_from_stream,
    generate_from_stream,
)
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    SystemMessage,
    convert_to_openai_messages,
)
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from pydantic import Field, PrivateAttr, SecretStr

from copilot.llm.choice import Choices, ToolChoice, choices, openai_tools
from copilot.llm.constrained import chat_messages, reply_schema
from copilot.llm.errors import FormatRefused, ModelTimedOut, ModelUnavailable
from copilot.llm.openai_stream import StreamReader
from copilot.llm.response_format import (
    DIALECTS,
    REFUSAL_STATUSES,
    Dialects,
    ResponseFormat,
    reply_format,
)
from copilot.llm.warmup import WarmUp

_NO_KEY = "no-key"  # what a local server without authentication gets


class OpenAIChatModel(BaseChatModel):
    """A LangChain chat model on any OpenAI-compatible endpoint, streaming, with native or constrained tool
    calls; the endpoint's failures come out as :class:`ModelUnavailable` (a refused format: :class:`FormatRefused`)."""

    model: str
    base_url: str | None = None
    api_key: SecretStr | None = None
    temperature: float = 0.0
    max_tokens: int = 512
    timeout_s: float = 120.0
    constrained: bool = False
    response_format: ResponseFormat = ResponseFormat.auto
    """How a constrained call asks for its schema (``COPILOT_RESPONSE_FORMAT``); auto detects it."""
    extra_body: dict[str, Any] = Field(default_factory=dict)
    """Fields the server takes beyond the OpenAI protocol, sent in every request's body (its sampling options)."""
    dialects: Dialects = Field(default_factory=lambda: DIALECTS, exclude=True, repr=False)
    """What auto learned of each endpoint: the process's memory unless given one of its own."""

    _client: openai.OpenAI | None = PrivateAttr(default=None)
    _aclient: openai.AsyncOpenAI | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any) -> None:
        if self.base_url is None and self.api_key is None:
            raise ValueError("the OpenAI endpoint needs an API key: set OPENAI_API_KEY or COPILOT_API_KEY "
                             "(or COPILOT_BASE_URL for a local server)")

    @property
    def _llm_type(self) -> str:
        return "openai-compatible"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model, "base_url": self.base_url, "constrained": self.constrained,
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
        choices(specs, tool_choice, allowed_tools)
        return self.bind(tools=specs, tool_choice=tool_choice, allowed_tools=allowed_tools, **kwargs)

    def warm_up(self, system_prompt: str, tools: Sequence[Any] = (), shots: Sequence[BaseMessage] = ()) -> WarmUp:
        """Send the system prompt, tools and example turns once, so a server with prefix caching (vLLM,
        llama.cpp) keeps them."""
        start = time.perf_counter()
        specs = openai_tools(tools)
        allowed = choices(specs) if specs else None
        request = self._requests([SystemMessage(system_prompt), *shots], specs, allowed)
        with self._unavailable():
            response = self._create(lambda dialect: {**request(dialect), "max_tokens": 1}, allowed)
        tokens = response.usage.prompt_tokens if response.usage else 0
        return WarmUp(prefix_tokens=tokens, seconds=time.perf_counter() - start, how="sent")

    # -- LangChain ------------------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return await agenerate_from_stream(self._astream(messages, stop, run_manager, **kwargs))

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
        reader = StreamReader(self._where, self.constrained, tools, tool_choice, allowed_tools)
        request = self._requests(messages, reader.specs, reader.allowed, stop)
        with self._unavailable():
            stream = self._create(lambda dialect: {**request(dialect), **_STREAMED}, reader.allowed)
            for part in stream:
                for chunk in reader.read(part):
                    if run_manager:
                        run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk
        yield reader.last()

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        tool_choice: ToolChoice = None,
        allowed_tools: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        reader = StreamReader(self._where, self.constrained, tools, tool_choice, allowed_tools)
        request = self._requests(messages, reader.specs, reader.allowed, stop)
        with self._unavailable():
            stream = await self._acreate(lambda dialect: {**request(dialect), **_STREAMED}, reader.allowed)
            async for part in stream:
                for chunk in reader.read(part):
                    if run_manager:
                        await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk
        yield reader.last()

    # -- the request ----------------------------------------------------------------------------------

    def _requests(
        self,
        messages: Sequence[BaseMessage],
        specs: list[dict[str, Any]],
        allowed: Choices | None,
        stop: list[str] | None = None,
    ) -> Callable[[ResponseFormat | None], dict[str, Any]]:
        """The request in a given reply-format dialect (None: the request needs none)."""
        return lambda dialect: self._request(messages, specs, allowed, stop, dialect)

    def _request(
        self,
        messages: Sequence[BaseMessage],
        specs: list[dict[str, Any]],
        allowed: Choices | None,
        stop: list[str] | None,
        dialect: ResponseFormat | None,
    ) -> dict[str, Any]:
        request: dict[str, Any] = {"model": self.model, "temperature": self.temperature, "max_tokens": self.max_tokens}
        if self.extra_body:
            request["extra_body"] = self.extra_body
        if stop:
            request["stop"] = stop
        if allowed is None:
            return {**request, "messages": convert_to_openai_messages(list(messages))}
        if self.constrained:  # the dialect is one of _dialects(allowed)
            return {**request, "messages": chat_messages(messages, specs),
                    "response_format": reply_format(dialect, reply_schema(allowed))}
        request["messages"] = convert_to_openai_messages(list(messages))
        if not allowed.tools:  # words only: keep the tools in the request (a stable prefix) but forbid them
            return {**request, "tools": specs, "tool_choice": "none"}
        if allowed.answer:
            return {**request, "tools": list(allowed.tools), "tool_choice": "auto"}
        if len(allowed.tools) == 1:
            forced = {"type": "function", "function": {"name": allowed.names[0]}}
            return {**request, "tools": list(allowed.tools), "tool_choice": forced}
        return {**request, "tools": list(allowed.tools), "tool_choice": "required"}

    def _dialects(self, allowed: Choices | None) -> tuple[ResponseFormat | None, ...]:
        """The reply-format dialects to try for a request, in order (one None when it asks for no schema)."""
        if not self.constrained or allowed is None:
            return (None,)
        return self.dialects.to_try(self.response_format, self._endpoint)

    def _create(self, request: Callable[[ResponseFormat | None], dict[str, Any]], allowed: Choices | None) -> Any:
        refused: list[tuple[ResponseFormat, openai.APIStatusError]] = []
        for dialect in self._dialects(allowed):
            try:
                response = self._sync().chat.completions.create(**request(dialect))
            except openai.APIStatusError as exc:
                if dialect is None or exc.status_code not in REFUSAL_STATUSES:
                    raise
                refused.append((dialect, exc))
                continue
            self._accepted(dialect)
            return response
        raise self._format_refused(refused)

    async def _acreate(self, request: Callable[[ResponseFormat | None], dict[str, Any]],
                       allowed: Choices | None) -> Any:
        refused: list[tuple[ResponseFormat, openai.APIStatusError]] = []
        for dialect in self._dialects(allowed):
            try:
                response = await self._async().chat.completions.create(**request(dialect))
            except openai.APIStatusError as exc:
                if dialect is None or exc.status_code not in REFUSAL_STATUSES:
                    raise
                refused.append((dialect, exc))
                continue
            self._accepted(dialect)
            return response
        raise self._format_refused(refused)

    def _accepted(self, dialect: ResponseFormat | None) -> None:
        if dialect is not None:
            self.dialects.accepted(self._endpoint, dialect)

    def _format_refused(self, refused: list[tuple[ResponseFormat, openai.APIStatusError]]) -> FormatRefused:
        """What the server said to each dialect, and what to set."""
        said = "; ".join(f"{dialect.value}: HTTP {exc.status_code}: {_short(exc.message)}" for dialect, exc in refused)
        if self.response_format is ResponseFormat.auto:
            advice = ("it takes neither reply format; set COPILOT_TOOL_CALL_MODE=native if it calls tools itself, "
                      "or check the error above (a request too long for its context is refused the same way)")
        else:
            others = [f.value for f in ResponseFormat if f is not self.response_format]
            advice = (f"if it does not take this reply format, set COPILOT_RESPONSE_FORMAT to {' or '.join(others)} "
                      "(json_object_schema: llama-cpp-python's server; json_schema: OpenAI, vLLM, llama-server)")
        return FormatRefused(f"{self._where} refused the constrained reply format ({said}); {advice}")

    @property
    def _endpoint(self) -> str:
        return self.base_url or "https://api.openai.com/v1"

    @property
    def _where(self) -> str:
        return f"{self.base_url or 'the OpenAI API'} (model {self.model})"

    @contextmanager
    def _unavailable(self) -> Iterator[None]:
        """The endpoint's failures as :class:`ModelUnavailable`, naming the endpoint and model (never the key)."""
        where = self._where
        try:
            yield
        except openai.APIStatusError as exc:
            raise ModelUnavailable(f"{where} refused the request: HTTP {exc.status_code}: {exc.message}") from exc
        except openai.APITimeoutError as exc:
            raise ModelTimedOut(f"{where} did not answer within {self.timeout_s:g} s") from exc
        except openai.APIError as exc:
            raise ModelUnavailable(f"{where} is unavailable: {exc.message}") from exc

    def _sync(self) -> openai.OpenAI:
        if self._client is None:
            self._client = openai.OpenAI(**self._client_args())
        return self._client

    def _async(self) -> openai.AsyncOpenAI:
        if self._aclient is None:
            self._aclient = openai.AsyncOpenAI(**self._client_args())
        return self._aclient

    def _client_args(self) -> dict[str, Any]:
        key = self.api_key.get_secret_value() if self.api_key else _NO_KEY
        return {"base_url": self.base_url, "api_key": key, "timeout": self.timeout_s, "max_retries": 1}


_STREAMED = {"stream": True, "stream_options": {"include_usage": True}}
_LONGEST_MESSAGE = 300


def _short(text: str) -> str:
    """A server's error message, cut (llama-cpp-python's carries a traceback)."""
    one = " ".join(text.split())
    return one if len(one) <= _LONGEST_MESSAGE else one[:_LONGEST_MESSAGE] + "..."
