"""A suite run's figures, per scenario, category and suite, as JSON for tools and Markdown for people;
and what changed between two runs.

pass^k counts a scenario only when all its k runs succeed: an operator meets
the copilot many times, and one bad answer in four is what they remember.
Utility is the success rate; "under attack" is measured on the scenarios with
planted instructions, and the attack success rate is the share of those runs
in which the copilot proposed what the attack wanted.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path

from pydantic import BaseModel, Field

from copilot import Configuration
from evals.runner import Models, RunResult, run_suite
from evals.scenario import Suite

REPORTS = Path("var") / "evals"  # where runs' reports go by default


class Figures(BaseModel):
    """The figures of a set of runs (a suite, a category or one scenario)."""

    scenarios: int
    runs: int
    success: float = Field(description="share of runs that succeeded")
    pass_k: float = Field(description="share of scenarios whose k runs all succeeded")
    precision: float | None
    recall: float | None
    violations: int
    utility: float | None = Field(description="success without attacks")
    utility_under_attack: float | None
    attack_success_rate: float | None
    latency_s_mean: float
    latency_s_p95: float
    model_calls_mean: float
    input_tokens_mean: float
    output_tokens_mean: float
    blame: dict[str, int] = Field(description="failed runs by who was at fault")

    @classmethod
    def of(cls, results: list[RunResult]) -> Figures:
        by_scenario: dict[str, list[RunResult]] = defaultdict(list)
        for r in results:
            by_scenario[r.scenario].append(r)
        benign = [r for r in results if not r.attack]
        attacked = [r for r in results if r.attack]
        seconds = sorted(r.seconds for r in results) or [0.0]
        return cls(
            scenarios=len(by_scenario),
            runs=len(results),
            success=_share(r.success for r in results) or 0.0,
            pass_k=_share(all(r.success for r in runs) for runs in by_scenario.values()) or 0.0,
            precision=_mean(r.precision for r in results),
            recall=_mean(r.recall for r in results),
            violations=sum(len(r.violations) for r in results),
            utility=_share(r.success for r in benign),
            utility_under_attack=_share(r.success for r in attacked),
            attack_success_rate=_share(bool(r.attack_succeeded) for r in attacked),
            latency_s_mean=round(statistics.fmean(seconds), 2),
            latency_s_p95=round(seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))], 2),
            model_calls_mean=round(statistics.fmean([r.model_calls for r in results] or [0]), 2),
            input_tokens_mean=round(statistics.fmean([r.input_tokens for r in results] or [0]), 1),
            output_tokens_mean=round(statistics.fmean([r.output_tokens for r in results] or [0]), 1),
            blame=dict(Counter(r.blame for r in results if not r.success)),
        )


class ScenarioRow(BaseModel):
    """One scenario's line in the report: its runs' figures, the checks that failed and the errors met."""

    scenario: str
    category: str
    attack: bool
    succeeded: int
    runs: int
    figures: Figures
    failed_checks: list[str] = Field(description="the checks that failed, over all runs, first ones first")
    errors: list[str]


class Report(BaseModel):
    """A suite run's report: its figures overall, per category and per scenario, and every run's result."""

    suite: str
    model: str
    provider: str
    k: int
    created_at: str
    overall: Figures
    categories: dict[str, Figures]
    scenarios: list[ScenarioRow]
    results: list[RunResult]

    @classmethod
    def of(cls, suite: str, model: str, provider: str, k: int, results: list[RunResult]) -> Report:
        by_scenario: dict[str, list[RunResult]] = defaultdict(list)
        by_category: dict[str, list[RunResult]] = defaultdict(list)
        for r in results:
            by_scenario[r.scenario].append(r)
            by_category[r.category].append(r)
        rows = [
            ScenarioRow(
                scenario=name, category=runs[0].category, attack=runs[0].attack,
                succeeded=sum(r.success for r in runs), runs=len(runs), figures=Figures.of(runs),
                failed_checks=list(dict.fromkeys(c.name for r in runs for c in r.checks if not c.passed)),
                errors=list(dict.fromkeys(r.error for r in runs if r.error)),
            )
            for name, runs in by_scenario.items()
        ]
        return cls(suite=suite, model=model, provider=provider, k=k, created_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
                   overall=Figures.of(results), categories={c: Figures.of(rs) for c, rs in sorted(by_category.items())},
                   scenarios=rows, results=results)

    @classmethod
    def load(cls, path: str | Path) -> Report:
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))

    def save(self, folder: Path) -> Path:
        """Write the reports into ``folder`` as SUITE-PROVIDER-TIME.json and .md; return the JSON path."""
        path = folder / f"{self.suite}-{self.provider}-{self.created_at.replace(':', '')}.json"
        self.write(path)
        return path

    def write(self, json_path: Path) -> Path:
        """Write the JSON report and, beside it, the Markdown one; return the Markdown path."""
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(self.model_dump_json(indent=1), encoding="utf-8")
        md = json_path.with_suffix(".md")
        md.write_text(self.markdown(), encoding="utf-8")
        return md

    def markdown(self) -> str:
        o = self.overall
        lines = [
            f"# Eval report: {self.suite}",
            "",
            f"Model `{self.model}` ({self.provider}), k = {self.k}, {self.created_at}.",
            "",
            "| metric | value |",
            "|---|---|",
            *[f"| {name} | {value} |" for name, value in _summary(o)],
            "",
            "## By category",
            "",
            "| category | scenarios | success | pass^k | violations | attack success |",
            "|---|---|---|---|---|---|",
            *[f"| {c} | {f.scenarios} | {_pct(f.success)} | {_pct(f.pass_k)} | {f.violations} | "
              f"{_pct(f.attack_success_rate)} |" for c, f in self.categories.items()],
            "",
            "## By scenario",
            "",
            "| scenario | category | passed | precision | recall | calls | seconds | failed checks |",
            "|---|---|---|---|---|---|---|---|",
            *[f"| {r.scenario} | {r.category}{' (attack)' if r.attack else ''} | {r.succeeded}/{r.runs} | "
              f"{_num(r.figures.precision)} | {_num(r.figures.recall)} | {r.figures.model_calls_mean:g} | "
              f"{r.figures.latency_s_mean:g} | {'; '.join(r.failed_checks + r.errors) or '-'} |"
              for r in self.scenarios],
        ]
        return "\n".join(lines) + "\n"


async def run_report(suite: Suite, models: Models, *, config: Configuration, k: int, plant,
                     only: list[str] | None = None, record: bool = False, on_result=None) -> Report:
    """Run a suite and report on it (the CLI and the app's Evals page both call this)."""
    results = await run_suite(suite, models, config=config, k=k, plant=plant, only=only, record=record,
                              on_result=on_result)
    return Report.of(suite.name, models.name, models.provider, k, results)


def table(report: Report) -> str:
    """A plain-text table for the terminal."""
    width = max([len(r.scenario) for r in report.scenarios] + [8])
    lines = [f"{'scenario':<{width}}  passed  prec  rec   calls  secs  failed checks"]
    for r in report.scenarios:
        lines.append(f"{r.scenario:<{width}}  {r.succeeded}/{r.runs:<5} {_num(r.figures.precision):<5} "
                     f"{_num(r.figures.recall):<5} {r.figures.model_calls_mean:<6g} {r.figures.latency_s_mean:<5g} "
                     f"{'; '.join(r.failed_checks + r.errors)[:90]}")
    lines += ["", *[f"{name}: {value}" for name, value in _summary(report.overall)]]
    return "\n".join(lines)


def compare(a: Report, b: Report) -> str:
    """What changed from run A to run B: the suite's figures and every scenario whose outcome moved."""
    lines = [f"# {a.suite}: {a.model} ({a.created_at}) → {b.model} ({b.created_at})", "",
             "| metric | A | B | change |", "|---|---|---|---|"]
    for (name, va), (_, vb) in zip(_summary(a.overall), _summary(b.overall), strict=True):
        lines.append(f"| {name} | {va} | {vb} | {_delta(va, vb)} |")
    rows_a = {r.scenario: r for r in a.scenarios}
    rows_b = {r.scenario: r for r in b.scenarios}
    moved = []
    for name in sorted(rows_a.keys() | rows_b.keys()):
        ra, rb = rows_a.get(name), rows_b.get(name)
        sa = f"{ra.succeeded}/{ra.runs}" if ra else "-"
        sb = f"{rb.succeeded}/{rb.runs}" if rb else "-"
        if sa != sb:
            why = "; ".join(rb.failed_checks + rb.errors) if rb and rb.succeeded < rb.runs else ""
            moved.append(f"| {name} | {sa} | {sb} | {why or '-'} |")
    lines += ["", "## Scenarios that changed", ""]
    lines += ["| scenario | A | B | B's failed checks |", "|---|---|---|---|", *moved] if moved else ["none"]
    return "\n".join(lines) + "\n"


def _summary(f: Figures) -> list[tuple[str, str]]:
    return [
        ("scenarios / runs", f"{f.scenarios} / {f.runs}"),
        ("success", _pct(f.success)),
        ("pass^k", _pct(f.pass_k)),
        ("tool-call precision", _num(f.precision)),
        ("tool-call recall", _num(f.recall)),
        ("policy violations", str(f.violations)),
        ("utility (no attack)", _pct(f.utility)),
        ("utility under attack", _pct(f.utility_under_attack)),
        ("attack success rate", _pct(f.attack_success_rate)),
        ("latency mean / p95 (s)", f"{f.latency_s_mean:g} / {f.latency_s_p95:g}"),
        ("model calls per run", f"{f.model_calls_mean:g}"),
        ("tokens in / out per run", f"{f.input_tokens_mean:g} / {f.output_tokens_mean:g}"),
        ("failures by blame", ", ".join(f"{k} {v}" for k, v in sorted(f.blame.items())) or "-"),
    ]


def _delta(a: str, b: str) -> str:
    try:
        x, y = float(a.rstrip("%")), float(b.rstrip("%"))
    except ValueError:
        return "" if a == b else "changed"
    d = y - x
    return "" if d == 0 else f"{d:+.1f}{'%' if a.endswith('%') else ''}"


def _share(flags) -> float | None:
    flags = list(flags)
    return round(sum(flags) / len(flags), 4) if flags else None


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.fmean(values), 3) if values else None


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
