"""The embedders: the offline MiniLM model (checksummed) and an OpenAI-compatible endpoint on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from chromadb.utils.embedding_functions import known_embedding_functions

from knowledge.embeddings import MODEL_DISTRIBUTION, MODEL_FILE, MiniLmEmbedder, OpenAIEmbedder, _installed_file
from knowledge.errors import EmbeddingFailed, ModelFilesMissing, ModelIntegrityError
from knowledge.open import open_embedder
from knowledge.settings import KnowledgeSettings


@pytest.fixture(scope="module")
def minilm() -> MiniLmEmbedder:
    return MiniLmEmbedder()


def test_minilm_vectors_are_normalised_deterministic_and_meaningful(minilm: MiniLmEmbedder) -> None:
    texts = [
        "the cooling water pump vibrates strongly",
        "high vibration on the centrifugal pump bearing",
        "replace the conveyor belt",
    ]
    vectors = np.array(minilm(texts))
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(np.array(minilm(texts[:1]))[0], vectors[0], atol=1e-5)  # batching does not change a vector
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2] + 0.2


def test_a_tampered_model_file_is_refused(tmp_path: Path) -> None:
    data = bytearray(_installed_file(MODEL_DISTRIBUTION, MODEL_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered = tmp_path / "model.onnx"
    tampered.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="refusing to use it"):
        MiniLmEmbedder(model_path=tampered)


def test_a_tampered_tokenizer_is_refused(tmp_path: Path) -> None:
    tokenizer = tmp_path / "tokenizer.json"
    tokenizer.write_text('{"version": "1.0"}')
    with pytest.raises(ModelIntegrityError, match="tokenizer"):
        MiniLmEmbedder(tokenizer_path=tokenizer)


def test_a_missing_weight_package_says_how_to_install_it() -> None:
    with pytest.raises(ModelFilesMissing, match="requirements-weights.txt"):
        _installed_file("no-such-weights-package", "x/model.onnx")


def test_embedders_are_registered_with_chromadb_and_configs_hold_no_key() -> None:
    assert known_embedding_functions[MiniLmEmbedder.name()] is MiniLmEmbedder
    assert known_embedding_functions[OpenAIEmbedder.name()] is OpenAIEmbedder
    openai = OpenAIEmbedder("text-embedding-3-small", base_url="http://127.0.0.1:9/v1", api_key="sk-secret")
    assert "sk-secret" not in json.dumps(openai.get_config())
    assert openai.space_id == "openai-text-embedding-3-small"


class _EmbeddingsServer(BaseHTTPRequestHandler):
    """A loopback OpenAI-compatible /v1/embeddings endpoint: vectors from the text's bytes, or HTTP 500."""

    fail = False
    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        if type(self).fail:
            self._reply(500, {"error": {"message": "model not loaded", "type": "server_error"}})
            return
        data = [
            {"object": "embedding", "index": i,
             "embedding": [float(b) + 1.0 for b in text.encode()[:4].ljust(4, b"\0")]}
            for i, text in enumerate(body["input"])
        ]
        self._reply(200, {"object": "list", "data": data, "model": body["model"],
                          "usage": {"prompt_tokens": 1, "total_tokens": 1}})

    def _reply(self, status: int, payload: dict) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[str]:
    _EmbeddingsServer.fail = False
    _EmbeddingsServer.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmbeddingsServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_openai_embedder_batches_normalises_and_sends_the_key(endpoint: str) -> None:
    embedder = OpenAIEmbedder("nomic-embed", base_url=endpoint, api_key="k-123", batch_size=2, max_retries=0)
    vectors = np.array(embedder(["abcd", "wxyz", "a"]))
    assert vectors.shape == (3, 4)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert [len(r["input"]) for r in _EmbeddingsServer.requests] == [2, 1]
    assert {r["auth"] for r in _EmbeddingsServer.requests} == {"Bearer k-123"}
    assert {r["model"] for r in _EmbeddingsServer.requests} == {"nomic-embed"}


def test_openai_embedder_turns_an_endpoint_error_into_embedding_failed(endpoint: str) -> None:
    _EmbeddingsServer.fail = True
    embedder = OpenAIEmbedder("nomic-embed", base_url=endpoint, max_retries=0)
    with pytest.raises(EmbeddingFailed, match="model not loaded"):
        embedder(["text"])


def test_settings_choose_the_embedder(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> None:
    monkeypatch.setenv("PLANT_EMBEDDINGS", "openai")
    monkeypatch.setenv("PLANT_EMBEDDINGS_BASE_URL", endpoint)
    monkeypatch.setenv("PLANT_EMBEDDINGS_MODEL", "bge-small")
    monkeypatch.setenv("PLANT_EMBEDDINGS_API_KEY", "k-env")
    embedder = open_embedder(KnowledgeSettings())
    assert isinstance(embedder, OpenAIEmbedder) and embedder.space_id == "openai-bge-small"
    embedder(["x"])
    assert _EmbeddingsServer.requests[-1]["auth"] == "Bearer k-env"
    assert "k-env" not in repr(KnowledgeSettings())
    # chromadb keeps the config with the collection and rebuilds the embedder from it: the key's variable, not the key
    config = embedder.get_config()
    assert "k-env" not in str(config) and config["api_key_env"] == "PLANT_EMBEDDINGS_API_KEY"
    monkeypatch.setenv("PLANT_EMBEDDINGS_API_KEY", "k-rotated")
    OpenAIEmbedder.build_from_config(config)(["y"])
    assert _EmbeddingsServer.requests[-1]["auth"] == "Bearer k-rotated"
