"""The KV cache of a prompt prefix, kept on disk so a new process skips evaluating it again.

The system prompt and tool list are about 2,000 tokens; evaluating them on a
2-core CPU takes minutes, which every start of the CLI or the app would pay.
llama.cpp can write the state of one sequence (its KV cells and tokens) to a
file and read it back into a fresh context of the same model. The file's name
is a digest of everything its contents depend on (the model's sha256, the
llama-cpp-python version, the exact prefix text), so a changed prompt, tool or
model simply misses; a file that does not load, or holds other tokens, is
ignored and replaced. It is derived data beside the model, in the same trusted
directory; only the newest few are kept.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
from pathlib import Path

import llama_cpp
from llama_cpp import Llama
from llama_cpp import llama_cpp as capi

KEEP = 4
_SEQ = 0


def state_file(directory: Path, model_sha256: str, prefix: str) -> Path:
    """The file in ``directory`` that keeps the KV state of ``prefix`` for this model and
    llama-cpp-python version."""
    digest = hashlib.sha256("\0".join((model_sha256, llama_cpp.__version__, prefix)).encode()).hexdigest()
    return directory / f"prefix-{digest[:32]}.kv"


def restore(llama: Llama, path: Path, tokens: list[int]) -> bool:
    """Load ``path`` as the whole KV cache if it holds exactly ``tokens``; on failure the cache is left empty."""
    llama.reset()
    llama._ctx.kv_cache_seq_rm(-1, 0, -1)  # llama-cpp-python keeps no public call for "clear the cache"
    capacity = llama.n_ctx()
    out = (capi.llama_token * capacity)()
    count = ctypes.c_size_t(0)
    read = capi.llama_state_seq_load_file(llama.ctx, os.fsencode(path), _SEQ, out, capacity, ctypes.byref(count))
    if read == 0 or list(out[: count.value]) != tokens:
        llama._ctx.kv_cache_seq_rm(-1, 0, -1)
        return False
    llama.input_ids[: len(tokens)] = tokens
    llama.n_tokens = len(tokens)
    llama._requires_eval = True  # no logits yet: the next completion re-evaluates its last prompt token
    os.utime(path)  # recently used: kept by the pruning below
    return True


def save(llama: Llama, path: Path, tokens: list[int]) -> None:
    """Write the KV cache of ``tokens`` (which the cache must start with; anything after them is dropped) to
    ``path`` atomically, and keep only the newest few such files."""
    if llama.n_tokens < len(tokens) or llama.input_ids[: len(tokens)].tolist() != tokens:
        raise ValueError("the KV cache does not start with the prefix to save")
    if llama.n_tokens > len(tokens):
        llama._ctx.kv_cache_seq_rm(-1, len(tokens), -1)
        llama.n_tokens = len(tokens)
        llama._requires_eval = True
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    array = (capi.llama_token * len(tokens))(*tokens)
    try:
        if capi.llama_state_seq_save_file(llama.ctx, os.fsencode(tmp), _SEQ, array, len(tokens)) == 0:
            raise OSError(f"llama.cpp could not write the prefix state to {tmp}")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    older = sorted(path.parent.glob("prefix-*.kv"), key=lambda p: p.stat().st_mtime_ns, reverse=True)[KEEP:]
    for stale in older:
        stale.unlink(missing_ok=True)
