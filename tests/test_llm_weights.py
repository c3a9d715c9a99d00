"""The local model's weights: joined from parts once, checked by sha256, refused when tampered with."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from copilot.llm.weights import (
    QWEN25_CODER_1_5B,
    ModelIntegrityError,
    ModelWeights,
    WeightsNotInstalled,
    installed_parts,
    join_parts,
    model_file,
    verify,
)

CONTENT = [b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 5]
SHA = hashlib.sha256(b"".join(CONTENT)).hexdigest()


@pytest.fixture
def parts(tmp_path: Path) -> list[Path]:
    paths = []
    for i, data in enumerate(CONTENT, 1):
        path = tmp_path / "parts" / f"part{i:02d}.bin"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        paths.append(path)
    return paths


def test_parts_join_in_order_into_one_verified_file(parts: list[Path], tmp_path: Path) -> None:
    dest = join_parts(parts, tmp_path / "models" / "m.gguf", SHA)
    assert dest.read_bytes() == b"".join(CONTENT)
    verify(dest, SHA)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["m.gguf", "m.gguf.sha256.json"]


def test_parts_that_do_not_hash_to_the_pinned_digest_leave_no_file(parts: list[Path], tmp_path: Path) -> None:
    dest = tmp_path / "models" / "m.gguf"
    with pytest.raises(ModelIntegrityError) as err:
        join_parts(list(reversed(parts)), dest, SHA)
    assert err.value.expected == SHA and err.value.actual != SHA
    assert list(dest.parent.iterdir()) == []  # neither the file nor a temporary one


def test_a_tampered_model_file_is_refused_naming_both_digests(parts: list[Path], tmp_path: Path) -> None:
    dest = join_parts(parts, tmp_path / "m.gguf", SHA)
    data = bytearray(dest.read_bytes())
    data[100] ^= 0xFF
    dest.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError) as err:
        verify(dest, SHA)
    actual = hashlib.sha256(bytes(data)).hexdigest()
    assert err.value.actual == actual
    assert SHA in str(err.value) and actual in str(err.value) and "refusing to load" in str(err.value)


def test_a_remembered_digest_is_not_trusted_once_the_file_changes(parts: list[Path], tmp_path: Path) -> None:
    """The digest record is keyed by size and mtime: a same-size rewrite with a new mtime is hashed again."""
    dest = join_parts(parts, tmp_path / "m.gguf", SHA)
    stat = dest.stat()
    dest.write_bytes(b"X" * stat.st_size)
    os.utime(dest, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    with pytest.raises(ModelIntegrityError):
        verify(dest, SHA)


def test_model_file_refuses_a_tampered_cached_file_instead_of_rebuilding_quietly(tmp_path: Path) -> None:
    weights = ModelWeights(file_name="m.gguf", sha256=SHA, distributions=())
    (tmp_path / "m.gguf").write_bytes(b"not the model")
    with pytest.raises(ModelIntegrityError):
        model_file(weights, tmp_path)


def test_missing_weight_packages_are_named_with_the_install_command(tmp_path: Path) -> None:
    weights = ModelWeights(file_name="m.gguf", sha256=SHA,
                           distributions=("no-such-weights-part1", "no-such-weights-part2"))
    with pytest.raises(WeightsNotInstalled, match="no-such-weights-part1, no-such-weights-part2.*--no-deps"):
        model_file(weights, tmp_path)


def test_the_installed_parts_are_found_in_order() -> None:
    try:
        parts = installed_parts(QWEN25_CODER_1_5B)
    except WeightsNotInstalled as exc:
        pytest.skip(f"the model weights are not installed: {exc}")
    assert [p.name for p in parts] == [f"part{n:02d}.bin" for n in range(1, 23)]
    assert sum(p.stat().st_size for p in parts) == 1_117_320_768
