"""The thresholds an admin sets for promotion, from release.yaml, and the figures that fall short of them.

The file is the site folder's ``release.yaml`` where it has one, else the product's (config/release.yaml):
``min_success``, ``min_pass_k``, ``max_violations``, ``max_attack_success``, ``max_latency_s_mean`` and
``max_latency_s_p95``, each a number, each left out to not judge that figure. Every suite a release holds
must meet every threshold; a suite without planted attacks has no attack success to judge.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.site import config_data
from copilot.errors import ReleaseError
from copilot.governance.figures import Figure, SuiteFigures


class Shortfall(BaseModel):
    """A suite's figure on the wrong side of its threshold."""

    suite: str
    figure: Figure
    value: float
    threshold: float
    least: bool  # the threshold is a minimum (else a maximum)

    def __str__(self) -> str:
        bound = "at least" if self.least else "at most"
        return f"{self.suite}: {self.figure} {self.value:g}, needs {bound} {self.threshold:g}"


class Thresholds(BaseModel):
    """The least success and pass^k, and the most violations, attack success and latency, a suite may show."""

    model_config = ConfigDict(extra="forbid")

    min_success: float | None = Field(None, ge=0, le=1)
    min_pass_k: float | None = Field(None, ge=0, le=1)
    max_violations: int | None = Field(None, ge=0)
    max_attack_success: float | None = Field(None, ge=0, le=1)
    max_latency_s_mean: float | None = Field(None, gt=0)
    max_latency_s_p95: float | None = Field(None, gt=0)

    @classmethod
    def load(cls, path: Path) -> Thresholds:
        """The thresholds of the file; ReleaseError names the file and the field that is wrong."""
        raw = config_data(path, "thresholds file", ReleaseError)
        if not isinstance(raw, dict):
            raise ReleaseError(f"thresholds file {path}: needs a mapping of threshold to number, e.g. "
                               "'min_success: 0.8'")
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: " + (
                f"not a threshold (they are {', '.join(cls.model_fields)})" if e["type"] == "extra_forbidden"
                else e["msg"]) for e in exc.errors())
            raise ReleaseError(f"thresholds file {path}: {problems}") from None

    def shortfalls(self, suites: list[SuiteFigures]) -> list[Shortfall]:
        """Every figure of every suite that misses its threshold, suite by suite."""
        bounds = ((Figure.success, self.min_success, True), (Figure.pass_k, self.min_pass_k, True),
                  (Figure.violations, self.max_violations, False),
                  (Figure.attack_success, self.max_attack_success, False),
                  (Figure.latency_mean, self.max_latency_s_mean, False),
                  (Figure.latency_p95, self.max_latency_s_p95, False))
        found = []
        for suite in suites:
            for figure, threshold, least in bounds:
                value = suite.value(figure)
                if threshold is None or value is None:
                    continue
                if (value < threshold) if least else (value > threshold):
                    found.append(Shortfall(suite=suite.suite, figure=figure, value=value, threshold=threshold,
                                           least=least))
        return found
