"""One loaded llama.cpp model per process and parameters, shared by every chat model that uses it.

llama.cpp keeps the tokens it last evaluated in its KV cache and reuses the
longest common prefix on the next call, so a stable system prompt and tool list
are paid for once. That only works if every call goes to the same ``Llama``
object, hence this process-wide table; a lock serialises calls, since one
context decodes one sequence at a time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from llama_cpp import Llama, LlamaGrammar
from llama_cpp import llama_cpp as capi
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from copilot.llm import prefix_state
from copilot.llm.errors import ContextOverflow


@dataclass(frozen=True)
class LlamaParams:
    """What a loaded ``Llama`` is kept for: the GGUF file and the context, thread and batch sizes."""

    path: Path
    n_ctx: int
    n_threads: int
    n_batch: int


@dataclass(frozen=True)
class Piece:
    """A piece of generated text; the last one of a completion carries its ``finish_reason``."""

    text: str
    finish_reason: str | None = None


@dataclass(frozen=True)
class Warmed:
    """A warmed prefix: how many tokens, and how it came into the KV cache."""

    tokens: int
    how: str  # "cached" (already in this process), "restored" (from the state file), "evaluated"


@dataclass
class Usage:
    """What one completion cost, from llama.cpp's own counters."""

    prompt_tokens: int = 0
    cached_tokens: int = 0  # of the prompt, reused from the KV cache
    completion_tokens: int = 0
    prompt_ms: float = 0.0  # evaluating the prompt tokens that were not cached
    evaluated_prompt_tokens: int = 0
    generation_ms: float = 0.0  # decoding the generated tokens


@dataclass
class LoadedLlama:
    """One loaded ``Llama``: its parameters, load time, the lock every call holds, and the last
    warmed prefix."""

    llama: Llama
    params: LlamaParams
    load_s: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    warmed: tuple[list[int], Path] | None = None
    """The last warmed prefix and the file that holds its state: a prompt that starts with it gets it restored
    when other prompts pushed it out of the KV cache, rather than evaluating it again."""

    def __post_init__(self) -> None:
        template = self.llama.metadata.get("tokenizer.chat_template")
        if not template:
            raise ValueError(f"{self.params.path} carries no chat template")
        tokens = self.llama._model
        eos = tokens.token_get_text(self.llama.token_eos())
        bos = tokens.token_get_text(self.llama.token_bos())
        self._reply_format = Jinja2ChatFormatter(template, eos_token=eos, bos_token=bos, add_generation_prompt=True)
        self._prefix_format = Jinja2ChatFormatter(template, eos_token=eos, bos_token=bos, add_generation_prompt=False)
        self.stop = [eos]

    def prompt(self, messages: list[dict[str, str]], *, reply: bool = True) -> str:
        """The conversation in the model's own chat template (from the GGUF metadata: ChatML for Qwen2.5)."""
        formatter = self._reply_format if reply else self._prefix_format
        return formatter(messages=messages).prompt

    def warm(self, prefix: str, saved: Path | None) -> Warmed:
        """Make ``prefix`` the start of the KV cache: already there, restored from ``saved``, or evaluated;
        and make sure ``saved`` holds it for the next process."""
        with self.lock:
            llama = self.llama
            tokens = self._tokens(prefix)
            self.warmed = (tokens, saved) if saved is not None else None
            if Llama.longest_token_prefix(llama.input_ids[: llama.n_tokens].tolist(), tokens) == len(tokens):
                if saved is not None and not saved.exists():
                    prefix_state.save(llama, saved, tokens)
                return Warmed(tokens=len(tokens), how="cached")
            if saved is not None and saved.exists() and prefix_state.restore(llama, saved, tokens):
                return Warmed(tokens=len(tokens), how="restored")
            llama.reset()
            llama.eval(tokens)
            if saved is not None:
                prefix_state.save(llama, saved, tokens)
            return Warmed(tokens=len(tokens), how="evaluated")

    def complete(
        self,
        prompt: str,
        *,
        max_tokens: int,
        temperature: float,
        grammar: LlamaGrammar | None,
        stop: list[str],
        usage: Usage,
    ) -> Iterator[Piece]:
        """Generate from ``prompt``, reusing the cached prefix; ``usage`` is filled in when the stream ends."""
        with self.lock:
            llama = self.llama
            tokens = self._tokens(prompt)
            if len(tokens) + max_tokens > llama.n_ctx():
                raise ContextOverflow(
                    f"the conversation is {len(tokens)} tokens; with {max_tokens} for the reply it exceeds the "
                    f"model's context of {llama.n_ctx()} tokens (COPILOT_N_CTX), start a new conversation"
                )
            usage.prompt_tokens = len(tokens)
            self._restore_warmed(tokens)
            usage.cached_tokens = Llama.longest_token_prefix(llama.input_ids[: llama.n_tokens].tolist(), tokens)
            capi.llama_perf_context_reset(llama.ctx)
            stream = llama.create_completion(
                tokens, max_tokens=max_tokens, temperature=temperature, grammar=grammar, stop=[*self.stop, *stop],
                stream=True,
            )
            for chunk in stream:
                choice = chunk["choices"][0]
                yield Piece(text=choice["text"], finish_reason=choice.get("finish_reason"))
            perf = capi.llama_perf_context(llama.ctx)
            usage.prompt_ms, usage.evaluated_prompt_tokens = perf.t_p_eval_ms, perf.n_p_eval
            usage.generation_ms = perf.t_eval_ms
            usage.completion_tokens = perf.n_eval

    def _restore_warmed(self, tokens: list[int]) -> None:
        if self.warmed is None:
            return
        prefix, saved = self.warmed
        cached = Llama.longest_token_prefix(self.llama.input_ids[: self.llama.n_tokens].tolist(), tokens)
        if cached < len(prefix) <= len(tokens) and tokens[: len(prefix)] == prefix and saved.exists():
            prefix_state.restore(self.llama, saved, prefix)

    def _tokens(self, text: str) -> list[int]:
        return self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)


_LOADED: dict[LlamaParams, LoadedLlama] = {}
_LOADING = threading.Lock()


def loaded(params: LlamaParams, prepare: Callable[[], Path]) -> LoadedLlama:
    """The process's model for these parameters, loaded on first use after ``prepare`` made (and checked) the file."""
    with _LOADING:
        if params not in _LOADED:
            if prepare() != params.path:
                raise ValueError(f"prepared a model file other than {params.path}")
            start = time.perf_counter()
            llama = Llama(
                model_path=str(params.path),
                n_ctx=params.n_ctx,
                n_threads=params.n_threads,
                n_threads_batch=params.n_threads,
                n_batch=params.n_batch,
                verbose=False,
            )
            _LOADED[params] = LoadedLlama(llama=llama, params=params, load_s=time.perf_counter() - start)
        return _LOADED[params]


@lru_cache(maxsize=64)
def grammar(json_schema: str) -> LlamaGrammar:
    """llama.cpp's grammar for a JSON schema, compiled once per distinct schema."""
    return LlamaGrammar.from_json_schema(json_schema, verbose=False)
