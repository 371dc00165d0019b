"""Figures as pure functions of data (no simulation here)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dyadsim import outcomes
from dyadsim.outcomes import Trajectory

# Okabe-Ito colour-blind-safe palette.
COLOURS = {"partner_a": "#D55E00", "partner_b": "#0072B2", "dyad": "#009E73"}
SHADE = "rgba(230, 159, 0, 0.18)"


def run_figure(
    traj: Trajectory,
    title: str = "",
    names: tuple[str, str] = ("A", "B"),
    events: Sequence[tuple[int, str]] = (),
) -> go.Figure:
    """Time series of one run: activation, pursuit, withdrawal, satisfaction, closeness.

    Pursue-withdraw waves (see :func:`dyadsim.outcomes.waves`) are shaded; ``events``
    (episode, label) are marked with a dashed line and their label.
    """
    rows = ("activation", "pursuit", "withdrawal", "satisfaction")
    fig = make_subplots(rows=len(rows) + 1, cols=1, shared_xaxes=True, vertical_spacing=0.03,
                        subplot_titles=[r.capitalize() for r in rows] + ["Closeness"])
    step = traj["step"]
    for i, var in enumerate(rows, start=1):
        for who, name in zip(("partner_a", "partner_b"), names, strict=True):
            fig.add_trace(go.Scatter(
                x=step, y=traj[f"{who}.{var}"], name=name, legendgroup=who,
                showlegend=i == 1, line={"color": COLOURS[who], "width": 2},
            ), row=i, col=1)
    fig.add_trace(go.Scatter(x=step, y=traj["dyad.closeness"], name="closeness",
                             line={"color": COLOURS["dyad"], "width": 2}),
                  row=len(rows) + 1, col=1)
    for start, end in outcomes.waves(outcomes.pursue_withdraw(traj)[1:]):
        fig.add_vrect(x0=start + 1, x1=end, fillcolor=SHADE, line_width=0, layer="below")
    for step_at, label in events:
        fig.add_vline(x=step_at, line={"color": "#555555", "dash": "dash", "width": 1})
        fig.add_annotation(x=step_at, y=1.0, yref="y domain", text=label, showarrow=False,
                           xanchor="left", yanchor="bottom", font={"size": 12}, row=1, col=1)
    fig.update_yaxes(range=[0, 1.02])
    fig.update_xaxes(title_text="episode", row=len(rows) + 1, col=1)
    fig.update_layout(title=title, height=900, template="plotly_white",
                      font={"size": 16}, legend={"orientation": "h", "y": 1.06})
    return fig
