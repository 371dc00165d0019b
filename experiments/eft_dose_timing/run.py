"""How early, and how strong, must EFT be to turn a trapped couple?

Starts from the trapped couple of the library's ``therapy_eft`` (anxious 0.8/0.2 with
avoidant 0.2/0.8, every gain derived from the traits) over a year (365 days), with EFT for
both partners given as the preset's default course (12 weekly sessions), and varies the
course's first day and its strength (0 to 1). Each
(start, strength) cell runs the same replicate seeds on the batch engine (common random
numbers) and reports the share that ends settled (Wilson 95% CI), the share that dissolved
before therapy started, and the settled share among couples still together at the start.
The threshold strength at each start is the smallest strength with settled share >= 0.5.
"""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dyadsim import expectations, outcomes
from dyadsim.interventions import THERAPIES
from dyadsim.report import PALETTE, Report, experiment_args
from dyadsim.runner import run_replicates
from dyadsim.scenario import PURSUE_WITHDRAW, Scenario
from dyadsim.scenario.model import Event
from dyadsim.summary import share_of, summarize

NAME = "eft_dose_timing"
SCENARIO = "therapy_eft"
EVENT = "EFT"
"""The label of the therapy event."""
COUPLE = {"partner_a.anxiety": 0.8, "partner_a.avoidance": 0.2,
          "partner_b.anxiety": 0.2, "partner_b.avoidance": 0.8}
BASE_STEPS, BASE_START = 365, 180
"""The base run: a year, EFT's first session on day 180 (as fact 6)."""

STARTS = (1, 14, 30, 61, 91, 122, 152, 180, 213, 244)
"""First days of the EFT course in the 365-day run (scaled to other run lengths); the last
start leaves the 12 weekly sessions (77 days) and six more weeks inside the year."""
STRENGTHS = tuple(round(0.025 * i, 3) for i in range(41))
"""EFT strengths 0, 0.025, ..., 1 (the event's ``strength``)."""
TINY_STARTS = (14, 91, 180)
TINY_STRENGTHS = (0.0, 0.5, 0.7, 0.8, 0.9, 1.0)
SHOWN = (14, 91, 180, 244)
"""Start days drawn as lines in the dose-response figure."""
GOAL = 0.5
"""The settled share that counts as turning most couples."""
TRIAL = 0.7
"""Johnson et al. (1999): 70-73% recovery; the strength reaching this share is also given."""
BEFORE = 20
"""Days before the start over which the pursue-withdraw signal is averaged."""

DISSOLVED = outcomes.OUTCOMES.index("dissolved")


def base_scenario() -> Scenario:
    """The trapped couple with EFT's default course from day BASE_START of a year."""
    course = THERAPIES["eft"].course
    assert course is not None
    return Scenario("EFT dose and timing", "EFT", NAME,
                    params={**COUPLE, "run.steps": BASE_STEPS},
                    events=(Event("therapy", BASE_START, EVENT, therapy="eft", partner="both",
                                  sessions=course.sessions, every=course.every),))


def variant(base: Scenario, start: int, strength: float, steps: int, seed: int) -> Scenario:
    """The scenario with its EFT event moved to ``start`` at ``strength``, checked again.

    Args:
        base: The base scenario (:func:`base_scenario`).
        start: The course's first day.
        strength: The event's strength (0: no change; 1: the full course).
        steps: Days per run.
        seed: Root seed of the replicates (``run.seed``).

    Returns:
        A scenario whose timeline is the variant's; ``with_overrides`` checks it.
    """
    events = tuple(
        dataclasses.replace(e, step=start, strength=float(strength)) if e.label == EVENT else e
        for e in base.events)
    moved = dataclasses.replace(base, events=events, expect=None)
    return moved.with_overrides({"run.steps": steps, "run.seed": seed}, origin=NAME)


def threshold(strengths: np.ndarray, share: np.ndarray, goal: float) -> float:
    """The smallest strength on the grid whose share reaches ``goal`` (NaN if none)."""
    hit = np.flatnonzero(share >= goal)
    return float(strengths[hit[0]]) if hit.size else math.nan


def crossing(strengths: np.ndarray, share: np.ndarray, goal: float) -> float:
    """The first strength at which ``share`` reaches ``goal``, linear between grid points."""
    hit = np.flatnonzero(share >= goal)
    if not hit.size:
        return math.nan
    j = int(hit[0])
    if j == 0:
        return float(strengths[0])
    s0, s1, y0, y1 = strengths[j - 1], strengths[j], share[j - 1], share[j]
    return float(s0 + (goal - y0) / (y1 - y0) * (s1 - s0))


def run_grid(base: Scenario, starts: list[int], strengths: np.ndarray, reps: int,
             steps: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """Run every (start, strength) cell with the same seeds.

    Returns:
        The grid (one row per cell), one row per start with the pre-therapy state of the
        untreated runs, and whether every cell agreed with the untreated run before its
        start (common random numbers: same dissolutions before therapy).
    """
    untreated = run_replicates(scenario=variant(base, starts[0], 0.0, steps, seed), reps=reps,
                               record_every=1, without=(EVENT,))
    pw = expectations.quantity  # the pursue-withdraw signal per run, over a window
    gone_at = np.where(untreated.outcome == DISSOLVED, untreated.last_step, steps + 1)
    before_rows = []
    for start in starts:
        together = gone_at >= start
        if start > 1:
            signal = pw(untreated, PURSUE_WITHDRAW, (max(1, start - BEFORE), start - 1))
            in_loop = float(np.mean(signal[together] >= outcomes.PW_OFF))
            mean_pw = float(np.mean(signal[together]))
        else:
            in_loop = mean_pw = math.nan
        before_rows.append({"start": start, "together": int(together.sum()),
                            "in_loop": in_loop, "pw_before": mean_pw})
    rows = []
    consistent = True
    for start in starts:
        before = gone_at < start
        for strength in strengths:
            # one call per cell: the cells differ in their timeline, not in parameters
            result = run_replicates(scenario=variant(base, start, strength, steps, seed),
                                    reps=reps)
            gone = result.outcome == DISSOLVED
            left_early = gone & (result.last_step < start)
            consistent &= bool(np.array_equal(left_early, before))
            if strength == 0.0:
                consistent &= bool(np.array_equal(result.outcome, untreated.outcome))
            together = ~left_early
            every, of_together = result.summary(), summarize(result.outcome[together])
            left, left_lo, left_hi = share_of(left_early)
            row = {"start": start, "strength": float(strength), "n": reps,
                   "settled_k": int(every.counts["settled"][0]),
                   "together": int(together.sum()), "left_before": int(left_early.sum()),
                   **{name: float(every.shares[name][0]) for name in outcomes.OUTCOMES},
                   "settled_lo": every.share_low["settled"][0],
                   "settled_hi": every.share_high["settled"][0],
                   "settled_together": of_together.shares["settled"][0],
                   "settled_together_lo": of_together.share_low["settled"][0],
                   "settled_together_hi": of_together.share_high["settled"][0],
                   "left_before_share": left[0], "left_before_lo": left_lo[0],
                   "left_before_hi": left_hi[0]}
            rows.append(row)
    return pd.DataFrame(rows), pd.DataFrame(before_rows), consistent


def by_start(grid: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """One row per start: dissolutions before therapy, thresholds, full-strength shares."""
    rows = []
    for start, cell in grid.groupby("start", sort=True):
        s = cell["strength"].to_numpy()
        y = cell["settled"].to_numpy()
        full = cell[cell["strength"] == s.max()].iloc[0]
        pre = before[before["start"] == start].iloc[0]
        rows.append({
            "start": int(start),
            "left_before": full["left_before_share"],
            "left_before_lo": full["left_before_lo"],
            "left_before_hi": full["left_before_hi"],
            "in_loop_at_start": pre["in_loop"],
            "threshold": threshold(s, y, GOAL),
            "threshold_interp": crossing(s, y, GOAL),
            "threshold_ci_low": crossing(s, cell["settled_hi"].to_numpy(), GOAL),
            "threshold_ci_high": crossing(s, cell["settled_lo"].to_numpy(), GOAL),
            "threshold_together": threshold(s, cell["settled_together"].to_numpy(), GOAL),
            "threshold_together_interp": crossing(
                s, cell["settled_together"].to_numpy(), GOAL),
            f"strength_for_{TRIAL:g}": threshold(s, y, TRIAL),
            "settled_full": full["settled"],
            "settled_full_lo": full["settled_lo"],
            "settled_full_hi": full["settled_hi"],
            "settled_full_together": full["settled_together"],
        })
    return pd.DataFrame(rows)


def heatmap(grid: pd.DataFrame, table: pd.DataFrame, steps: int) -> go.Figure:
    """Settled share over start x strength, with the threshold curve."""
    wide = grid.pivot(index="start", columns="strength", values="settled").sort_index()
    labels = [str(int(s)) for s in wide.index]
    fig = go.Figure(go.Heatmap(
        z=wide.to_numpy(), x=list(wide.columns), y=labels, colorscale="cividis",
        zmin=0.0, zmax=1.0, colorbar={"title": "settled share"},
        hovertemplate="start %{y}<br>strength %{x}<br>settled %{z:.3f}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=table["threshold_interp"], y=[str(s) for s in table["start"]],
        mode="lines+markers", name=f"threshold (settled = {GOAL:g})",
        line={"color": PALETTE[3], "width": 3}, marker={"size": 9}, showlegend=True,
        error_x={"type": "data", "symmetric": False,
                 "array": table["threshold_ci_high"] - table["threshold_interp"],
                 "arrayminus": table["threshold_interp"] - table["threshold_ci_low"],
                 "color": PALETTE[3]}))
    fig.update_layout(
        title=f"EFT: settled share by first day of the course and strength ({steps} days)",
        xaxis_title="EFT strength (share of the full course)",
        yaxis_title="first day of the EFT course", yaxis={"type": "category"},
        legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)"})
    return fig


def dose_response(grid: pd.DataFrame, shown: list[int]) -> go.Figure:
    """Settled share against strength for a few start days, with Wilson 95% CIs."""
    fig = go.Figure()
    for i, start in enumerate(shown):
        cell = grid[grid["start"] == start].sort_values("strength")
        fig.add_trace(go.Scatter(
            x=cell["strength"], y=cell["settled"], mode="lines+markers",
            name=f"EFT from day {start}", line={"color": PALETTE[i % len(PALETTE)]},
            error_y={"type": "data", "symmetric": False,
                     "array": cell["settled_hi"] - cell["settled"],
                     "arrayminus": cell["settled"] - cell["settled_lo"]}))
    fig.add_hline(y=GOAL, line_dash="dot", line_color="grey",
                  annotation_text=f"settled = {GOAL:g}")
    fig.update_layout(title="Settled share against EFT strength (Wilson 95% CI)",
                      xaxis_title="EFT strength", yaxis_title="settled share",
                      yaxis={"range": [0, 1]})
    return fig


def cost_of_waiting(table: pd.DataFrame) -> go.Figure:
    """Dissolved before therapy, and settled at full strength, against the start day."""
    fig = go.Figure()
    x = table["start"]
    series = (("left_before", "left_before_lo", "left_before_hi",
               "dissolved before therapy starts", PALETTE[3]),
              ("settled_full", "settled_full_lo", "settled_full_hi",
               "settled at full strength (all couples)", PALETTE[0]))
    for col, lo, hi, label, colour in series:
        fig.add_trace(go.Scatter(
            x=x, y=table[col], mode="lines+markers", name=label, line={"color": colour},
            error_y={"type": "data", "symmetric": False, "array": table[hi] - table[col],
                     "arrayminus": table[col] - table[lo]}))
    fig.add_trace(go.Scatter(
        x=x, y=table["settled_full_together"], mode="lines+markers", name=(
            "settled at full strength (couples together at the start)"),
        line={"color": PALETTE[2], "dash": "dash"}))
    fig.update_layout(title="The cost of waiting", xaxis_title="first day of the EFT course",
                      yaxis_title="share of couples", yaxis={"range": [0, 1]},
                      legend={"x": 0.01, "y": 0.5})
    return fig


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=500, tiny_reps=32, steps=365, tiny_steps=365,
                           argv=argv)
    clock = time.perf_counter()
    base = base_scenario()
    scale = args.steps / base.steps
    nominal = TINY_STARTS if args.tiny else STARTS
    starts = sorted({max(1, round(s * scale)) for s in nominal})
    strengths = np.asarray(TINY_STRENGTHS if args.tiny else STRENGTHS)
    own = next(e for e in base.events if e.label == EVENT)
    own_start = max(1, round(own.step * scale))
    if own_start not in starts:
        starts = sorted([*starts, own_start])
    grid, before, consistent = run_grid(base, starts, strengths, args.reps, args.steps,
                                        args.seed)
    table = by_start(grid, before)
    compute = time.perf_counter() - clock

    report = Report(args)
    report.args.extra.update({"scenario": SCENARIO, "starts": starts,
                              "strengths": [float(s) for s in strengths],
                              "ramp": own.ramp, "compute_seconds": round(compute, 1)})
    report.table("table", table, (
        f"EFT start x strength, {args.reps} replicates per cell ({args.steps} days, root "
        f"seed {args.seed}, the same seeds in every cell). threshold: smallest strength on the "
        f"grid with settled share >= {GOAL:g}; threshold_interp: linear between grid points; "
        f"threshold_ci_low/high: where the Wilson 95% upper/lower bound crosses {GOAL:g} "
        f"(also interpolated); "
        f"threshold_together(_interp): among couples still together at the start; "
        f"in_loop_at_start: "
        f"share of those couples whose pursue-withdraw signal over the {BEFORE} days "
        f"before the start is >= {outcomes.PW_OFF:g}; settled_full: at strength "
        f"{strengths.max():g}."))
    cols = ["start", "strength", "n", "settled", "settled_lo", "settled_hi", "together",
            "settled_together", "settled_together_lo", "settled_together_hi",
            "left_before_share", *(o for o in outcomes.OUTCOMES if o != "settled")]
    report.table("grid", grid[cols], (
        "Every cell: outcome shares, settled share with its Wilson 95% CI, and settled among "
        "couples still together when therapy starts."))
    shown = [max(1, round(s * scale)) for s in SHOWN]
    shown = [s for s in dict.fromkeys(shown) if s in starts] or starts
    report.figure("heatmap", heatmap(grid, table, args.steps))
    report.figure("dose_response", dose_response(grid, shown))
    report.figure("cost_of_waiting", cost_of_waiting(table))

    for row in table.itertuples(index=False):
        report.number(f"threshold_start{row.start}", row.threshold)
        report.number(f"threshold_interp_start{row.start}", row.threshold_interp)
        report.number(f"threshold_together_interp_start{row.start}",
                      row.threshold_together_interp)
        report.number(f"left_before_start{row.start}", row.left_before)
        report.number(f"settled_full_start{row.start}", row.settled_full)
        report.number(f"settled_full_together_start{row.start}", row.settled_full_together)
    cell = grid.set_index(["start", "strength"])
    mine = cell.loc[(own_start, float(own.strength))]
    report.number("scenario_start", own_start)
    report.number("scenario_strength", own.strength)
    report.number("scenario_settled", mine["settled"])
    report.number("scenario_settled_ci95", [mine["settled_lo"], mine["settled_hi"]])
    report.number("scenario_settled_together", mine["settled_together"])
    report.number("scenario_left_before", mine["left_before_share"])
    for s in (0.7, 0.8):
        if (own_start, s) in cell.index:
            c = cell.loc[(own_start, s)]
            report.number(f"settled_start{own_start}_strength{s:g}", c["settled"])
            report.number(f"settled_start{own_start}_strength{s:g}_ci95",
                          [c["settled_lo"], c["settled_hi"]])
    thresholds = table["threshold_interp"].to_numpy()
    first, at_own = table.iloc[0], table[table["start"] == own_start].iloc[0]
    report.number("threshold_interp_range", [np.nanmin(thresholds), np.nanmax(thresholds)])
    step = float(np.diff(strengths).min())
    # "Early therapy needs less strength": the earliest start's threshold lies a whole grid
    # step or more below the threshold at the scenario's own start.
    report.number("early_needs_less", bool(first["threshold"] + step <= at_own["threshold"]))
    report.number("pre_therapy_runs_identical", consistent)
    report.number("compute_seconds", round(compute, 1))
    # The claim: at every start tested, some strength up to the full course settles at least
    # half of all couples (the couples that left before therapy count as not settled).
    agrees = bool(np.all(np.isfinite(table["threshold"].to_numpy())))
    report.number("agrees", agrees)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"compute {compute:.1f} s; agrees = {agrees}")
    return report.write()


if __name__ == "__main__":
    main()
