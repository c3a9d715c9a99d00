"""Evals (engineers): run a suite with a progress bar, read its report, compare two runs in charts.

A run goes to a background thread of its own (it starts its own simulator, the twin),
so the page stays live; a fragment follows its progress. Reports are the same JSON
files ``plant-copilot eval run`` writes, so runs from the terminal show up here too.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st

from copilot import Configuration
from evals.report import REPORTS, Report, compare, run_report
from evals.runner import RECORDINGS, Models, RunResult
from evals.scenario import ScenarioError, available_suites, suite_named
from ui.auth import require

require("evals")


@dataclass
class EvalJob:
    """One suite run in the background and what the page shows of it."""

    suite: str
    total: int
    done: int = 0
    last: list[str] = field(default_factory=list)
    report_path: Path | None = None
    error: str = ""
    finished: bool = False

    def on_result(self, result: RunResult, done: int, total: int) -> None:
        self.done, self.total = done, total
        outcome = "ok" if result.success else f"failed ({result.blame})"
        self.last.append(f"{result.scenario} #{result.run}: {outcome} in {result.seconds:.0f} s")


def start(name: str, provider: str, k: int, only: list[str]) -> EvalJob:
    """Start running suite ``name`` in a background thread; the job it reports its progress and report to."""
    suite, plant = suite_named(name)
    config = Configuration.for_site(suite.site)  # the suite's own plant, whichever site the app serves
    count = len(suite.chosen(only)) * k
    job = EvalJob(suite=name, total=count)

    def work() -> None:
        try:
            models = Models(provider, name, llm=config.llm)  # type: ignore[arg-type]
            report = asyncio.run(run_report(suite, models, config=config, k=k, plant=plant, only=only or None,
                                            on_result=job.on_result))
            job.report_path = report.save(REPORTS)
        except Exception as exc:  # noqa: BLE001 - shown on the page; the run is over either way
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.finished = True

    threading.Thread(target=work, name=f"eval-{name}", daemon=True).start()
    return job


def reports() -> list[Path]:
    """Saved reports, newest first, and the recorded baselines."""
    found = sorted(REPORTS.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True) if REPORTS.exists() else []
    return found + sorted(RECORDINGS.glob("*/baseline.json"))


def label(path: Path) -> str:
    """How a saved report is named in the picker."""
    return f"baseline of {path.parent.name}" if path.name == "baseline.json" else path.stem


def show(report: Report) -> None:
    """A report: its headline figures, the model and its cost per run, and a table of its scenarios."""
    o = report.overall
    cols = st.columns(5)
    cols[0].metric("Success", f"{100 * o.success:.0f}%")
    cols[1].metric(f"pass^{report.k}", f"{100 * o.pass_k:.0f}%")
    cols[2].metric("Policy violations", o.violations)
    cols[3].metric("Attack success", "-" if o.attack_success_rate is None else f"{100 * o.attack_success_rate:.0f}%")
    cols[4].metric("Latency mean", f"{o.latency_s_mean:.1f} s")
    st.caption(f"{report.suite} · model `{report.model}` · {report.provider} · k={report.k} · {report.created_at} · "
               f"precision {o.precision} · recall {o.recall} · {o.model_calls_mean:g} model calls and "
               f"{o.input_tokens_mean:g}/{o.output_tokens_mean:g} tokens per run")
    st.dataframe(pd.DataFrame([
        {"scenario": r.scenario, "category": r.category, "attack": r.attack, "passed": f"{r.succeeded}/{r.runs}",
         "precision": r.figures.precision, "recall": r.figures.recall, "seconds": r.figures.latency_s_mean,
         "failed checks": "; ".join(r.failed_checks + r.errors)}
        for r in report.scenarios
    ]), hide_index=True)


st.title("Evals")
run_tab, results_tab, compare_tab = st.tabs(["Run a suite", "Results", "Compare"])

with run_tab:
    suites = available_suites()
    a, b, c = st.columns([2, 1, 1])
    name = a.selectbox("Suite", suites, key="eval_suite")
    provider = b.selectbox("Model", ["replay", "local", "openai"], key="eval_provider",
                           help="replay: the recorded replies of the local model, offline and fast")
    k = c.number_input("Runs per scenario (k)", 1, 10, 1, key="eval_k")
    try:
        scenario_ids = [s.id for s in suite_named(name)[0].scenarios]
    except ScenarioError as exc:
        st.error(str(exc))
        st.stop()
    only = st.multiselect("Only these scenarios (empty: all)", scenario_ids, key="eval_only")
    job: EvalJob | None = st.session_state.get("eval_job")
    busy = job is not None and not job.finished
    if st.button("Run", type="primary", disabled=busy, icon=":material/play_arrow:"):
        st.session_state["eval_job"] = job = start(name, provider, int(k), only)

    @st.fragment(run_every=2.0)
    def progress() -> None:
        """The session's running or last job: its progress, its last results, then its error or report."""
        job: EvalJob | None = st.session_state.get("eval_job")
        if job is None:
            st.caption("No run yet in this session.")
            return
        st.progress(job.done / max(job.total, 1), text=f"{job.suite}: {job.done} of {job.total} runs")
        for line in job.last[-5:]:
            st.text(line)
        if job.error:
            st.error(job.error)
        elif job.finished and job.report_path:
            st.success(f"Report written: {job.report_path}")
            show(Report.load(job.report_path))

    progress()

with results_tab:
    saved = reports()
    if not saved:
        st.info("No reports yet: run a suite here or with `plant-copilot eval run SUITE`.")
    else:
        chosen = st.selectbox("Report", saved, format_func=label, key="eval_report")
        show(Report.load(chosen))

with compare_tab:
    saved = reports()
    if len(saved) < 2:
        st.info("Two reports are needed to compare.")
    else:
        left, right = st.columns(2)
        path_a = left.selectbox("A", saved, index=1, format_func=label, key="eval_a")
        path_b = right.selectbox("B", saved, index=0, format_func=label, key="eval_b")
        ra, rb = Report.load(path_a), Report.load(path_b)
        cats = sorted(set(ra.categories) | set(rb.categories))
        st.subheader("Success by category")
        st.bar_chart(pd.DataFrame({
            "A": [100 * ra.categories[c].success if c in ra.categories else None for c in cats],
            "B": [100 * rb.categories[c].success if c in rb.categories else None for c in cats],
        }, index=cats), stack=False)
        st.subheader("Suite figures")
        figures = ["success", "pass_k", "utility", "utility_under_attack", "attack_success_rate"]
        st.bar_chart(pd.DataFrame({
            "A": [100 * (getattr(ra.overall, f) or 0) for f in figures],
            "B": [100 * (getattr(rb.overall, f) or 0) for f in figures],
        }, index=figures), stack=False)
        st.markdown(compare(ra, rb))

st.caption(f"Reports live in {REPORTS}/ · page rendered {time.strftime('%H:%M:%S')}")
