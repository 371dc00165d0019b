"""Does the trap rate rise with A's anxiety and with B's avoidance (monotone over a sweep)?

Sweeps partner A's anxiety from 0 to 1 in steps of 0.05 (A avoidance 0.2, B avoidant
0.2/0.8) and partner B's avoidance from 0 to 1 (B anxiety 0.2, A anxious 0.8/0.2), then
both at once on an 11 x 11 grid (A avoidance and B anxiety 0.2). Every point uses the same
replicate seeds (batch engine). It reports the final-class trap share (escalated or cycling)
and trap_entered (the couple fell into the trap at any point), with Wilson 95% intervals.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dyadsim import outcomes
from dyadsim.report import PALETTE, Report, experiment_args
from dyadsim.runner import Replicates, run_replicates
from dyadsim.summary import share_of

NAME = "fact03_trap_rises_with_traits"
LEVELS = np.round(np.linspace(0.0, 1.0, 21), 2)
GRID = np.round(np.linspace(0.0, 1.0, 11), 2)
SWEEPS: dict[str, tuple[str, dict[str, float]]] = {
    "A anxiety": ("partner_a.anxiety", {
        "partner_a.avoidance": 0.2, "partner_b.anxiety": 0.2, "partner_b.avoidance": 0.8}),
    "B avoidance": ("partner_b.avoidance", {
        "partner_a.anxiety": 0.8, "partner_a.avoidance": 0.2, "partner_b.anxiety": 0.2}),
}
"""Each sweep: the trait that varies, and the other three traits held fixed."""
MAX_DIP = 0.05
MIN_RISE = 0.30
"""Monotone: no fall of more than MAX_DIP from an earlier point to a later one, and a total
rise of at least MIN_RISE (the tolerances of tests/test_stylized_facts.py, which applies the
first to neighbouring points 0.2 apart)."""
MEASURES = {"trap_share": "final class escalated or cycling",
            "trap_entered": "fell into the trap at any point"}


def run_points(varying: dict[str, np.ndarray], reps: int, steps: int,
               seed: int) -> Replicates:
    """Run each point (one entry per varying value) ``reps`` times with common seeds."""
    return run_replicates(reps=reps, root_seed=seed, steps=steps, varying=varying)


def shares(runs: Replicates) -> pd.DataFrame:
    """Per point: trap share and trap_entered with Wilson intervals, and class shares."""
    s = runs.summary()
    codes = runs.outcome.reshape(runs.points, runs.reps)
    entered = runs.metrics[:, outcomes.METRIC_NAMES.index("trap_entered")].reshape(
        runs.points, runs.reps) > 0.5
    escalated = codes == outcomes.OUTCOMES.index("escalated")
    dissolved = codes == outcomes.OUTCOMES.index("dissolved")
    share, low, high = share_of(entered, runs.points)
    out = {"n": s.n, "trap_share": s.shares["trap"], "ci_low": s.share_low["trap"],
           "ci_high": s.share_high["trap"], "trap_entered": share, "entered_ci_low": low,
           "entered_ci_high": high}
    out.update({name: s.shares[name] for name in outcomes.OUTCOMES})
    out["dissolved_after_trap"] = (dissolved & entered).mean(axis=1)
    out["escalated_not_entered"] = (escalated & ~entered).mean(axis=1)
    return pd.DataFrame(out)


def monotone_row(sweep: str, measure: str, levels: np.ndarray, t: pd.DataFrame) -> dict:
    """How monotone one sweep is for one measure.

    The decline is the largest fall from any earlier point to any later one (so it does
    not depend on the grid spacing), computed from whole counts.
    """
    reps = int(t["n"].iloc[0])
    k = np.rint(t[measure].to_numpy() * reps).astype(int)
    low, high = (("ci_low", "ci_high") if measure == "trap_share"
                 else ("entered_ci_low", "entered_ci_high"))
    running = np.maximum.accumulate(k)
    j = int(np.argmax(running - k))  # the later point of the largest decline
    i = int(np.argmax(k[: j + 1]))  # the earlier, higher point
    decline = (k[i] - k[j]) / reps
    crossed = np.flatnonzero(k >= 0.5 * reps)
    return {
        "sweep": sweep,
        "measure": measure,
        "at_0": k[0] / reps,
        "at_1": k[-1] / reps,
        "peak": k.max() / reps,
        "peak_at": levels[int(np.argmax(k))],
        "first_level_reaching_0.5": levels[crossed[0]] if crossed.size else np.nan,
        "largest_decline": decline,
        "decline_from_to": f"{levels[i]:.2f} to {levels[j]:.2f}" if decline > 0 else "",
        "decline_beyond_ci": bool(t[low].iloc[i] > t[high].iloc[j]),
        "total_rise": (k[-1] - k[0]) / reps,
        "monotone": bool(k[i] - k[j] <= MAX_DIP * reps + 1e-9
                         and (k[-1] - k[0]) >= MIN_RISE * reps - 1e-9),
    }


def dips(grid: np.ndarray, axis: int) -> int:
    """Grid lines (along ``axis``) on which the share falls by more than MAX_DIP."""
    z = np.moveaxis(grid, axis, -1)
    decline = (np.maximum.accumulate(z, axis=-1) - z).max(axis=-1)
    return int((decline > MAX_DIP + 1e-9).sum())


def sweep_figure(tables: dict[str, pd.DataFrame], reps: int) -> go.Figure:
    """Trap share, trap_entered and dissolved share along each sweep (Wilson 95% bars)."""
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.06,
                        subplot_titles=[f"{s} (others: {fixed_text(s)})" for s in SWEEPS])
    styles = (("trap_share", "ci_low", "ci_high", "trap share (final class)", PALETTE[3]),
              ("trap_entered", "entered_ci_low", "entered_ci_high",
               "fell into the trap (trap_entered)", PALETTE[0]),
              ("dissolved", None, None, "dissolved (final class)", PALETTE[7]))
    for col, (sweep, t) in enumerate(tables.items(), start=1):
        for y, low, high, label, colour in styles:
            err = None if low is None else {
                "type": "data", "symmetric": False, "array": t[high] - t[y],
                "arrayminus": t[y] - t[low], "thickness": 1}
            fig.add_trace(go.Scatter(
                x=t["level"], y=t[y], mode="lines+markers", name=label, error_y=err,
                line={"color": colour, "dash": "dot" if y == "dissolved" else "solid"},
                showlegend=col == 1), row=1, col=col)
        fig.update_xaxes(title_text=f"{sweep} (0-1)", range=[-0.02, 1.02], row=1, col=col)
    fig.update_yaxes(title_text="share of replicates (0-1)", range=[-0.02, 1.05], row=1, col=1)
    fig.update_layout(
        title=f"Trap rate along two trait sweeps ({reps} replicates per point)",
        legend={"orientation": "h", "y": -0.18, "x": 0}, margin={"b": 120})
    return fig


def fixed_text(sweep: str) -> str:
    """The fixed traits of a sweep, short."""
    names = {"partner_a.anxiety": "A anx", "partner_a.avoidance": "A avo",
             "partner_b.anxiety": "B anx", "partner_b.avoidance": "B avo"}
    return ", ".join(f"{names[k]} {v:g}" for k, v in SWEEPS[sweep][1].items())


def heatmap_figure(grids: dict[str, np.ndarray], reps: int) -> go.Figure:
    """Heatmaps over A anxiety x B avoidance."""
    fig = make_subplots(rows=1, cols=len(grids), horizontal_spacing=0.08,
                        subplot_titles=list(grids))
    for col, z in enumerate(grids.values(), start=1):
        fig.add_trace(go.Heatmap(
            x=GRID, y=GRID, z=z, zmin=0, zmax=1, colorscale="Viridis",
            texttemplate="%{z:.2f}", textfont={"size": 9}, showscale=col == len(grids),
            colorbar={"title": "share"}), row=1, col=col)
        fig.update_xaxes(title_text="B avoidance (0-1)", row=1, col=col)
        fig.update_yaxes(title_text="A anxiety (0-1)" if col == 1 else None, row=1, col=col)
    fig.update_layout(
        title=f"A anxiety x B avoidance (A avoidance 0.2, B anxiety 0.2; {reps} replicates "
              "per cell)")
    return fig


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=200, tiny_reps=10, steps=365, tiny_steps=150,
                           argv=argv)
    report = Report(args)
    tables: dict[str, pd.DataFrame] = {}
    summary = []
    for sweep, (trait, fixed) in SWEEPS.items():
        varying = {trait: LEVELS, **{k: np.full(LEVELS.size, v) for k, v in fixed.items()}}
        t = shares(run_points(varying, args.reps, args.steps, args.seed))
        t.insert(0, "level", LEVELS)
        tables[sweep] = t
        for measure in MEASURES:
            summary.append(monotone_row(sweep, measure, LEVELS, t))
    head = pd.DataFrame(summary)
    report.table(
        "table", head,
        f"Monotonicity of the trap rate along each sweep ({args.reps} replicates of "
        f"{args.steps} days per point, {LEVELS.size} points from 0 to 1, root seed "
        f"{args.seed}). trap_share: final class escalated or cycling; trap_entered: fell into "
        f"the trap at any point. largest_decline: the largest fall from an earlier point to a "
        f"later one (decline_beyond_ci: the two points' Wilson 95% intervals do not overlap). "
        f"Monotone: largest_decline at most {MAX_DIP} and a total rise of at least "
        f"{MIN_RISE}.")
    for sweep, t in tables.items():
        report.table(
            "sweep_" + sweep.replace(" ", "_").lower(), t,
            f"Sweep of {sweep} ({fixed_text(sweep)}): shares with Wilson 95% intervals; "
            "dissolved_after_trap: dissolved after falling into the trap; "
            "escalated_not_entered: classified escalated although trap_entered is 0.")
    report.figure("sweeps", sweep_figure(tables, args.reps))

    aa, bv = (g.ravel() for g in np.meshgrid(GRID, GRID, indexing="ij"))
    varying = {"partner_a.anxiety": aa, "partner_b.avoidance": bv,
               "partner_a.avoidance": np.full(aa.size, 0.2),
               "partner_b.anxiety": np.full(aa.size, 0.2)}
    cells = shares(run_points(varying, args.reps, args.steps, args.seed))
    cells.insert(0, "b_avoidance", bv)
    cells.insert(0, "a_anxiety", aa)
    report.table("heatmap", cells, "A anxiety x B avoidance grid (A avoidance 0.2, B anxiety "
                 "0.2): shares with Wilson 95% intervals.")
    shape = (GRID.size, GRID.size)
    grids = {"trap share (final class)": cells["trap_share"].to_numpy().reshape(shape),
             "fell into the trap (trap_entered)": cells["trap_entered"].to_numpy().reshape(
                 shape)}
    report.figure("heatmap", heatmap_figure(grids, args.reps))
    report.figure("heatmap_dissolved", heatmap_figure(
        {"dissolved (final class)": cells["dissolved"].to_numpy().reshape(shape)}, args.reps))

    by = head.set_index(["sweep", "measure"])
    for (sweep, measure), row in by.iterrows():
        key = f"{measure}_{sweep.replace(' ', '_').lower()}"
        report.number(f"{key}_monotone", row["monotone"])
        report.number(f"{key}_at_0", row["at_0"])
        report.number(f"{key}_at_1", row["at_1"])
        report.number(f"{key}_peak", row["peak"])
        report.number(f"{key}_peak_at", row["peak_at"])
        report.number(f"{key}_largest_decline", row["largest_decline"])
        report.number(f"{key}_decline_from_to", row["decline_from_to"])
        report.number(f"{key}_decline_beyond_ci", row["decline_beyond_ci"])
        report.number(f"{key}_first_level_reaching_half", row["first_level_reaching_0.5"])
    for label, z in (("trap_share", grids["trap share (final class)"]),
                     ("trap_entered", grids["fell into the trap (trap_entered)"])):
        report.number(f"heatmap_{label}_falling_columns_along_a_anxiety", dips(z, 0))
        report.number(f"heatmap_{label}_falling_rows_along_b_avoidance", dips(z, 1))
    worst = max(itertools.chain.from_iterable(t["escalated_not_entered"] for t in tables.values()))
    report.number("max_share_escalated_not_entered_in_sweeps", worst)
    entered_ok = bool(by.xs("trap_entered", level="measure")["monotone"].all())
    final_ok = bool(by.xs("trap_share", level="measure")["monotone"].all())
    report.number("agrees_final_class", final_ok)
    # The brief's direction, on the share that fell into the trap (as tests/ check it).
    report.number("agrees", entered_ok)
    return report.write()


if __name__ == "__main__":
    main()
