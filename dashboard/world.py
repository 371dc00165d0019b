"""The world view: a picture of the couple on one day, as NetLogo's world shows its agents.

Two partners stand on a line; the gap between them is their emotional distance
(``1 - closeness``). Each partner's circle is filled as deeply as they are distressed
(activation). A bid (pursuit) is an arrow towards the partner, as thick as the pursuit;
withdrawal is an arrow away, as thick as the withdrawal; what a partner offers (their
availability: responsiveness, reassurance) is a halo around them. A day with a lapse
(busy, not there) greys the halo out. After a break-up the two stand far apart, with the
word "apart" between them. Every element is read from the run's recorded trajectory at
the playback cursor, so the picture and the time series always show the same day.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dyadsim.plots import COLOURS, fast_figure, template

FONT = {"size": 16}
MIN_GAP, MAX_GAP = 0.16, 0.84
"""The gap between the partners at full closeness and at none (in plot units)."""
ARROW = 0.14
"""The longest arrow (a bid or a withdrawal at 1)."""
WHO = ("partner_a", "partner_b")


def positions(closeness: float, apart: bool) -> tuple[float, float]:
    """Where the two partners stand: centred, ``gap = MIN_GAP + (MAX_GAP - MIN_GAP)(1 - c)``."""
    gap = MAX_GAP + 0.1 if apart else MIN_GAP + (MAX_GAP - MIN_GAP) * (1.0 - closeness)
    return 0.5 - gap / 2.0, 0.5 + gap / 2.0


def _value(row: pd.Series, column: str) -> float:
    value = float(row[column]) if column in row.index else 0.0
    return 0.0 if not np.isfinite(value) else min(max(value, 0.0), 1.0)


def _arrow(x: float, direction: float, size: float, colour: str, label: str) -> dict[str, Any]:
    """An arrow from ``x`` along ``direction`` (+1 right, -1 left), ``size`` in [0, 1]."""
    return {"x": x + direction * (0.06 + ARROW * size), "y": 0.5, "ax": x + direction * 0.06,
            "ay": 0.5, "xref": "x", "yref": "y", "axref": "x", "ayref": "y",
            "showarrow": True, "arrowhead": 3, "arrowsize": 1.0,
            "arrowwidth": 1.0 + 7.0 * size, "arrowcolor": colour, "opacity": 0.25 + 0.75 * size,
            "text": "", "hovertext": label}


def world_figure(run: dict[str, Any], upto: int) -> go.Figure:
    """The couple on row ``upto`` of the run (a plain dict inside, drawn on every tick)."""
    traj: pd.DataFrame = run["traj"]
    upto = int(min(max(upto, 0), len(traj) - 1))
    row = traj.iloc[upto]
    apart = bool(traj["dyad.dissolved"].iloc[: upto + 1].to_numpy().max() > 0.5) \
        if "dyad.dissolved" in traj else False
    closeness = _value(row, "dyad.closeness")
    xs = positions(closeness, apart)
    names = run["names"]
    data: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for k, who in enumerate(WHO):
        x, colour, name = xs[k], COLOURS[who], names[k]
        toward = 1.0 if k == 0 else -1.0
        distress = _value(row, f"{who}.activation")
        offered = _value(row, f"{who}.availability")
        lapsed = _value(row, f"{who}.lapsed") > 0.5
        data.append({"type": "scatter", "x": [x], "y": [0.5], "mode": "markers",
                     "name": f"{name}: what they offer", "hoverinfo": "skip",
                     "marker": {"size": 70 + 60 * offered, "color": "rgba(0,0,0,0)",
                                "line": {"width": 2 + 8 * offered,
                                         "color": "#9a9a9a" if lapsed else colour}}})
        data.append({"type": "scatter", "x": [x], "y": [0.5], "mode": "markers+text",
                     "name": name, "text": [name], "textposition": "bottom center",
                     "textfont": {"size": 18, "color": colour},
                     "hovertemplate": (f"{name}: distress {distress:.2f}, offers "
                                       f"{offered:.2f}<extra></extra>"),
                     "marker": {"size": 54, "color": colour, "opacity": 0.25 + 0.75 * distress,
                                "line": {"width": 2, "color": "#111111"}}})
        if not apart:
            pursuit = _value(row, f"{who}.pursuit")
            withdrawal = _value(row, f"{who}.withdrawal")
            if pursuit > 0.02:
                annotations.append(_arrow(x, toward, pursuit, colour,
                                          f"{name} reaches out ({pursuit:.2f})"))
            if withdrawal > 0.02:
                annotations.append(_arrow(x, -toward, withdrawal, "#555555",
                                          f"{name} pulls away ({withdrawal:.2f})"))
    between = "apart" if apart else f"closeness {closeness:.2f}"
    annotations.append({"x": 0.5, "y": 0.86, "xref": "x", "yref": "y", "showarrow": False,
                        "text": between, "font": {"size": 18, "color": "#333333"}})
    annotations.append({"x": 0.5, "y": 0.06, "xref": "x", "yref": "y", "showarrow": False,
                        "font": {"size": 12, "color": "#555555"},
                        "text": "gap: distance · fill: distress · arrows: reaching out "
                                "(towards) and pulling away · ring: what each offers"})
    layout = {
        "template": template(), "font": FONT, "height": 300, "showlegend": False,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "uirevision": "world",
        "title": {"text": "The couple today", "font": {"size": 18}},
        "xaxis": {"range": [-0.05, 1.05], "visible": False, "fixedrange": True},
        "yaxis": {"range": [0, 1], "visible": False, "fixedrange": True},
        "annotations": annotations}
    return fast_figure({"data": data, "layout": layout})
