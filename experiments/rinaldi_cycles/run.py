"""Does one insecure partner with a secure one make a slow love cycle, as Rinaldi's recipe says?

Rinaldi (Modeling Love Dynamics, 2016; Gragnani, Rinaldi & Feichtinger 1997): two secure
partners reach an equilibrium; one insecure partner plus synergism is the minimal recipe for
a slow limit cycle. The deterministic mean field of Model 2.0 (``dyadsim.meanfield``: one
day per iteration, every random draw replaced by its expectation) is iterated for the 10
pairings of secure (0.1/0.1), anxious (0.8/0.2), avoidant (0.2/0.8) and fearful (0.8/0.8)
partners, every gain derived from the traits (no hand-set point). Each orbit's end is read as
a fixed point (the map no longer moves) or a cycle (it keeps swinging with an amplitude that
does not shrink); a cycle's period is the mean time between the switching partner's
``approach`` orientation crossing 0.5 upwards. The fearful-secure cycle is drawn as time
series and as a phase portrait (closeness against the fearful partner's discomfort).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dyadsim import meanfield
from dyadsim.meanfield.map import STATE
from dyadsim.params import param_matrix
from dyadsim.report import PALETTE, Report, day_axis, experiment_args

NAME = "rinaldi_cycles"
TYPES: dict[str, tuple[float, float]] = {
    "secure": (0.1, 0.1), "anxious": (0.8, 0.2), "avoidant": (0.2, 0.8), "fearful": (0.8, 0.8)}
"""Partner types as (anxiety, avoidance), as in fact 2."""
PAIRS: tuple[tuple[str, str], ...] = tuple(
    (a, b) for i, a in enumerate(reversed(TYPES)) for b in list(reversed(TYPES))[i:])
"""The 10 pairings up to A/B symmetry (partner A is the more insecure type: fearful first)."""
FOCUS = ("fearful", "secure")
"""The couple of the question: one insecure (fearful) partner, one secure partner."""
CONTROL = ("secure", "secure")
CONVERGED = 1e-8
"""A fixed point: ``max |F(x) - x|`` below this at the end of the orbit."""
SHRINK = 0.95
"""A cycle's closeness amplitude in the last window is at least this share of the one before."""
MIN_SWINGS = 3
"""A cycle: the approach orientation crosses 0.5 upwards at least this often in the last window."""
SLOW_DAYS = 14.0
"""A 'slow' cycle lasts at least two weeks (set before the run: slower than a day-to-day flip
and than a weekly rhythm)."""
IDX = {name: i for i, name in enumerate(STATE)}


@dataclass(frozen=True)
class Attractor:
    """What one orbit ends on."""

    kind: str
    residual: float
    period: float
    switcher: str
    closeness_low: float
    closeness_high: float
    discomfort_low: float
    discomfort_high: float
    approach_low: float
    approach_high: float
    pursuit_high: float
    withdrawal_high: float


def pairing(a: str, b: str) -> str:
    """The name of a pairing, partner A first."""
    return f"{a}-{b}"


def matrix(pairs: tuple[tuple[str, str], ...]) -> np.ndarray:
    """One parameter row per pairing; every other parameter at its default (gains derived)."""
    a = np.array([TYPES[x] for x, _ in pairs])
    b = np.array([TYPES[y] for _, y in pairs])
    return param_matrix({}, {"partner_a.anxiety": a[:, 0], "partner_a.avoidance": a[:, 1],
                             "partner_b.anxiety": b[:, 0], "partner_b.avoidance": b[:, 1]})


def upcrossings(x: np.ndarray, level: float = 0.5) -> np.ndarray:
    """Indices where ``x`` crosses ``level`` upwards."""
    return np.nonzero((x[:-1] < level) & (x[1:] >= level))[0] + 1


def read_attractor(orbit: np.ndarray, residual: float, window: int) -> Attractor:
    """Classify one orbit (shape ``(days + 1, len(STATE))``) from its last two windows."""
    last, before = orbit[-window:], orbit[-2 * window:-window]
    c_last = np.ptp(last[:, IDX["dyad.closeness"]])
    c_before = np.ptp(before[:, IDX["dyad.closeness"]])
    crossings = {who: upcrossings(last[:, IDX[f"{who}.approach"]])
                 for who in ("partner_a", "partner_b")}
    switcher = max(crossings, key=lambda w: crossings[w].size)
    ups = crossings[switcher]
    if residual < CONVERGED:
        kind = "fixed point"
    elif ups.size >= MIN_SWINGS and c_last >= SHRINK * c_before:
        kind = "cycle"
    else:
        kind = "not settled"
    period = float(np.mean(np.diff(ups))) if kind == "cycle" and ups.size >= 2 else np.nan
    who = switcher if kind == "cycle" else "partner_a"
    col = last[:, IDX[f"{who}.approach"]]
    return Attractor(
        kind, residual, period, switcher if kind == "cycle" else "",
        float(last[:, IDX["dyad.closeness"]].min()), float(last[:, IDX["dyad.closeness"]].max()),
        float(last[:, IDX[f"{who}.discomfort"]].min()),
        float(last[:, IDX[f"{who}.discomfort"]].max()),
        float(col.min()), float(col.max()), float(last[:, IDX[f"{who}.pursuit"]].max()),
        float(last[:, IDX[f"{who}.withdrawal"]].max()))


def attractors(pairs: tuple[tuple[str, str], ...], days: int, window: int
               ) -> tuple[pd.DataFrame, np.ndarray]:
    """Iterate the mean field of every pairing ``days`` days; one row per pairing, orbits."""
    mf = meanfield.MeanField(matrix(pairs))
    orbit, _ = mf.run(days)
    end = orbit[-1]
    residual = np.max(np.abs(mf.step(end) - end), axis=0)
    rows = []
    for k, (a, b) in enumerate(pairs):
        att = read_attractor(orbit[:, :, k], float(residual[k]), window)
        rows.append({"pairing": pairing(a, b), "A (anx/avo)": "{:.1f}/{:.1f}".format(*TYPES[a]),
                     "B (anx/avo)": "{:.1f}/{:.1f}".format(*TYPES[b]),
                     "insecure partners": sum(t != "secure" for t in (a, b)),
                     "attractor": att.kind, "residual": att.residual,
                     "period_days": att.period, "switching_partner": att.switcher,
                     "closeness_low": att.closeness_low, "closeness_high": att.closeness_high,
                     "discomfort_low": att.discomfort_low,
                     "discomfort_high": att.discomfort_high,
                     "approach_low": att.approach_low, "approach_high": att.approach_high,
                     "pursuit_high": att.pursuit_high, "withdrawal_high": att.withdrawal_high})
    return pd.DataFrame(rows), orbit


def series_figure(orbit: np.ndarray, pairs: tuple[tuple[str, str], ...], shown: int
                  ) -> go.Figure:
    """Closeness, the first partner's discomfort, approach, pursuit and withdrawal over time."""
    focus, control = pairs.index(FOCUS), pairs.index(CONTROL)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
                        subplot_titles=[f"{pairing(*FOCUS)} (partner A fearful 0.8/0.8)",
                                        f"{pairing(*CONTROL)} (both 0.1/0.1)"])
    days = np.arange(shown + 1)
    lines = (("dyad.closeness", "closeness", PALETTE[0], "solid"),
             ("partner_a.discomfort", "A's discomfort with closeness", PALETTE[3], "solid"),
             ("partner_a.approach", "A's approach orientation", PALETTE[2], "dot"),
             ("partner_a.pursuit", "A's pursuit", PALETTE[1], "solid"),
             ("partner_a.withdrawal", "A's withdrawal", PALETTE[4], "solid"))
    for row, k in ((1, focus), (2, control)):
        for col, label, colour, dash in lines:
            fig.add_trace(go.Scatter(x=days, y=orbit[:shown + 1, IDX[col], k], name=label,
                                     line={"color": colour, "dash": dash}, showlegend=row == 1),
                          row=row, col=1)
    fig.update_yaxes(title_text="level (0-1)", range=[-0.02, 1.02])
    day_axis(fig, shown, row=2, col=1)
    fig.update_layout(title="Mean field (deterministic), every gain from the traits",
                      legend={"orientation": "h", "y": -0.18, "x": 0})
    return fig


def phase_figure(orbit: np.ndarray, pairs: tuple[tuple[str, str], ...], start: int
                 ) -> go.Figure:
    """Closeness against the fearful partner's discomfort, from day ``start`` on."""
    fig = go.Figure()
    for pair, colour, name in ((FOCUS, PALETTE[3], "fearful-secure (limit cycle)"),
                               (CONTROL, PALETTE[0], "secure-secure (fixed point)")):
        k = pairs.index(pair)
        fig.add_trace(go.Scatter(x=orbit[:, IDX["partner_a.discomfort"], k],
                                 y=orbit[:, IDX["dyad.closeness"], k], mode="lines",
                                 line={"color": colour, "width": 1}, opacity=0.35,
                                 name=f"{name}: from day 0", showlegend=True))
        fig.add_trace(go.Scatter(x=orbit[start:, IDX["partner_a.discomfort"], k],
                                 y=orbit[start:, IDX["dyad.closeness"], k], mode="lines",
                                 line={"color": colour, "width": 3},
                                 name=f"{name}: from day {start}"))
    fig.update_layout(title="Phase portrait: closeness against partner A's discomfort",
                      xaxis_title="partner A's discomfort with closeness",
                      yaxis_title="closeness", legend={"x": 0.55, "y": 0.05})
    return fig


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=1, tiny_reps=1, steps=3650, tiny_steps=1460,
                           argv=argv)
    window = max(120, args.steps // 8)
    table, orbit = attractors(PAIRS, args.steps, window)
    report = Report(args)
    report.table(
        "table", table,
        f"Mean field of the 10 pairings, {args.steps} days from the model's initial state, "
        f"every gain derived from the traits. attractor: 'fixed point' (max |F(x) - x| < "
        f"{CONVERGED:g} at the end), 'cycle' (the switching partner's approach crosses 0.5 "
        f"upwards at least {MIN_SWINGS} times in the last {window} days and closeness swings "
        f"no less than {SHRINK:.0%} as widely as in the {window} days before), else 'not "
        "settled'. period_days: mean time between upward crossings. The ranges are over the "
        "last window (discomfort, approach, pursuit and withdrawal of the switching partner, "
        "or of partner A).")
    shown = min(args.steps, 365)
    report.figure("time_series", series_figure(orbit, PAIRS, shown))
    report.figure("phase_portrait", phase_figure(orbit, PAIRS, args.steps - window))

    by = table.set_index("pairing")
    focus, control = by.loc[pairing(*FOCUS)], by.loc[pairing(*CONTROL)]
    report.number("fearful_secure_attractor", focus["attractor"])
    report.number("fearful_secure_period_days", focus["period_days"])
    report.number("fearful_secure_closeness_range",
                  [focus["closeness_low"], focus["closeness_high"]])
    report.number("fearful_secure_closeness_amplitude",
                  focus["closeness_high"] - focus["closeness_low"])
    report.number("fearful_secure_discomfort_range",
                  [focus["discomfort_low"], focus["discomfort_high"]])
    report.number("fearful_secure_approach_range",
                  [focus["approach_low"], focus["approach_high"]])
    report.number("secure_secure_attractor", control["attractor"])
    report.number("secure_secure_residual", control["residual"])
    report.number("cycling_pairings", sorted(by.index[by["attractor"] == "cycle"]))
    report.number("fixed_point_pairings", sorted(by.index[by["attractor"] == "fixed point"]))
    slow_cycle = bool(focus["attractor"] == "cycle" and focus["period_days"] >= SLOW_DAYS
                      and focus["approach_low"] < 0.5 < focus["approach_high"])
    report.number("fearful_secure_slow_cycle", slow_cycle)
    # Rinaldi's recipe: one insecure partner with a secure one cycles slowly; two secure
    # partners come to rest.
    report.number("agrees", bool(slow_cycle and control["attractor"] == "fixed point"))
    return report.write()


if __name__ == "__main__":
    main()
