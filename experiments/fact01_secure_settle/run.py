"""Do two secure partners settle in nearly every replicate, and never cycle?

Runs secure-secure couples (both partners anxiety 0.1, avoidance 0.1) at the default dyad
settings on the batch engine, then the same check for less and more secure couples (both
traits 0.0 to 0.3) and for a secure couple under more observation noise, more ambiguous
days and more outside stress. An anxious-avoidant couple (0.8/0.2 with 0.2/0.8) is run
beside them for reference. Every condition uses the same replicate seeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dyadsim import batch, outcomes
from dyadsim.params import make_params
from dyadsim.report import Report, band, day_axis, experiment_args
from dyadsim.runner import Replicates, run_replicates

NAME = "fact01_secure_settle"
TRAITS = ("partner_a.anxiety", "partner_a.avoidance", "partner_b.anxiety",
          "partner_b.avoidance")
SECURE = 0.1
SETTLED_AT_LEAST = 0.95
"""'Nearly every replicate', as in tests/test_stylized_facts.py."""
TRAJECTORY_REPS = 200
"""Replicates (at most) whose trajectories are kept for the time-series figure."""


def couple(trait: float = SECURE, **dyad: float) -> dict[str, float]:
    """Both partners with anxiety = avoidance = ``trait``; ``dyad`` sets dyad parameters."""
    values = dict.fromkeys(TRAITS, trait)
    values.update({f"dyad.{k}": v for k, v in dyad.items()})
    return values


CONDITIONS: dict[str, dict[str, float]] = {
    "secure 0.1, default dyad": couple(),
    "secure 0.0 (most secure)": couple(0.0),
    "secure 0.2": couple(0.2),
    "secure 0.3": couple(0.3),
    "secure 0.1, noise 0.2 (default 0.1)": couple(noise=0.2),
    "secure 0.1, ambiguity 0.4 (default 0.2)": couple(ambiguity=0.4),
    "secure 0.1, stress 0.2 (default 0.05)": couple(stress=0.2),
    "secure 0.1, noise 0.2 + ambiguity 0.4 + stress 0.2": couple(
        noise=0.2, ambiguity=0.4, stress=0.2),
    "reference: anxious-avoidant": {
        "partner_a.anxiety": 0.8, "partner_a.avoidance": 0.2,
        "partner_b.anxiety": 0.2, "partner_b.avoidance": 0.8},
}
HEADLINE = "secure 0.1, default dyad"
REFERENCE = "reference: anxious-avoidant"


def run_conditions(conditions: dict[str, dict[str, float]], reps: int, steps: int,
                   seed: int) -> Replicates:
    """Run every condition with the same ``reps`` replicate seeds on the batch engine."""
    keys = sorted({k for values in conditions.values() for k in values})
    defaults = make_params({})
    varying = {k: [c.get(k, defaults[k]) for c in conditions.values()] for k in keys}
    return run_replicates(reps=reps, root_seed=seed, steps=steps, varying=varying)


def summary_table(runs: Replicates) -> pd.DataFrame:
    """One row per condition: outcome shares, Wilson interval of the settled share."""
    s = runs.summary()
    mets = runs.metrics.reshape(runs.points, runs.reps, -1)
    waves = outcomes.METRIC_NAMES.index("episodes")
    return pd.DataFrame({
        "couple": list(CONDITIONS),
        "n": s.n,
        "settled": s.shares["settled"],
        "settled_ci_low": s.share_low["settled"],
        "settled_ci_high": s.share_high["settled"],
        **{k: s.shares[k] for k in ("cycling", "escalated", "dissolved", "distant")},
        "trap_entered": s.mean["trap_entered"],
        "max_waves": np.max(mets[:, :, waves], axis=1),
        "mean_activation": s.mean["mean_activation"],
    })


def shares_figure(table: pd.DataFrame) -> go.Figure:
    """Stacked outcome shares per condition."""
    fig = go.Figure()
    labels = table["couple"].tolist()
    for name in outcomes.OUTCOMES:
        fig.add_trace(go.Bar(y=labels, x=table[name], name=name, orientation="h"))
    fig.update_layout(
        barmode="stack",
        title=f"Outcome shares of secure couples ({int(table['n'].iloc[0])} replicates each)",
        xaxis_title="share of replicates (0-1)",
        yaxis={"autorange": "reversed", "title": ""},
        legend={"title": "final class", "traceorder": "normal"}, margin={"l": 380})
    return fig


def trajectory_figure(rec: np.ndarray, labels: list[str], every: int) -> go.Figure:
    """Mean activation, pursuit and withdrawal over time (10-90% band of activation)."""
    columns = batch.TRAJECTORY_COLUMNS[1:]
    fig = go.Figure()
    dash = {"activation": "solid", "pursuit": "dash", "withdrawal": "dot"}
    steps = np.arange(rec.shape[2]) * every
    for k, label in enumerate(labels):
        colour = ("#009E73", "#D55E00")[k]
        for var, style in dash.items():
            # the more activated / pursuing / withdrawing partner (NaN after a break-up)
            series = np.fmax(rec[k, :, :, columns.index(f"partner_a.{var}")],
                             rec[k, :, :, columns.index(f"partner_b.{var}")])
            fig.add_trace(go.Scatter(
                x=steps, y=np.nanmean(series, axis=0), mode="lines",
                name=f"{label}: {var}", line={"color": colour, "dash": style}))
            if var == "activation":
                low, high = np.nanpercentile(series, [10, 90], axis=0)
                fig.add_trace(band(steps, low, high, colour, 0.15))
    fig.update_layout(
        title="Secure couple vs anxious-avoidant couple over time (mean; band: 10-90% "
              "of activation)",
        yaxis_title="larger of the two partners' value (0-1)",
        yaxis_range=[0, 1])
    return day_axis(fig, float(steps[-1]))


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=1000, tiny_reps=20, steps=365, tiny_steps=150,
                           argv=argv)
    report = Report(args)
    runs = run_conditions(CONDITIONS, args.reps, args.steps, args.seed)
    codes = runs.outcome.reshape(runs.points, runs.reps)
    table = summary_table(runs)
    report.table(
        "table", table,
        f"Secure couples: outcome shares over {args.reps} replicates of {args.steps} "
        f"days (root seed {args.seed}); settled share with its Wilson 95% interval; "
        "trap_entered is the share that ever fell into the trap; max_waves the most "
        "pursue-withdraw waves in any replicate.")
    report.figure("shares", shares_figure(table))

    kept = min(args.reps, TRAJECTORY_REPS)
    every = 5 if args.steps >= 100 else 1
    pair = {k: CONDITIONS[k] for k in (HEADLINE, REFERENCE)}
    varying = {k: [c[k] for c in pair.values()] for k in TRAITS}
    traj = run_replicates(reps=kept, root_seed=args.seed, steps=args.steps, varying=varying,
                          record_every=every)
    rec = traj.trajectories.reshape(2, kept, *traj.trajectories.shape[1:])
    report.figure("time_series", trajectory_figure(rec, ["secure-secure", "anxious-avoidant"],
                                                   every))

    head = table.set_index("couple").loc[HEADLINE]
    headline_row = list(CONDITIONS).index(HEADLINE)
    cycling_runs = int(np.sum(codes[headline_row] == outcomes.OUTCOMES.index("cycling")))
    report.number("settled_share_secure_secure", head["settled"])
    report.number("settled_ci_low", head["settled_ci_low"])
    report.number("settled_ci_high", head["settled_ci_high"])
    report.number("cycling_runs_secure_secure", cycling_runs)
    report.number("trap_entered_secure_secure", head["trap_entered"])
    report.number("dissolved_share_secure_secure", head["dissolved"])
    robust = table[table["couple"] != REFERENCE]
    report.number("min_settled_share_all_secure_conditions", robust["settled"].min())
    secure_rows = [i for i, label in enumerate(CONDITIONS) if label != REFERENCE]
    report.number("cycling_runs_all_secure_conditions",
                  int(np.sum(codes[secure_rows] == outcomes.OUTCOMES.index("cycling"))))
    report.number("settled_share_anxious_avoidant_reference",
                  table.set_index("couple").loc[REFERENCE, "settled"])
    report.number("agrees", bool(head["settled"] >= SETTLED_AT_LEAST and cycling_runs == 0))
    return report.write()


if __name__ == "__main__":
    main()
