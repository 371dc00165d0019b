"""The dashboard's figures, as pure functions of run and sweep data.

Colours are the Okabe-Ito palette (colour-blind safe); fonts are sized for a projector.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dyadsim import outcomes, readout
from dyadsim.params import REGISTRY
from dyadsim.plots import COLOURS, fast_figure, run_figure_dict, template
from dyadsim.timeunits import span, time_axis

FONT = {"size": 18, "family": "Atkinson Hyperlegible, Verdana, DejaVu Sans, sans-serif"}
#: Okabe-Ito colours for the two sides of a compare, and the heatmap's colour scale
#: (cividis: perceptually uniform and readable with colour-vision deficiency).
SIDE_COLOURS = {"a": "#0072B2", "b": "#E69F00"}
HEATMAP_SCALE = "Cividis"

OUTCOME_TEXT = {
    "settled": "settled: no locked-in or recurring trap, and the couple stays close",
    "escalated": "escalated: the trap locked in (pursuit met by withdrawal, high distress)",
    "cycling": "cycling: the trap comes and goes in waves",
    "dissolved": "dissolved: a partner left and the relationship ended",
    "distant": "distant: the couple stays together but disengaged",
}


METRIC_WORDS: dict[str, str] = {
    "mean_activation": "mean activation (distress)",
    "pursuit_index": "mean pursuit",
    "withdrawal_index": "mean withdrawal",
    "pursue_withdraw_index": "mean pursue-withdraw index (pursuit × withdrawal)",
    "episodes": "number of pursue-withdraw waves",
    "episode_length": "length of a pursue-withdraw wave (days)",
    "time_to_escalation": f"day the loop began (the first of {outcomes.SUSTAIN_STEPS} days "
                          "in it)",
    "trap_entered": "share that ever fell into the loop",
    "satisfaction": "mean satisfaction",
    "final_satisfaction": "satisfaction at the end",
    "closeness": "mean closeness",
    "dissolved_at": "day they split up",
}
"""Every metric in plain words, as the sweep page names it (tested to cover them all)."""


def quantity_label(name: str) -> str:
    """How a heatmap quantity is named on screen, in plain words."""
    if name == "trap":
        return "share caught in the loop (escalated or cycling)"
    if name in outcomes.OUTCOMES:
        return f"share {name}"
    if name in METRIC_WORDS:
        return METRIC_WORDS[name]
    if readout.is_time_metric(name):
        return f"{name.replace('_', ' ')} (days)"
    return name.replace("_", " ")


#: The mean-field regimes (:data:`dyadsim.stability.REGIMES`) in plain words.
REGIME_WORDS: dict[str, str] = {
    "settled": "settled", "trapped": "caught in the loop", "distant": "distant",
    "bistable": "either way (by how they start)", "cycle": "in waves",
}
#: Each boundary curve on a sweep gets its own dash, in drawing order (then they repeat).
BOUNDARY_DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash",
                                    "longdashdot")
#: One colour that stands out on cividis and on the white legend; the dash tells the curves
#: apart.
BOUNDARY_COLOUR = "#FF3FA4"


def boundary_name(between: str) -> str:
    """A mean-field boundary's legend entry in plain words.

    Args:
        between: The regimes on either side, as :class:`dyadsim.stability.Boundary` gives
            them (``"settled | trapped"``).

    Returns:
        Where the curve is in a teacher's words: ``"where settled couples tip into the
        loop"``; a fold (next to ``bistable``) is where how a couple starts begins to decide
        how it ends, a Hopf curve (next to ``cycle``) where the waves begin.
    """
    pair = set(between.split(" | "))
    plain = {"settled": "settled", "trapped": "the loop", "distant": "distant",
             "bistable": "either way", "cycle": "waves"}
    if "cycle" in pair:
        other = sorted(pair - {"cycle"}) or ["cycle"]
        return f"where the waves begin (next to {plain[other[0]]})"
    if "bistable" in pair:
        other = sorted(pair - {"bistable"}) or ["bistable"]
        return f"where how they start decides the end (next to {plain[other[0]]})"
    if "trapped" in pair and len(pair) == 2:
        other = sorted(pair - {"trapped"})[0]
        return f"where {REGIME_WORDS.get(other, other)} couples tip into the loop"
    if pair == {"settled", "distant"}:
        return "where settled couples drift apart"
    return "where " + " turns into ".join(REGIME_WORDS.get(r, r) for r in sorted(pair))


def boundary_lines(boundaries: Sequence[Any]) -> list[dict[str, Any]]:
    """Mean-field boundaries as heatmap overlays: plain names, one dash style each.

    Args:
        boundaries: :class:`dyadsim.stability.Boundary` curves (``between``, ``x``, ``y``).
    """
    return [{"x": b.x, "y": b.y, "name": boundary_name(b.between), "color": BOUNDARY_COLOUR,
             "dash": BOUNDARY_DASHES[k % len(BOUNDARY_DASHES)]}
            for k, b in enumerate(boundaries)]


def _wrapped(text: str, width: int = 18) -> str:
    """A colour bar's title on several short lines (``<br>`` between them)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def param_label(name: str) -> str:
    """A parameter's on-screen label, with the partner it belongs to."""
    param = REGISTRY[name]
    group = {"partner_a": " (A)", "partner_b": " (B)"}.get(param.group, "")
    return f"{param.label}{group}"


def couple_figure(run: dict[str, Any], upto: int) -> go.Figure:
    """The time series of one run up to row ``upto``, on the full run's time axis.

    Built as a plain dict (no Plotly validation): it is drawn on every couple-page request.
    """
    traj: pd.DataFrame = run["traj"].iloc[: upto + 1]
    events = [(e["step"], e["label"]) for e in run["events"] if e["step"] <= run["last"]]
    fig = run_figure_dict(traj, "", tuple(run["names"]), events, annotation_size=16,
                          last_day=run["last"])
    layout = fig["layout"]
    unit = run.get("unit", "day")
    for key in [k for k in layout if k.startswith("xaxis")]:
        if unit != "day":  # moments, not days: no weeks on the axis
            title = layout[key].get("title")
            layout[key].update(time_axis(run["last"], unit, unit),
                               title=title and {"text": unit})
            if not title:
                layout[key].pop("title")
        layout[key]["range"] = [0, run["last"]]
    layout.update(height=900, font=FONT, margin={"l": 60, "r": 20, "t": 40, "b": 50},
                  uirevision="couple", legend={"orientation": "h", "x": 0, "y": -0.12,
                                               "yanchor": "top"})
    return fast_figure(fig)


def loop_region(on: float = outcomes.PW_ON, points: int = 60) -> dict[str, Any]:
    """The phase portrait's shaded region, from the classifier's own rule.

    A pursue-withdraw episode starts where pursuit × withdrawal reaches ``on``
    (:data:`dyadsim.outcomes.PW_ON`), so the region is bounded by the hyperbola
    ``w = on / p`` for ``p`` from ``on`` to 1, and by ``w = 1``: a couple is in it exactly
    when the classifier would count this day towards an episode (for A pursuing and B
    withdrawing).
    """
    p = np.linspace(on, 1.0, points)
    x = np.concatenate([p, [1.0, on]])
    y = np.concatenate([on / p, [1.0, 1.0]])
    return {"type": "scatter", "x": x, "y": y, "mode": "lines", "fill": "toself",
            "name": "in the loop", "hoverinfo": "skip", "line": {"width": 0},
            "fillcolor": "rgba(230, 159, 0, 0.18)"}


def phase_figure(run: dict[str, Any], upto: int) -> go.Figure:
    """A's pursuit against B's withdrawal, drawn up to row ``upto`` (a plain dict inside)."""
    traj: pd.DataFrame = run["traj"].iloc[: upto + 1]
    a, b = run["names"]
    x = traj["partner_a.pursuit"].to_numpy()
    y = traj["partner_b.withdrawal"].to_numpy()
    data = [
        loop_region(),
        {"type": "scatter", "x": x, "y": y, "mode": "lines", "name": "path",
         "line": {"color": "#555555", "width": 1.5}},
        {"type": "scatter", "x": x[-1:], "y": y[-1:], "mode": "markers", "name": "now",
         "marker": {"size": 16, "color": COLOURS["partner_a"],
                    "line": {"color": "black", "width": 1.5}}},
    ]
    layout = {
        "annotations": [{"x": 0.98, "y": 0.98, "text": "in the loop", "showarrow": False,
                         "xanchor": "right", "yanchor": "top",
                         "font": {"size": 15, "color": "#7a5200"}},
                        {"x": 0.5, "y": -0.3, "xref": "paper", "yref": "paper",
                         "showarrow": False, "font": {"size": 12, "color": "#555555"},
                         "text": (f"shaded: {a}'s pursuit × {b}'s withdrawal ≥ "
                                  f"{outcomes.PW_ON:g}, where the classifier starts a "
                                  f"pursue-withdraw episode")}],
        "template": template(), "font": FONT, "height": 450, "showlegend": False,
        "margin": {"l": 70, "r": 20, "t": 50, "b": 110}, "uirevision": "phase",
        "title": {"text": "Phase portrait", "font": {"size": 18}},
        "xaxis": {"title": {"text": f"{a}'s pursuit"}, "range": [0, 1.02]},
        "yaxis": {"title": {"text": f"{b}'s withdrawal"}, "range": [0, 1.02]}}
    return fast_figure({"data": data, "layout": layout})


def _beside(result: dict[str, Any], show: str) -> list[str]:
    """What a heatmap's hover gives beside the quantity shown: the trap share and the indices."""
    return [q for q in ("trap", *readout.index_names())
            if q != show and q in result["tables"]]


def heatmap_figure(result: dict[str, Any], show: str,
                   overlay: Sequence[dict[str, Any]] = ()) -> go.Figure:
    """A sweep's heatmap of one quantity.

    Hover shows the value, its 95% CI and n, and beside it the cell's trap share and its
    continuous indices (mean pursue-withdraw index, activation, closeness, satisfaction), so
    a class share is never read without the quantities its thresholds cut.
    """
    table = result["tables"][show]
    value = np.array(table["value"], dtype=float)
    beside = _beside(result, show)
    custom = np.dstack([np.array(table[k], dtype=float) for k in ("low", "high", "n")]
                       + [np.array(result["tables"][q]["value"], dtype=float) for q in beside])
    share = show == "trap" or show in outcomes.OUTCOMES
    label = quantity_label(show)
    extra = "".join(f"<br>{_hover_name(q)}: %{{customdata[{3 + k}]:.3f}}"
                    for k, q in enumerate(beside))
    fig = go.Figure(go.Heatmap(
        x=result["x"]["values"], y=result["y"]["values"], z=value, customdata=custom,
        colorscale=HEATMAP_SCALE, zmin=0 if share else None, zmax=1 if share else None,
        colorbar={"title": {"text": _wrapped(label)}},
        hovertemplate=(f"{param_label(result['x']['name'])} %{{x:.3g}}<br>"
                       f"{param_label(result['y']['name'])} %{{y:.3g}}<br>"
                       f"{label}: %{{z:.3f}}<br>95% CI %{{customdata[0]:.3f}} to "
                       "%{customdata[1]:.3f}<br>replicates: %{customdata[2]:.0f}"
                       f"{extra}<extra></extra>")))
    for line in overlay:  # lines only: markers would hide the dash that tells curves apart
        fig.add_trace(go.Scatter(x=line["x"], y=line["y"], mode="lines", name=line["name"],
                                 line={"color": line.get("color", "white"), "width": 4,
                                       "dash": line.get("dash", "solid")}))
    fig.update_layout(
        template="plotly_white", font=FONT, height=620,
        title={"text": f"{label}, {result['reps']} replicates per cell, "
                       f"{span(result['steps'])}", "font": {"size": 18}},
        xaxis={"title": param_label(result["x"]["name"])},
        yaxis={"title": param_label(result["y"]["name"])},
        margin={"l": 80, "r": 20, "t": 60, "b": 90 + 30 * len(overlay) if overlay else 70},
        showlegend=bool(overlay),
        legend={"orientation": "h", "y": -0.14, "x": 0, "yanchor": "top",
                "font": {"size": 15},
                "title": {"text": "Lines: the model without chance (mean field)",
                          "side": "top"}})
    return fig


def _hover_name(name: str) -> str:
    """A quantity's name in a hover: ``mean pursue-withdraw index``, ``trap share``."""
    if name in readout.INDICES:
        return f"mean {readout.INDICES[name]}"
    return quantity_label(name)


def cell_figure(samples: Sequence[dict[str, Any]]) -> go.Figure:
    """Sample runs of one sweep cell: their pursue-withdraw signal over time."""
    colours = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
    fig = go.Figure()
    last = max((s["steps"] for s in samples), default=0)
    for k, s in enumerate(samples):
        fig.add_trace(go.Scatter(
            x=s["traj"]["step"], y=s["pw"], mode="lines",
            name=f"replicate {s['replicate'] + 1}: {s['outcome']}",
            line={"color": colours[k % len(colours)], "width": 2},
            hovertemplate="day %{x}: %{y:.3f}"))
    fig.add_hline(y=outcomes.PW_ON, line={"dash": "dot", "color": "#555555"},
                  annotation_text=f"in the loop from here ({outcomes.PW_ON:g})",
                  annotation_position="top left")
    fig.update_layout(template="plotly_white", font=FONT, height=380,
                      title={"text": "Sample runs from this cell", "font": {"size": 18}},
                      xaxis=time_axis(last),
                      yaxis={"title": "pursue-withdraw", "range": [0, 1.02]},
                      legend={"orientation": "h", "y": -0.25},
                      margin={"l": 70, "r": 20, "t": 50, "b": 40})
    return fig


def compare_figure(sides: dict[str, Any], series: dict[str, str]) -> go.Figure:
    """Both compare sides' mean series and outcome shares, on shared axes.

    The series (means with 95% bands) run over days; beside the outcome shares stand the
    continuous indices (mean pursue-withdraw index, activation, closeness, satisfaction,
    each with its 95% CI).
    """
    names = list(series)
    titles = [f"{t} (mean and 95% CI, by day)" for t in series.values()]
    indices = [k for k in readout.index_names()
               if all(k in side.get("indices", {}) for side in sides.values())]
    fig = make_subplots(rows=len(names) + 1, cols=2, vertical_spacing=0.07,
                        horizontal_spacing=0.08, column_widths=[0.5, 0.5],
                        specs=[[{"colspan": 2}, None]] * len(names) + [[{}, {}]],
                        subplot_titles=[*titles, "Outcome shares (95% CI)",
                                        "Beside them: means over runs (95% CI)"],
                        row_heights=[1] * len(names) + [1.2])
    last = 0
    for key, side in sides.items():
        colour = SIDE_COLOURS[key]
        label = side["title"] + (f" without {', '.join(side['without'])}"
                                 if side["without"] else "")
        for row, name in enumerate(names, start=1):
            s = side["series"][name]
            steps = list(range(len(s["mean"])))
            last = max(last, len(steps) - 1)
            fig.add_trace(go.Scatter(x=steps + steps[::-1], y=s["high"] + s["low"][::-1],
                                     fill="toself", fillcolor=_alpha(colour, 0.2),
                                     line={"width": 0}, hoverinfo="skip", showlegend=False,
                                     legendgroup=key), row=row, col=1)
            fig.add_trace(go.Scatter(x=steps, y=s["mean"], name=f"{key.upper()}: {label}",
                                     line={"color": colour, "width": 2.5,
                                           "dash": "solid" if key == "a" else "dash"},
                                     hovertemplate="day %{x}: %{y:.3f}",
                                     legendgroup=key, showlegend=row == 1), row=row, col=1)
        shares = side["shares"]
        cats = [*outcomes.OUTCOMES, "trap"]
        fig.add_trace(_bars(key, colour, cats, [shares[c] for c in cats]),
                      row=len(names) + 1, col=1)
        if indices:
            fig.add_trace(_bars(key, colour, [index_label(k) for k in indices],
                                [side["indices"][k] for k in indices]),
                          row=len(names) + 1, col=2)
    for row in range(1, len(names) + 1):  # one time axis (the titles say "by day")
        fig.update_yaxes(range=[0, 1.02], row=row, col=1)
        fig.update_xaxes(**time_axis(last, ""), showticklabels=row == len(names),
                         matches="x" if row > 1 else None, row=row, col=1)
    fig.update_xaxes(tickangle=0, row=len(names) + 1, col=2)
    for col in (1, 2):
        fig.update_yaxes(range=[0, 1.05], row=len(names) + 1, col=col)
    fig.update_layout(template="plotly_white", font=FONT, height=1100, barmode="group",
                      legend={"orientation": "h", "y": 1.05},
                      margin={"l": 60, "r": 20, "t": 90, "b": 50})
    fig.update_annotations(font_size=16)
    return fig


def index_label(name: str) -> str:
    """A continuous index's name on a bar axis (on two lines if long)."""
    words = readout.INDICES.get(name, name)
    return words.replace(" ", "<br>", 1) if len(words) > 12 else words


def _bars(key: str, colour: str, cats: Sequence[str], cells: Sequence[dict[str, float]]
          ) -> go.Bar:
    """One compare side's bars with their 95% intervals (``value``, ``low``, ``high``)."""
    values = [c["value"] for c in cells]
    return go.Bar(
        x=list(cats), y=values, marker_color=colour, name=key.upper(), showlegend=False,
        legendgroup=key, hovertemplate=f"{key.upper()} %{{x}}: %{{y:.3f}}<extra></extra>",
        error_y={"type": "data", "symmetric": False,
                 "array": [_gap(c["high"], c["value"]) for c in cells],
                 "arrayminus": [_gap(c["value"], c["low"]) for c in cells]})


def _gap(high: float, low: float) -> float:
    """An error bar's length (0 where an end is not a number, as with one run)."""
    gap = high - low
    return gap if np.isfinite(gap) else 0.0


def _alpha(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def empty_figure(message: str) -> go.Figure:
    """A blank figure with a message (before a sweep, or after an error)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper",
                       yref="paper", font={"size": 20, "color": "#333333"})
    fig.update_layout(template="plotly_white", height=420, font=FONT,
                      xaxis={"visible": False}, yaxis={"visible": False})
    return fig
