"""Does a secure partner buffer: does anxious + secure trap far less than anxious + avoidant?

Pairs an anxious partner A (anxiety 0.6, 0.8 or 1.0; avoidance 0.2) with a secure partner B
(0.1/0.1) or an avoidant one (0.2/0.8), then moves B from secure to avoidant: B's avoidance
from 0 to 1 in steps of 0.05 with B's anxiety at the secure 0.1 (A at 0.8/0.2). Batch
engine, the same replicate seeds at every point. Reports the trap share (final class
escalated or cycling, Wilson 95% intervals), trap_entered and the anxious partner's own mean
activation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dyadsim import batch, outcomes
from dyadsim.report import PALETTE, Report, experiment_args
from dyadsim.runner import run_replicates
from dyadsim.summary import share_of

NAME = "fact04_secure_buffer"
PARTNERS_B: dict[str, tuple[float, float]] = {"secure": (0.1, 0.1), "avoidant": (0.2, 0.8)}
"""Partner B's (anxiety, avoidance), as in tests/test_stylized_facts.py."""
A_ANXIETY = (0.6, 0.8, 1.0)
A_AVOIDANCE = 0.2
HEADLINE_ANXIETY = 0.8
LEVELS = np.round(np.linspace(0.0, 1.0, 21), 2)
FAR_LESS = 0.30
"""'Far less': a trap-share gap of at least 0.30, as in tests/test_stylized_facts.py."""
A_ACTIVATION = batch.TRAJECTORY_COLUMNS[1:].index("partner_a.activation")


def couple(a_anxiety: float, b_anxiety: float, b_avoidance: float) -> dict[str, float]:
    """The four traits of a couple with an anxious partner A."""
    return {"partner_a.anxiety": a_anxiety, "partner_a.avoidance": A_AVOIDANCE,
            "partner_b.anxiety": b_anxiety, "partner_b.avoidance": b_avoidance}


def run_point(traits: dict[str, float], reps: int, steps: int, seed: int,
              every: int) -> dict[str, float]:
    """Run one couple ``reps`` times; shares with Wilson intervals and A's mean activation."""
    result = run_replicates(traits, reps=reps, root_seed=seed, steps=steps,
                            record_every=every)
    s = result.summary()
    entered, e_low, e_high = share_of(
        result.metrics[:, outcomes.METRIC_NAMES.index("trap_entered")])
    # A's activation over the live part of each run (rows after a break-up are NaN).
    a_act = np.nanmean(result.trajectories[:, 1:, A_ACTIVATION], axis=1)
    return {
        "n": reps,
        "trap_share": float(s.shares["trap"][0]), "ci_low": float(s.share_low["trap"][0]),
        "ci_high": float(s.share_high["trap"][0]),
        "trap_entered": float(entered[0]), "entered_ci_low": float(e_low[0]),
        "entered_ci_high": float(e_high[0]),
        **{k: float(s.shares[k][0]) for k in outcomes.OUTCOMES},
        "a_mean_activation": float(np.mean(a_act)),
    }


def sweep_figure(t: pd.DataFrame, reps: int) -> go.Figure:
    """Trap share, trap_entered and A's activation as B moves from secure to avoidant."""
    fig = go.Figure()
    for y, low, high, label, colour in (
            ("trap_share", "ci_low", "ci_high", "trap share (final class)", PALETTE[3]),
            ("trap_entered", "entered_ci_low", "entered_ci_high",
             "fell into the trap (trap_entered)", PALETTE[0])):
        fig.add_trace(go.Scatter(
            x=t["b_avoidance"], y=t[y], mode="lines+markers", name=label,
            line={"color": colour},
            error_y={"type": "data", "symmetric": False, "array": t[high] - t[y],
                     "arrayminus": t[y] - t[low], "thickness": 1}))
    fig.add_trace(go.Scatter(
        x=t["b_avoidance"], y=t["a_mean_activation"], mode="lines+markers",
        name="anxious partner A's mean activation", line={"color": PALETTE[2], "dash": "dot"}))
    for x, text in ((0.1, "secure B"), (0.8, "avoidant B")):
        fig.add_vline(x=x, line={"color": "#888888", "dash": "dash"}, annotation_text=text,
                      annotation_position="top")
    fig.update_layout(
        title=f"Partner B from secure to avoidant, A anxious 0.8/0.2, B anxiety 0.1 "
              f"({reps} replicates per point)",
        xaxis_title="B avoidance (0-1)", xaxis_range=[-0.02, 1.02],
        yaxis_title="share of replicates / activation (0-1)", yaxis_range=[-0.02, 1.08],
        legend={"orientation": "h", "y": -0.2, "x": 0}, margin={"b": 120})
    return fig


def pairs_figure(t: pd.DataFrame) -> go.Figure:
    """Trap share for a secure vs an avoidant partner B at each level of A's anxiety."""
    fig = go.Figure()
    for k, name in enumerate(PARTNERS_B):
        s = t[t["partner_b"] == name]
        fig.add_trace(go.Bar(
            x=[f"A anxiety {a:.1f}" for a in s["a_anxiety"]], y=s["trap_share"],
            name=f"with a {name} partner B ({'{:.1f}/{:.1f}'.format(*PARTNERS_B[name])})",
            marker_color=(PALETTE[2], PALETTE[3])[k], text=s["trap_share"],
            texttemplate="%{text:.2f}", textposition="outside",
            error_y={"type": "data", "symmetric": False,
                     "array": s["ci_high"] - s["trap_share"],
                     "arrayminus": s["trap_share"] - s["ci_low"]}))
    fig.update_layout(
        barmode="group",
        title=f"The secure buffer: trap share of an anxious partner A "
              f"({int(t['n'].iloc[0])} replicates, Wilson 95% bars)",
        xaxis_title="partner A's anxiety (A avoidance 0.2)",
        yaxis_title="trap share: final class escalated or cycling (0-1)",
        yaxis_range=[0, 1.1], legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"})
    return fig


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=400, tiny_reps=20, steps=365, tiny_steps=150,
                           argv=argv)
    report = Report(args)
    every = 5 if args.steps >= 100 else 1
    rows = []
    for a in A_ANXIETY:
        for name, (b_anx, b_avo) in PARTNERS_B.items():
            point = run_point(couple(a, b_anx, b_avo), args.reps, args.steps, args.seed, every)
            rows.append({"a_anxiety": a, "partner_b": name,
                         "B (anx/avo)": f"{b_anx:.1f}/{b_avo:.1f}", **point})
    table = pd.DataFrame(rows)
    report.table(
        "table", table,
        f"Anxious partner A (avoidance {A_AVOIDANCE}) with a secure or an avoidant partner "
        f"B: {args.reps} replicates of {args.steps} days (root seed {args.seed}). "
        "trap_share: final class escalated or cycling (Wilson 95% interval); trap_entered: "
        "fell into the trap at any point; a_mean_activation: A's own mean distress over the "
        "run.")
    report.figure("buffer", pairs_figure(table))

    sweep = pd.DataFrame([
        {"b_avoidance": v, **run_point(couple(HEADLINE_ANXIETY, 0.1, v), args.reps, args.steps,
                                       args.seed, every)}
        for v in LEVELS])
    report.table("sweep_b_avoidance", sweep,
                 f"A anxious ({HEADLINE_ANXIETY}/{A_AVOIDANCE}), B anxiety 0.1, B avoidance "
                 "from 0 to 1: shares with Wilson 95% intervals.")
    report.figure("sweep_b_avoidance", sweep_figure(sweep, args.reps))

    by = table.set_index(["a_anxiety", "partner_b"])
    gaps = {}
    for a in A_ANXIETY:
        sec, avo = by.loc[(a, "secure")], by.loc[(a, "avoidant")]
        gaps[a] = (avo["trap_share"] - sec["trap_share"], bool(avo["ci_low"] > sec["ci_high"]))
    sec, avo = by.loc[(HEADLINE_ANXIETY, "secure")], by.loc[(HEADLINE_ANXIETY, "avoidant")]
    report.number("trap_share_anxious_secure", sec["trap_share"])
    report.number("anxious_secure_ci_low", sec["ci_low"])
    report.number("anxious_secure_ci_high", sec["ci_high"])
    report.number("trap_share_anxious_avoidant", avo["trap_share"])
    report.number("anxious_avoidant_ci_low", avo["ci_low"])
    report.number("anxious_avoidant_ci_high", avo["ci_high"])
    report.number("trap_entered_anxious_secure", sec["trap_entered"])
    report.number("trap_entered_anxious_avoidant", avo["trap_entered"])
    report.number("a_activation_with_secure", sec["a_mean_activation"])
    report.number("a_activation_with_avoidant", avo["a_mean_activation"])
    report.number("dissolved_anxious_secure", sec["dissolved"])
    report.number("buffer_gap", gaps[HEADLINE_ANXIETY][0])
    report.number("buffer_gap_by_a_anxiety", {f"{a:.1f}": g for a, (g, _) in gaps.items()})
    report.number("far_less_at_every_a_anxiety",
                  all(g >= FAR_LESS and sep for g, sep in gaps.values()))
    crossed = sweep.loc[sweep["trap_share"] >= 0.5, "b_avoidance"]
    report.number("b_avoidance_where_trap_share_reaches_half",
                  float(crossed.iloc[0]) if len(crossed) else None)
    gap, separated = gaps[HEADLINE_ANXIETY]
    report.number("agrees", bool(gap >= FAR_LESS and separated))
    return report.write()


if __name__ == "__main__":
    main()
