"""Raise and then lower the anxious partner's anxiety slowly: is the trap left at the same anxiety?

Hysteresis is the signature of bistability: where a settled and a trapped attractor coexist,
a couple enters the trap at a higher anxiety on the way up than it leaves it on the way down.
Part 1 follows the attractor of the deterministic mean-field map (dyadsim.meanfield) through
a quasi-static continuation, up and then down, for the default couple (partner A's anxiety,
0-1), along the avoidant partner's avoidance (A anxious 0.8/0.2, B's avoidance 0-1) and along
outside stress; every gain follows the traits (Model 2.0: no hand-set point). Part 2 runs the
noisy model (batch engine, dissolution off) through slow ramps up and back down at three ramp
lengths (in days), and compares where the mean pursue-withdraw signal crosses the classifier's
episode level (outcomes.PW_ON) on the two legs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dyadsim import meanfield, outcomes
from dyadsim.params import param_matrix
from dyadsim.report import PALETTE, Report, experiment_args
from dyadsim.runner import run_replicates
from dyadsim.stats import mean_interval_rows
from dyadsim.timeline import Change, Plan, Timeline

NAME = "hysteresis"

RESIDUAL_TOL = 1e-10
"""A continuation step is at its attractor when ``max |F(x) - x|`` is below this."""
CHUNK, MAX_ITER = 20, 20000
SAME_STATE = 1e-4
"""Up and down legs at one parameter value are on different attractors when their states
differ by more than this (max norm)."""
RAMP_FACTORS = (0.25, 1.0, 4.0)
"""Ramp lengths per leg, as multiples of --steps (full: 91, 365 and 1460 days)."""
DEFAULT_COUPLE: dict[str, float] = {}
"""The default couple (A anxious 0.8/0.2, B avoidant 0.2/0.8), every gain trait-derived."""


@dataclass(frozen=True)
class Setting:
    """A couple and the parameter that is raised and lowered.

    Attributes:
        key: Short name for tables and numbers.
        title: What it is, for captions.
        axis: The parameter's name, for axis titles.
        low: Start (and end) of the ramp.
        high: Top of the ramp.
        pursuer: The partner whose pursuit drives this couple's trap.
        fixed: Parameters set for every run (besides the axis).
        columns: The axis's parameter columns for an array of axis values.
    """

    key: str
    title: str
    axis: str
    low: float
    high: float
    pursuer: str
    fixed: dict[str, float]
    columns: Callable[[np.ndarray], dict[str, np.ndarray]]

    def values(self, n: int) -> np.ndarray:
        """``n`` evenly spaced axis values from low to high."""
        return np.linspace(self.low, self.high, n)

    def matrix(self, values: np.ndarray) -> np.ndarray:
        """Parameter rows along the axis (derived gains follow a varied trait)."""
        return param_matrix(self.fixed, self.columns(np.asarray(values, dtype=float)))

    def ramp(self) -> tuple[dict[str, float], tuple[Change, ...]]:
        """The base settings (axis at its low end, dissolution off) and the ramp's changes.

        Every base setting is explicit, so a ramped trait still moves the gains derived
        from it only where they are not set.
        """
        low = {k: float(v[0]) for k, v in self.columns(np.array([self.low])).items()}
        high = {k: float(v[0]) for k, v in self.columns(np.array([self.high])).items()}
        fixed = {**self.fixed, **low, "dyad.dissolution_rate": 0.0}
        changes = tuple(Change(k, "to", high[k], 1, 1, origin=f"{self.key} ramp") for k in high)
        return fixed, changes


SETTINGS: tuple[Setting, ...] = (
    Setting("default", "default couple (B avoidant 0.2/0.8), A's anxiety",
            "partner A's anxiety", 0.0, 1.0, "partner_a", {},
            lambda v: {"partner_a.anxiety": v}),
    Setting("b_avoidance", "default couple (A anxious 0.8/0.2), B's avoidance",
            "partner B's avoidance", 0.0, 1.0, "partner_a", {},
            lambda v: {"partner_b.avoidance": v}),
    Setting("stress", "default couple, outside stress", "dyad.stress", 0.0, 1.0,
            "partner_a", {}, lambda v: {"dyad.stress": v}),
)


# --- Part 1: quasi-static continuation of the mean-field map -----------------------------


def continuation(matrices: list[np.ndarray], x0: np.ndarray) -> dict[str, Any]:
    """Follow the attractor up the grid and back down, for several settings in lockstep.

    ``matrices[k]`` holds setting ``k``'s parameter rows along its grid (all grids have the
    same length). At each grid value the map is iterated from the previous value's end
    state until ``max |F(x) - x| < RESIDUAL_TOL`` for every setting (at most MAX_ITER).

    Returns:
        ``up`` and ``down`` states, shape ``(grid, len(STATE), settings)`` in grid order,
        and the iterations and final residuals of every step.
    """
    n = matrices[0].shape[0]
    x = np.array(x0, dtype=float)
    legs: dict[str, Any] = {}
    for leg, order in (("up", range(n)), ("down", range(n - 1, -1, -1))):
        states = np.empty((n, len(meanfield.STATE), len(matrices)))
        iters = np.zeros(n, dtype=int)
        resid = np.zeros(n)
        for i in order:
            mf = meanfield.MeanField(np.stack([m[i] for m in matrices]))
            it, r = 0, np.inf
            while r >= RESIDUAL_TOL and it < MAX_ITER:
                for _ in range(CHUNK):
                    x = mf.step(x)
                it += CHUNK
                r = float(np.max(np.abs(mf.step(x) - x)))
            states[i], iters[i], resid[i] = x, it, r
        legs[leg], legs[f"{leg}_iterations"], legs[f"{leg}_residual"] = states, iters, resid
    return legs


def label_switch(values: np.ndarray, trapped: np.ndarray) -> tuple[float, float]:
    """Where the label turns ``trapped`` going up, and where it stops being so going down.

    ``values`` ascend; ``trapped`` is ``(up, down)`` booleans along them. Each switch is the
    midpoint of the two grid values it lies between (NaN if it does not happen).
    """
    up, down = trapped
    enter = np.flatnonzero(up[1:] & ~up[:-1])
    leave = np.flatnonzero(down[1:] & ~down[:-1])  # the highest value left, scanning down
    up_at = (values[enter[0]] + values[enter[0] + 1]) / 2 if enter.size else np.nan
    down_at = (values[leave[-1]] + values[leave[-1] + 1]) / 2 if leave.size else np.nan
    return float(up_at), float(down_at)


def crossing(x: np.ndarray, y: np.ndarray, level: float, rising: bool) -> float:
    """The first ``x`` (in the order given) at which ``y`` reaches ``level`` (``rising``) or
    falls below it, by linear interpolation; NaN if it never does or starts there."""
    hit = y >= level if rising else y < level
    idx = np.flatnonzero(hit)
    if idx.size == 0 or idx[0] == 0:
        return np.nan
    i = idx[0]
    y0, y1 = y[i - 1], y[i]
    frac = (level - y0) / (y1 - y0) if y1 != y0 else 0.0
    return float(x[i - 1] + frac * (x[i] - x[i - 1]))


def meanfield_part(points: int) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Run the continuation for every setting; return its long table and the switches."""
    grids = [s.values(points) for s in SETTINGS]
    matrices = [s.matrix(g) for s, g in zip(SETTINGS, grids, strict=True)]
    x0 = meanfield.MeanField(np.stack([m[0] for m in matrices])).initial()
    legs = continuation(matrices, x0)
    idx = {name: i for i, name in enumerate(meanfield.STATE)}
    rows, switches = [], []
    for k, s in enumerate(SETTINGS):
        per_leg = {}
        for leg in ("up", "down"):
            xs = legs[leg][:, :, k].T  # (STATE, grid)
            per_leg[leg] = {
                "pw": meanfield.pursue_withdraw(xs),
                "label": meanfield.label(xs),
                "act_a": xs[idx["partner_a.activation"]],
                "act_b": xs[idx["partner_b.activation"]],
                "closeness": xs[idx["dyad.closeness"]],
            }
        differ = np.max(np.abs(legs["up"][:, :, k] - legs["down"][:, :, k]), axis=1) > SAME_STATE
        for leg in ("up", "down"):
            d = per_leg[leg]
            for i, v in enumerate(grids[k]):
                rows.append({
                    "setting": s.key, "direction": leg, "value": v,
                    "pursue_withdraw": d["pw"][i], "activation_a": d["act_a"][i],
                    "activation_b": d["act_b"][i], "closeness": d["closeness"][i],
                    "label": d["label"][i], "legs_differ": bool(differ[i]),
                    "iterations": int(legs[f"{leg}_iterations"][i]),
                    "residual": float(legs[f"{leg}_residual"][i])})
        trapped = (per_leg["up"]["label"] == "trapped", per_leg["down"]["label"] == "trapped")
        lab_up, lab_down = label_switch(grids[k], trapped)
        pw_up = crossing(grids[k], per_leg["up"]["pw"], outcomes.PW_ON, rising=True)
        pw_down = crossing(grids[k][::-1], per_leg["down"]["pw"][::-1], outcomes.PW_ON,
                           rising=False)
        span = grids[k][differ]
        common = {"setting": s.key, "parameter": s.axis, "method": "mean field (quasi-static)",
                  "bistable_from": float(span.min()) if span.size else np.nan,
                  "bistable_to": float(span.max()) if span.size else np.nan,
                  "converged": bool(np.all(legs["up_residual"] < RESIDUAL_TOL)
                                    and np.all(legs["down_residual"] < RESIDUAL_TOL))}
        for measure, up_at, down_at in (("label trapped", lab_up, lab_down),
                                        (f"pw >= {outcomes.PW_ON}", pw_up, pw_down)):
            switches.append({**common, "measure": measure, "entered_going_up": up_at,
                             "left_going_down": down_at, "loop_width": up_at - down_at,
                             "note": note(s, up_at, down_at, per_leg["down"]["pw"][0],
                                          measure)})
    return pd.DataFrame(rows), switches


def note(s: Setting, up_at: float, down_at: float, pw_at_low: float, measure: str) -> str:
    """A short remark on a switch pair (a trap not left within the range, or no trap)."""
    if np.isnan(up_at):
        return "never entered"
    if np.isnan(down_at):
        return (f"not left down to {s.low:g} (pw there {pw_at_low:.2f}): loop width >= "
                f"{up_at - s.low:.3f}")
    if measure.startswith("label") and abs(up_at - down_at) < 1e-12:
        return "no loop: same switch both ways"
    return ""


def fixed_point_table(settle_steps: int) -> pd.DataFrame:
    """The fixed points of the map for the default couple (stable ones and any saddle)."""
    rows = []
    for fp in meanfield.fixed_points(DEFAULT_COUPLE, settle_steps=settle_steps):
        d = fp.as_dict()
        rows.append({
            "kind": fp.kind, "label": fp.label, "stable": fp.stable,
            "leading_modulus": d["leading_modulus"],
            "pursue_withdraw": float(meanfield.pursue_withdraw(fp.state[:, None])[0]),
            **{k: d[k] for k in ("partner_a.pursuit", "partner_a.withdrawal",
                                 "partner_a.activation", "partner_b.pursuit",
                                 "partner_b.withdrawal", "partner_b.activation",
                                 "dyad.closeness")}})
    return pd.DataFrame(rows)


# --- Part 2: noisy runs through a ramp up and back down ----------------------------------


def updown_weights(steps: int) -> np.ndarray:
    """The ramp's weight on days ``0..steps``: 0 -> 1 over the first half, back to 0."""
    half = steps / 2
    t = np.arange(steps + 1, dtype=float)
    return np.where(t <= half, t / half, (steps - t) / half)


class UpDown(Timeline):
    """A timeline whose changes phase in over the first half of the run and out over the second.

    :class:`dyadsim.timeline.Change` weights only rise (and drop back at once at an event's
    end), so the compiled plan of the same changes (bases, targets, and the derived gains
    that follow a trait) is kept and only its weights are replaced by :func:`updown_weights`.
    The batch kernel applies any weight profile of a plan.
    """

    def compile(self, matrix: np.ndarray, steps: int, explicit: Iterable[str] = ()) -> Plan:
        """The plan of the changes, with the up-and-down weights."""
        plan = super().compile(matrix, steps, explicit)
        w = np.repeat(updown_weights(steps)[None, :], len(self.changes), axis=0)
        return dataclasses.replace(plan, weights=np.ascontiguousarray(w))


def ramp_run(s: Setting, ramp: int, reps: int, seed: int, points: int) -> dict[str, Any]:
    """Run every replicate up the axis over ``ramp`` days and back down over ``ramp``.

    Returns:
        The axis value at each recorded day, the leg, and the replicate mean of the
        pursue-withdraw signal and of the pursuer's activation with 95% t-intervals.
    """
    fixed, changes = s.ramp()
    steps = 2 * ramp
    every = max(1, ramp // points)
    while ramp % every:  # record the top of the ramp and the last day
        every -= 1
    res = run_replicates(fixed, reps=reps, root_seed=seed, steps=steps, record_every=every,
                         timeline=UpDown(changes))
    pw = outcomes.pw_signal(res.column("partner_a.pursuit"), res.column("partner_b.withdrawal"),
                            res.column("partner_b.pursuit"), res.column("partner_a.withdrawal"))
    act = res.column(f"{s.pursuer}.activation")
    t = np.minimum(np.arange(pw.shape[1]) * every, steps)
    out: dict[str, Any] = {"value": s.low + updown_weights(steps)[t] * (s.high - s.low),
                           "leg": np.where(t <= ramp, "up", "down"), "t": t}
    out["up_mask"] = t <= ramp
    out["down_mask"] = t >= ramp
    for name, data in (("pw", pw), ("act", act)):
        mean, lo, hi, _ = mean_interval_rows(data.T)
        out[name], out[f"{name}_lo"], out[f"{name}_hi"] = mean, lo, hi
    return out


def ramp_switches(r: dict[str, Any]) -> dict[str, float]:
    """Where the mean signal (and its band's edges) crosses PW_ON on each leg."""
    up, down = r["up_mask"], r["down_mask"]
    out = {}
    for suffix, y in (("", r["pw"]), ("_hi", r["pw_hi"]), ("_lo", r["pw_lo"])):
        out[f"up{suffix}"] = crossing(r["value"][up], y[up], outcomes.PW_ON, rising=True)
        # the down leg in recorded order runs from the top of the ramp to its bottom
        out[f"down{suffix}"] = crossing(r["value"][down], y[down], outcomes.PW_ON,
                                        rising=False)
    return out


# --- Figures --------------------------------------------------------------------------------


def band(fig: go.Figure, x: np.ndarray, lo: np.ndarray, hi: np.ndarray, colour: str,
         row: int, col: int) -> None:
    """A shaded 95% band between ``lo`` and ``hi``."""
    fig.add_trace(go.Scatter(x=x, y=hi, mode="lines", line={"width": 0}, showlegend=False,
                             hoverinfo="skip"), row=row, col=col)
    fig.add_trace(go.Scatter(x=x, y=lo, mode="lines", line={"width": 0}, fill="tonexty",
                             fillcolor=_rgba(colour, 0.25), showlegend=False,
                             hoverinfo="skip"), row=row, col=col)


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def meanfield_figure(mf: pd.DataFrame) -> go.Figure:
    """Pursue-withdraw and the pursuer's activation along each axis, up and down legs."""
    fig = make_subplots(rows=2, cols=len(SETTINGS), shared_xaxes=False,
                        vertical_spacing=0.12, horizontal_spacing=0.07,
                        subplot_titles=[s.title for s in SETTINGS])
    for col, s in enumerate(SETTINGS, start=1):
        d = mf[mf["setting"] == s.key]
        act = "activation_a" if s.pursuer == "partner_a" else "activation_b"
        for row, (y, ytitle) in enumerate((("pursue_withdraw", "pursue-withdraw pw (0-1)"),
                                           (act, "pursuer's activation (0-1)")), start=1):
            for leg, colour, dash, symbol in (("up", PALETTE[3], "solid", "triangle-up"),
                                              ("down", PALETTE[0], "dash", "triangle-down")):
                e = d[d["direction"] == leg]
                fig.add_trace(go.Scatter(
                    x=e["value"], y=e[y], mode="lines+markers", name=f"{leg} leg",
                    line={"color": colour, "dash": dash}, marker={"symbol": symbol, "size": 5},
                    showlegend=row == 1 and col == 1), row=row, col=col)
            span = d[(d["direction"] == "up") & d["legs_differ"]]["value"]
            if len(span):  # after the traces: plotly leaves shapes off empty subplots
                fig.add_vrect(x0=span.min(), x1=span.max(), fillcolor="#E69F00",
                              opacity=0.2, line_width=0, layer="below", row=row, col=col)
            if row == 1:
                fig.add_hline(y=outcomes.PW_ON, line={"color": "#777", "dash": "dot"},
                              row=row, col=col)
            else:
                fig.add_hline(y=outcomes.ESCALATED_ACTIVATION,
                              line={"color": "#777", "dash": "dot"}, row=row, col=col)
            fig.update_yaxes(title_text=ytitle if col == 1 else None, range=[-0.02, 1.02],
                             row=row, col=col)
            fig.update_xaxes(title_text=s.axis.split(" (")[0] if row == 2 else None,
                             row=row, col=col)
    fig.update_layout(
        title="Mean-field continuation up and back down (shaded: the legs differ, bistable)",
        legend={"orientation": "h", "y": -0.12, "x": 0}, font={"size": 13})
    fig.update_annotations(font_size=13)
    return fig


def ramps_figure(runs: dict[tuple[str, int], dict[str, Any]], settings: list[Setting],
                 ramps: list[int], mf: pd.DataFrame, reps: int) -> go.Figure:
    """Mean pw (95% band) against the ramped parameter, up and down legs, per ramp length."""
    fig = make_subplots(rows=len(settings), cols=len(ramps), horizontal_spacing=0.06,
                        vertical_spacing=0.2,
                        subplot_titles=[f"{s.key}: {r} days per leg" for s in settings
                                        for r in ramps])
    for row, s in enumerate(settings, start=1):
        m = mf[(mf["setting"] == s.key)]
        top = max(float(np.nanmax(runs[(s.key, ramp)]["pw_hi"])) for ramp in ramps)
        top = min(1.0, 1.1 * max(top, float(m["pursue_withdraw"].max()), outcomes.PW_ON))
        for col, ramp in enumerate(ramps, start=1):
            r = runs[(s.key, ramp)]
            for leg, colour, dash in (("up", PALETTE[3], "solid"), ("down", PALETTE[0], "dash")):
                mask = r[f"{leg}_mask"]
                band(fig, r["value"][mask], r["pw_lo"][mask], r["pw_hi"][mask], colour,
                     row, col)
                fig.add_trace(go.Scatter(
                    x=r["value"][mask], y=r["pw"][mask], mode="lines",
                    name=f"simulated, {leg} leg", line={"color": colour, "dash": dash},
                    showlegend=row == 1 and col == 1), row=row, col=col)
            for leg, dash in (("up", "dot"), ("down", "dashdot")):
                e = m[m["direction"] == leg]
                fig.add_trace(go.Scatter(
                    x=e["value"], y=e["pursue_withdraw"], mode="lines",
                    name=f"mean field (quasi-static), {leg}",
                    line={"color": "#555" if leg == "up" else "#999", "dash": dash, "width": 1.5},
                    showlegend=row == 1 and col == 1), row=row, col=col)
            fig.add_hline(y=outcomes.PW_ON, line={"color": "#777", "dash": "dot"}, row=row,
                          col=col)
            fig.update_yaxes(title_text="mean pw (0-1)" if col == 1 else None,
                             range=[-0.02, top], row=row, col=col)
            fig.update_xaxes(title_text=s.axis.split(" (")[0], row=row, col=col)
    fig.update_layout(
        title=f"Simulated ramps up and back down ({reps} replicates; bands: 95% intervals)",
        legend={"orientation": "h", "y": -0.16 if len(settings) == 1 else -0.1, "x": 0},
        font={"size": 13})
    fig.update_annotations(font_size=13)
    return fig


def gap_figure(sim: pd.DataFrame, mf_switch: pd.DataFrame) -> go.Figure:
    """Where the mean pw crosses PW_ON going up and going down, against the ramp length."""
    fig = make_subplots(rows=1, cols=len(SETTINGS), horizontal_spacing=0.07,
                        subplot_titles=[s.key for s in SETTINGS])
    for col, s in enumerate(SETTINGS, start=1):
        d = sim[sim["setting"] == s.key]
        for leg, colour, key in (("entered going up", PALETTE[3], "up"),
                                 ("left going down", PALETTE[0], "down")):
            fig.add_trace(go.Scatter(
                x=d["ramp_days"], y=d[f"{key}"], mode="lines+markers",
                name=f"simulated, {leg}", line={"color": colour},
                error_y={"type": "data", "symmetric": False,
                         "array": d[f"{key}_band_high"] - d[key],
                         "arrayminus": d[key] - d[f"{key}_band_low"]},
                showlegend=col == 1), row=1, col=col)
        gone = d[d["down"].isna()]
        if len(gone):
            fig.add_trace(go.Scatter(
                x=gone["ramp_days"], y=np.full(len(gone), s.low), mode="markers",
                name="not left down to the bottom of the ramp",
                marker={"symbol": "x-open", "size": 11, "color": PALETTE[0]},
                showlegend=True), row=1, col=col)
        m = mf_switch[(mf_switch["setting"] == s.key)
                      & mf_switch["measure"].str.startswith("pw")].iloc[0]
        for key, colour, leg, where in (("entered_going_up", PALETTE[3], "up", "top left"),
                                        ("left_going_down", PALETTE[0], "down",
                                         "bottom right")):
            if np.isfinite(m[key]):
                fig.add_hline(y=m[key], line={"color": colour, "dash": "dot"}, row=1, col=col,
                              annotation_text=f"mean field {leg}", annotation_font_size=11,
                              annotation_position=where)
        fig.update_xaxes(type="log", title_text="days per leg (log)", row=1, col=col)
        fig.update_yaxes(title_text=f"value where mean pw crosses {outcomes.PW_ON}"
                         if col == 1 else None, row=1, col=col)
    fig.update_layout(
        title="Switching points against ramp length (bars: crossings of the 95% band's edges)",
        legend={"orientation": "h", "y": -0.2, "x": 0}, font={"size": 13})
    return fig


# --- Main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=1000, tiny_reps=40, steps=365, tiny_steps=120,
                           argv=argv)
    report = Report(args)
    points = 11 if args.tiny else 101

    # Part 1: mean field
    mf, switches = meanfield_part(points)
    mf_switch = pd.DataFrame(switches)
    fps = fixed_point_table(800 if args.tiny else 3000)

    # Part 2: simulated ramps
    ramps = sorted({max(2, round(f * args.steps)) for f in RAMP_FACTORS})
    per_leg_points = 50 if args.tiny else 200
    runs: dict[tuple[str, int], dict[str, Any]] = {}
    sim_rows = []
    for s in SETTINGS:
        for ramp in ramps:
            r = ramp_run(s, ramp, args.reps, args.seed, per_leg_points)
            runs[(s.key, ramp)] = r
            sw = ramp_switches(r)
            sim_rows.append({
                "setting": s.key, "parameter": s.axis, "ramp_days": ramp,
                "up": sw["up"], "up_band_low": sw["up_hi"], "up_band_high": sw["up_lo"],
                "down": sw["down"], "down_band_low": sw["down_hi"],
                "down_band_high": sw["down_lo"], "gap": sw["up"] - sw["down"],
                "pw_at_bottom_end": float(r["pw"][-1])})
    sim = pd.DataFrame(sim_rows)

    # The headline table
    head = []
    for row in switches:
        head.append({k: row[k] for k in ("setting", "parameter", "method", "measure",
                                         "entered_going_up", "left_going_down",
                                         "loop_width", "note")})
    for row in sim_rows:
        band_text = (f"band crossings: up {row['up_band_low']:.3f}-{row['up_band_high']:.3f}, "
                     f"down {row['down_band_low']:.3f}-{row['down_band_high']:.3f}")
        if np.isnan(row["down"]):
            band_text = (f"not left down to the bottom (mean pw there "
                         f"{row['pw_at_bottom_end']:.2f}); " + band_text)
        head.append({"setting": row["setting"], "parameter": row["parameter"],
                     "method": f"simulated, {row['ramp_days']} days per leg",
                     "measure": f"mean pw >= {outcomes.PW_ON}", "entered_going_up": row["up"],
                     "left_going_down": row["down"], "loop_width": row["gap"],
                     "note": band_text})
    report.table(
        "table", pd.DataFrame(head),
        "Where the trap is entered going up and left going down. Mean field: quasi-static "
        f"continuation on {points} grid values per axis (label switch: midpoint between grid "
        f"values; pw: linear interpolation of the crossing of PW_ON = {outcomes.PW_ON}). "
        f"Simulated: {args.reps} replicates (root seed {args.seed}), dissolution off; the "
        "replicate mean of pw crosses PW_ON (band: where the 95% interval's edges cross). "
        "loop_width = entered going up - left going down (> 0: hysteresis, the trap is left "
        "at a lower value than it was entered). Settings (every gain trait-derived): the "
        "default couple along A's anxiety, along B's avoidance and along dyad.stress.")
    report.table("meanfield_switches", mf_switch,
                 "Mean-field switches with the range where the up and down legs sit on "
                 f"different attractors (states differ by more than {SAME_STATE}).")
    report.table("simulated_switches", sim,
                 "Simulated crossings of PW_ON by the replicate mean of pw, per ramp length "
                 "(band_low/high: crossings by the 95% interval's edges).")
    report.table("continuation", mf,
                 "Mean-field continuation: the attractor reached at each grid value on each "
                 "leg (iterations until max |F(x) - x| < 1e-10).")
    report.table("fixed_points_default", fps,
                 "Fixed points of the mean-field map for the default couple "
                 "(meanfield.fixed_points).")

    report.figure("meanfield", meanfield_figure(mf))
    report.figure("ramps_default", ramps_figure(runs, [SETTINGS[0]], ramps, mf, args.reps))
    report.figure("ramps_other", ramps_figure(runs, list(SETTINGS[1:]), ramps, mf,
                                                 args.reps))
    report.figure("switch_vs_ramp", gap_figure(sim, mf_switch))

    for row in switches:
        tag = "label" if row["measure"].startswith("label") else "pw"
        key = f"mf_{row['setting']}_{tag}"
        report.number(f"{key}_entered_up", row["entered_going_up"])
        report.number(f"{key}_left_down", row["left_going_down"])
        report.number(f"{key}_loop_width", row["loop_width"])
        if tag == "label":
            report.number(f"mf_{row['setting']}_bistable_from", row["bistable_from"])
            report.number(f"mf_{row['setting']}_bistable_to", row["bistable_to"])
            report.number(f"mf_{row['setting']}_converged", row["converged"])
    for row in sim_rows:
        key = f"sim_{row['setting']}_ramp{row['ramp_days']}"
        report.number(f"{key}_entered_up", row["up"])
        report.number(f"{key}_left_down", row["down"])
        report.number(f"{key}_gap", row["gap"])
    default = mf_switch[(mf_switch["setting"] == "default")
                        & mf_switch["measure"].str.startswith("label")].iloc[0]
    width = float(default["loop_width"])
    report.number("mf_default_stable_states_differ_anywhere",
                  bool(np.isfinite(default["bistable_from"])))
    report.number("stable_fixed_points_default", int(fps["stable"].sum()))
    # Hysteresis at default settings: the quasi-static mean-field attractor leaves the trap
    # at a lower anxiety than it entered it (a loop of nonzero width).
    report.number("agrees", bool(np.isfinite(width) and width > 1e-9))
    return report.write()


if __name__ == "__main__":
    main()
