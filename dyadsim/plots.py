"""Figures as pure functions of data (no simulation here).

The figures are built as plain Plotly dicts and wrapped in a :class:`go.Figure` without
validation: they are drawn on every request of the dashboard's couple page, where
Plotly's validation, template copies and ``add_vrect`` cost far more than the run itself.
The template and the subplot grid are resolved once per process (:func:`template`,
:func:`_grid`).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dyadsim import outcomes
from dyadsim.outcomes import Trajectory
from dyadsim.timeunits import time_axis

# Okabe-Ito colour-blind-safe palette.
COLOURS = {"partner_a": "#D55E00", "partner_b": "#0072B2", "dyad": "#009E73"}
SHADE = "rgba(230, 159, 0, 0.18)"
#: The rows of :func:`run_figure` (the last one, closeness, is the couple's).
ROWS = ("activation", "pursuit", "withdrawal", "satisfaction", "trust")
_TITLES = ("Distress (activation)", "Pursuit", "Withdrawal", "Satisfaction", "Trust",
           "Closeness")
"""Panel titles, in the words the captions use (a caption's "distress" is the activation)."""
#: Hover text of every series: the day and the value (the trace's name beside it).
HOVER = "day %{x}: %{y:.3f}"


@functools.cache
def template(name: str = "plotly_white") -> dict[str, Any]:
    """A Plotly template as a plain dict, resolved once per process; never mutate it."""
    import plotly.io as pio

    return pio.templates[name].to_plotly_json()


@functools.cache
def _grid() -> dict[str, Any]:
    """The axes and subplot titles of :func:`run_figure`'s grid (from ``make_subplots``)."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=len(_TITLES), cols=1, shared_xaxes=True, vertical_spacing=0.03,
                        subplot_titles=list(_TITLES))
    layout = fig.to_plotly_json()["layout"]
    return {k: v for k, v in layout.items() if k != "template"}


def fast_figure(figure: dict[str, Any]) -> go.Figure:
    """``figure`` (``{"data": [...], "layout": {...}}``) as a :class:`go.Figure`, unvalidated.

    Only for figures this package builds itself, which are valid by construction.
    """
    return go.Figure(figure, _validate=False)


def _axis(row: int) -> str:
    return "" if row == 1 else str(row)


def run_figure_dict(
    traj: Trajectory,
    title: str = "",
    names: tuple[str, str] = ("A", "B"),
    events: Sequence[tuple[int, str]] = (),
    annotation_size: int | None = None,
    last_day: int | None = None,
) -> dict[str, Any]:
    """:func:`run_figure` as a plain dict; ``annotation_size`` sets every annotation's font.

    The time axis is in days (one episode is one day), ticked every week or month up to
    ``last_day`` (default: the trajectory's last step), so a run drawn part-way keeps the
    ticks of the whole run.
    """
    step = np.asarray(traj["step"])
    last = int(step[-1]) if last_day is None and step.size else int(last_day or 0)
    ticks = time_axis(last)
    rows = len(_TITLES)
    data: list[dict[str, Any]] = []
    for i, var in enumerate(ROWS, start=1):
        for who, name in zip(("partner_a", "partner_b"), names, strict=True):
            data.append({"type": "scatter", "x": step, "y": np.asarray(traj[f"{who}.{var}"]),
                         "name": name, "legendgroup": who, "showlegend": i == 1,
                         "line": {"color": COLOURS[who], "width": 2}, "hovertemplate": HOVER,
                         "xaxis": f"x{_axis(i)}", "yaxis": f"y{_axis(i)}"})
    data.append({"type": "scatter", "x": step, "y": np.asarray(traj["dyad.closeness"]),
                 "name": "closeness", "line": {"color": COLOURS["dyad"], "width": 2},
                 "hovertemplate": HOVER,
                 "xaxis": f"x{rows}", "yaxis": f"y{rows}"})
    data += _moments(traj, step, rows)
    shapes: list[dict[str, Any]] = []
    spans = outcomes.waves(outcomes.pursue_withdraw(traj)[1:])
    if spans:  # a legend entry for the shading (a square of its colour, no data)
        data.append({"type": "scatter", "x": [None], "y": [None], "mode": "markers",
                     "name": "pursue-withdraw wave (shaded)",
                     "hovertemplate": "day %{x}: a pursue-withdraw wave<extra></extra>",
                     "marker": {"symbol": "square", "size": 14, "color": SHADE,
                                "line": {"color": "rgba(230, 159, 0, 0.6)", "width": 1}}})
    for start, end in spans:
        shapes += [{"type": "rect", "x0": start + 1, "x1": end, "y0": 0, "y1": 1,
                    "xref": f"x{_axis(r)}", "yref": f"y{_axis(r)} domain",
                    "fillcolor": SHADE, "line": {"width": 0}, "layer": "below"}
                   for r in range(1, rows + 1)]
    grid = _grid()
    annotations = copy.deepcopy(grid["annotations"])
    for step_at, label in events:
        shapes += [{"type": "line", "x0": step_at, "x1": step_at, "y0": 0, "y1": 1,
                    "xref": f"x{_axis(r)}", "yref": f"y{_axis(r)} domain",
                    "line": {"color": "#555555", "dash": "dash", "width": 1}}
                   for r in range(1, rows + 1)]
        annotations.append({"x": step_at, "y": 1.0, "xref": "x", "yref": "y domain",
                            "text": label, "showarrow": False, "xanchor": "left",
                            "yanchor": "bottom", "font": {"size": 12}})
    if annotation_size is not None:
        for note in annotations:
            note["font"] = {**note.get("font", {}), "size": annotation_size}
    layout: dict[str, Any] = {
        "annotations": annotations, "title": {"text": title}, "height": 1040,
        "template": template(), "font": {"size": 16},
        "legend": {"orientation": "h", "y": 1.06}}
    for r in range(1, rows + 1):
        layout[f"xaxis{_axis(r)}"] = {**grid[f"xaxis{_axis(r)}"], **ticks}
        layout[f"yaxis{_axis(r)}"] = {**grid[f"yaxis{_axis(r)}"], "range": [0, 1.02]}
    for r in range(1, rows):
        del layout[f"xaxis{_axis(r)}"]["title"]  # the time axis is named once, at the bottom
    if shapes:
        layout["shapes"] = shapes
    return {"data": data, "layout": layout}


def _moments(traj: Trajectory, step: np.ndarray, row: int) -> list[dict[str, Any]]:
    """Markers on the closeness panel: days with a repair taken up, and life events.

    A repair day is one where either partner's ``repair`` is 1; a life event is a day a
    partner's outside stress (``load``) jumped by more than 0.1. Trajectories recorded
    without these columns get no markers.
    """
    out: list[dict[str, Any]] = []
    close = np.asarray(traj["dyad.closeness"], dtype=float)
    if "partner_a.repair" in traj:
        hit = ((np.asarray(traj["partner_a.repair"]) > 0)
               | (np.asarray(traj["partner_b.repair"]) > 0))
        out.append({"type": "scatter", "mode": "markers", "x": step[hit], "y": close[hit],
                    "name": "repair taken up", "marker": {"symbol": "star", "size": 11,
                                                          "color": "#009E73"},
                    "hovertemplate": "day %{x}: a repair attempt was taken up<extra></extra>",
                    "xaxis": f"x{_axis(row)}", "yaxis": f"y{_axis(row)}"})
    if "partner_a.load" in traj:
        jump = np.zeros(step.shape[0], dtype=bool)
        for who in ("partner_a", "partner_b"):
            load = np.asarray(traj[f"{who}.load"], dtype=float)
            jump[1:] |= np.diff(load) > 0.1
        out.append({"type": "scatter", "mode": "markers", "x": step[jump],
                    "y": np.full(int(jump.sum()), 0.04),
                    "name": "life event", "marker": {"symbol": "triangle-up", "size": 10,
                                                     "color": "#555555"},
                    "hovertemplate": "day %{x}: a stressful life event<extra></extra>",
                    "xaxis": f"x{_axis(row)}", "yaxis": f"y{_axis(row)}"})
    return out


def run_figure(
    traj: Trajectory,
    title: str = "",
    names: tuple[str, str] = ("A", "B"),
    events: Sequence[tuple[int, str]] = (),
) -> go.Figure:
    """Time series of one run: activation, pursuit, withdrawal, satisfaction, closeness.

    Pursue-withdraw waves (see :func:`dyadsim.outcomes.waves`) are shaded; ``events``
    (day, label) are marked with a dashed line and their label. Time is in days, with
    ticks every week for runs up to about three months and every month beyond.
    """
    return fast_figure(run_figure_dict(traj, title, names, events))
