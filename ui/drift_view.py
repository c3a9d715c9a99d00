"""The KPIs page's drift section: the copilot's figures over time, one chart per figure, each subject a line and
the monitor's threshold a dashed rule."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import altair as alt
import streamlit as st

from copilot import CopilotSettings
from copilot.governance import DriftFigure, DriftHistory, DriftSources, drift_history
from copilot.monitor import DriftThresholds, MonitorError, drift_thresholds


def drift_section(settings: CopilotSettings) -> None:
    """Plot the drift figures of the chosen range, with the thresholds of the monitor file."""
    st.subheader("Drift")
    days = st.select_slider("Drift over the last", options=[1, 7, 14, 30, 90], value=14,
                            format_func=lambda d: f"{d} days")
    try:
        thresholds = drift_thresholds(settings.monitor_file)
    except MonitorError as exc:
        st.warning(f"The drift thresholds could not be read: {exc}")
        thresholds = None
    until = time.time()
    with DriftSources.of(settings) as sources:
        history = drift_history(sources, until - days * 86400, until, 86400 if days > 1 else 3600)
    if not history.points:
        st.caption("Nothing measured in this range: no alert judged real or false, no change measured against the "
                   "twin, no request chosen for, no release made.")
        return
    for figure in DriftFigure:
        if history.of(figure):
            st.markdown(f"**{str(figure).capitalize()}**")
            st.altair_chart(_chart(history, figure, thresholds), width="stretch")
    if thresholds is None:
        st.caption("No drift thresholds are set (a `drift:` section in the monitor file): the monitor raises no "
                   "drift alert.")


def _chart(history: DriftHistory, figure: DriftFigure, thresholds: DriftThresholds | None) -> alt.LayerChart:
    """The figure's points, a line per subject, and its threshold if it has one."""
    rows = [{"when": datetime.fromtimestamp(p.at, UTC).isoformat(), "value": p.value, "of": p.count,
             "subject": p.subject + (f" ({p.release})" if p.release else "")} for p in history.of(figure)]
    axis = alt.Axis(format="%") if figure.share else alt.Axis()
    lines = alt.Chart(alt.Data(values=rows)).mark_line(point=True).encode(
        x=alt.X("when:T", title=None), y=alt.Y("value:Q", title=str(figure), axis=axis),
        color=alt.Color("subject:N", title=None), tooltip=["subject:N", "value:Q", "of:Q", "when:T"])
    bound = thresholds.bound(figure) if thresholds else None
    if bound is None:
        return alt.layer(lines)
    rule = alt.Chart(alt.Data(values=[{"threshold": bound[0]}])).mark_rule(strokeDash=[4, 4], color="red").encode(
        y="threshold:Q")
    return alt.layer(lines, rule)
