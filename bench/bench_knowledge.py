"""Benchmark of the manuals store: ingest throughput and query latency at 10,000 and 100,000 chunks.

    python bench/bench_knowledge.py [--sizes 10000 100000] [--cache var/bench-cache]

What is measured, and how (printed with the figures):

1. The real pipeline on the demo manuals: parse, chunk, embed with the int8
   MiniLM model, write to chromadb. The model dominates; its rate is what an
   operator waits for when ingesting real manuals on this machine.
2. Synthetic stores of 10,000 and 100,000 chunks, made of the demo manuals'
   own lines recombined at random (one synthetic machine model per 500
   chunks), ingested through the same public ``ManualStore.ingest``. Embedding
   100,000 chunks with the model would take hours on 2 cores, so each unique
   line is embedded once with the real model (cached in the cache dir) and a
   chunk's vector is the normalised mean of its lines' vectors. The ingest
   rate printed for these stores therefore excludes model time; queries are
   embedded with the real model every time.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml
from chromadb.api.types import Documents, Embeddings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.chunking import chunk_document  # noqa: E402
from knowledge.documents import read_document  # noqa: E402
from knowledge.embeddings import Embedder, MiniLmEmbedder  # noqa: E402
from knowledge.store import ManualStore  # noqa: E402

MANUALS = ROOT / "plants" / "riverside" / "manuals"
QUESTIONS = ROOT / "tests" / "data" / "retrieval_questions.yaml"
CHUNKS_PER_MODEL = 500  # a synthetic manual: 500 sections of one chunk each
LINES_PER_CHUNK = (2, 4)  # of at most 30 words: a chunk stays under the chunker's 120 words


class LineCache:
    """Vectors of single lines, embedded once with the real model and kept in an .npz file."""

    def __init__(self, model: MiniLmEmbedder, path: Path) -> None:
        self.model = model
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        self.embedded_now = 0
        if path.exists():
            with np.load(path) as saved:
                self.vectors = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))

    @staticmethod
    def key(line: str) -> str:
        return hashlib.sha1(line.encode()).hexdigest()

    def ensure(self, lines: list[str]) -> None:
        missing = sorted({line for line in lines if self.key(line) not in self.vectors})
        for start in range(0, len(missing), 256):
            batch = missing[start : start + 256]
            for line, vector in zip(batch, self.model(batch), strict=True):
                self.vectors[self.key(line)] = np.asarray(vector, dtype=np.float32)
        self.embedded_now += len(missing)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self.vectors)
        np.savez(self.path, keys=np.array(keys), vectors=np.stack([self.vectors[k] for k in keys]))


class ComposedEmbedder(Embedder):
    """Bench-only: a chunk's vector is the normalised mean of its lines' cached real vectors; queries use the model."""

    space_id = "bench-composed-minilm"

    def __init__(self, cache: LineCache) -> None:
        self.cache = cache

    def __call__(self, input: Documents) -> Embeddings:
        texts = [[line for line in text.splitlines() if line.strip()] for text in input]
        self.cache.ensure([line for lines in texts for line in lines])
        out = []
        for lines in texts:
            mean = np.mean([self.cache.vectors[self.cache.key(line)] for line in lines], axis=0)
            out.append((mean / np.linalg.norm(mean)).astype(np.float32))
        return out

    def embed_query(self, input: Documents) -> Embeddings:
        return self.cache.model(input)

    @staticmethod
    def name() -> str:
        return "plant_copilot_bench_composed"

    def get_config(self) -> dict:
        return {}

    @staticmethod
    def build_from_config(config: dict) -> ComposedEmbedder:
        raise NotImplementedError("bench-only embedder")


def manual_lines() -> list[str]:
    """The unique prose and table lines of the demo manuals."""
    lines: set[str] = set()
    for path in sorted(MANUALS.iterdir()):
        for chunk in chunk_document(read_document(path)):
            for line in chunk.text.splitlines():
                if 4 <= len(line.split()) <= 30 and not set(line) <= set("|-: "):
                    lines.add(line.strip())
    return sorted(lines)


def write_synthetic_manuals(folder: Path, first_model: int, models: int, chunks_per_model: int,
                            pool: list[str]) -> None:
    """Write ``models`` synthetic manuals, numbered from ``first_model``, of ``chunks_per_model``
    sections each, their lines drawn from ``pool`` (seeded by ``first_model``: the same call writes the same files)."""
    rng = random.Random(first_model)
    for m in range(first_model, first_model + models):
        model = f"Synthomat S-{m:04d}"
        out = [f"---\ntitle: {model} Manual\nmachine_model: {model}\n---\n", f"# {model} Manual\n"]
        for n in range(chunks_per_model):
            if n % 5 == 0:
                out.append(f"<!-- page {n // 5 + 1} -->\n")
            out.append(f"## {n + 1} Topic {n % 37}\n")
            out.append("\n".join(rng.sample(pool, rng.randint(*LINES_PER_CHUNK))) + "\n")
        (folder / f"synthomat-s{m:04d}.md").write_text("\n".join(out))


def percentiles(samples: list[float]) -> str:
    """p50 and p95 of ``samples`` (seconds), in milliseconds, as printed."""
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return f"p50 {statistics.median(ms):6.1f} ms   p95 {p95:6.1f} ms"


def measure_queries(store: ManualStore, questions: list[str], models: list[str]) -> None:
    """Print the catalogue build after an ingest and the query latency of each search mode, with and
    without a machine filter."""
    started = time.perf_counter()
    store.manuals()  # the first read after an ingest loads the catalogue and builds BM25
    print(f"  catalogue + BM25 build after ingest: {time.perf_counter() - started:.1f} s")
    for label, mode, filtered in (
        ("hybrid", "hybrid", False),
        ("hybrid, machine filter", "hybrid", True),
        ("vector", "vector", False),
        ("vector, machine filter", "vector", True),
        ("lexical", "lexical", False),
        ("lexical, machine filter", "lexical", True),
    ):
        samples = []
        for i, q in enumerate(questions):
            model = models[i % len(models)] if filtered else None
            t = time.perf_counter()
            store.search(q, 5, machine_model=model, mode=mode)  # type: ignore[arg-type]
            samples.append(time.perf_counter() - t)
        print(f"  query {label:<24} {percentiles(samples)}   ({len(samples)} queries, k=5)")


def main() -> None:
    """Grow a synthetic store to each of ``--sizes`` chunks; print ingest speed and query latency at each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "bench-cache")
    args = parser.parse_args()
    questions = [q["q"] for q in yaml.safe_load(QUESTIONS.read_text())["questions"]]
    work = Path(tempfile.mkdtemp(prefix="bench-knowledge-"))
    try:
        model = MiniLmEmbedder()
        print("== real pipeline: demo manuals, int8 MiniLM on this machine")
        store = ManualStore(work / "real", model)
        report = store.ingest(MANUALS)
        print(f"  ingest {report.chunks_written} chunks from {len(report.files)} manuals in {report.seconds:.1f} s: "
              f"{report.chunks_written / report.seconds:.1f} chunks/s (model-bound)")
        measure_queries(store, questions, ["Aquaflow CP-80", "Beltline BL-40", "Thermacure TC-6"])

        cache = LineCache(model, args.cache / "minilm-lines.npz")
        pool = manual_lines()
        cache.ensure(pool)
        store = ManualStore(work / "synthetic", ComposedEmbedder(cache))
        folder = work / "synthetic-manuals"
        folder.mkdir()
        done_models = 0
        for size in sorted(args.sizes):
            models_now = max(1, size // CHUNKS_PER_MODEL)
            for old in folder.iterdir():
                old.unlink()
            write_synthetic_manuals(folder, done_models, models_now - done_models, CHUNKS_PER_MODEL, pool)
            print(f"== synthetic store: {size:,} chunks ({models_now} machine models; vectors composed from "
                  f"cached real line vectors, see the docstring)")
            report = store.ingest(folder)
            print(f"  ingest {report.chunks_written:,} new chunks in {report.seconds:.1f} s: "
                  f"{report.chunks_written / report.seconds:,.0f} chunks/s "
                  "(parse, chunk, chromadb write; no model time)")
            print(f"  store now holds {store.chunk_count():,} chunks")
            measure_queries(store, questions, [f"Synthomat S-{m:04d}" for m in range(models_now)])
            done_models = models_now
        cache.save()
        print(f"line vectors: {len(cache.vectors):,} cached in {cache.path}, "
              f"{cache.embedded_now:,} embedded in this run")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
