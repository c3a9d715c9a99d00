"""An eval report's figures, as a release keeps them: per suite, the six that a promotion is judged on.

The reports are the JSON files ``plant-copilot eval run`` writes (evals/report.py, into var/evals/); only the
suite, the model, k, when, and the overall figures are read, so a report from a newer evals module still reads.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ValidationError

from copilot.errors import ReleaseError


class Figure(StrEnum):
    """A figure a promotion is judged on, by the name a person reads."""

    success = "success"
    pass_k = "pass^k"
    violations = "policy violations"
    attack_success = "attack success"
    latency_mean = "latency mean"
    latency_p95 = "latency p95"


class _Overall(BaseModel):
    success: float
    pass_k: float
    violations: int
    attack_success_rate: float | None
    latency_s_mean: float
    latency_s_p95: float


class SuiteFigures(_Overall):
    """One suite's figures from one report: rates as shares, latencies in seconds per turn; attack success is
    None for a suite without planted attacks."""

    suite: str
    report: str  # the report's file name
    model: str
    provider: str
    k: int
    created_at: str

    def value(self, figure: Figure) -> float | None:
        return {Figure.success: self.success, Figure.pass_k: self.pass_k, Figure.violations: self.violations,
                Figure.attack_success: self.attack_success_rate, Figure.latency_mean: self.latency_s_mean,
                Figure.latency_p95: self.latency_s_p95}[figure]


class _Report(BaseModel):
    suite: str
    model: str
    provider: str
    k: int
    created_at: str
    overall: _Overall


def read_report(path: Path) -> SuiteFigures:
    """The figures of the eval report at ``path``; ReleaseError, in one line, when it is missing or not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReleaseError(f"eval report {path}: {exc.strerror or exc} (`plant-copilot eval run` writes them into "
                           "var/evals/)") from None
    except UnicodeDecodeError:
        raise ReleaseError(f"eval report {path}: not UTF-8 text; give the .json report evals write") from None
    try:
        report = _Report.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "the file"
        raise ReleaseError(f"eval report {path}: not an eval report ({where}: {first['msg']}); give the .json "
                           "report `plant-copilot eval run` writes") from None
    return SuiteFigures(suite=report.suite, report=path.name, model=report.model, provider=report.provider,
                        k=report.k, created_at=report.created_at, **report.overall.model_dump())
