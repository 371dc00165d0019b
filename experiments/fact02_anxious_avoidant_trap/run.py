"""Does anxious + avoidant fall into the trap far more often than any other pairing?

Runs every pairing of four attachment styles (secure 0.1/0.1, anxious 0.8/0.2, avoidant
0.2/0.8, fearful 0.8/0.8; anxiety/avoidance), ten pairings in all, plus the anxious-avoidant
pairing with the roles of A and B swapped, on the batch engine, for a year (365 days), with
dissolution at its default hazard and with dissolution off (``dyad.dissolution_rate`` 0),
pooled over several root seeds. Every pairing uses the same replicate seeds. The trap share
is the share of runs whose final class is escalated or cycling (Wilson 95% intervals);
trap_entered is the share that fell into the trap at any point.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dyadsim import outcomes
from dyadsim.report import Report, experiment_args
from dyadsim.runner import run_replicates
from dyadsim.summary import share_of, summarize

NAME = "fact02_anxious_avoidant_trap"
STYLES: dict[str, tuple[float, float]] = {
    "secure": (0.1, 0.1),
    "anxious": (0.8, 0.2),
    "avoidant": (0.2, 0.8),
    "fearful": (0.8, 0.8),
}
"""(anxiety, avoidance) of each style, as in tests/test_stylized_facts.py."""
TARGET = "anxious-avoidant"
SWAPPED = "avoidant-anxious (A/B swapped)"
ROOTS, TINY_ROOTS = 5, 2
"""Root seeds pooled (the run's seed and the next ones)."""
DISSOLUTION = {"dissolution on": {}, "dissolution off": {"dyad.dissolution_rate": 0.0}}
FAR_MORE = 0.30
"""'Far more often': a trap-share margin of at least 0.30, as in tests/test_stylized_facts.py."""


def pairings() -> dict[str, tuple[str, str]]:
    """Every unordered pairing of the styles (partner A first), plus the swapped target."""
    names = list(STYLES)
    pairs = {f"{a}-{b}": (a, b) for i, a in enumerate(names) for b in names[i:]}
    pairs[SWAPPED] = ("avoidant", "anxious")
    return pairs


def run_pairings(pairs: dict[str, tuple[str, str]], reps: int, steps: int,
                 seeds: list[int], fixed: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Run every pairing with the same replicate seeds, pooled over root ``seeds``."""
    parts = [_run_pairings(pairs, reps, steps, seed, fixed) for seed in seeds]
    return (np.concatenate([c for c, _ in parts], axis=1),
            np.concatenate([m for _, m in parts], axis=1))


def _run_pairings(pairs: dict[str, tuple[str, str]], reps: int, steps: int,
                  seed: int, fixed: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Run every pairing with one root seed; outcome codes and metrics by pairing."""
    a = np.array([STYLES[x] for x, _ in pairs.values()])
    b = np.array([STYLES[y] for _, y in pairs.values()])
    varying = {"partner_a.anxiety": a[:, 0], "partner_a.avoidance": a[:, 1],
               "partner_b.anxiety": b[:, 0], "partner_b.avoidance": b[:, 1]}
    result = run_replicates(fixed, reps=reps, root_seed=seed, steps=steps, varying=varying)
    n = len(pairs)
    return result.outcome.reshape(n, reps), result.metrics.reshape(n, reps, -1)


def summary_table(pairs: dict[str, tuple[str, str]], codes: np.ndarray,
                  mets: np.ndarray) -> pd.DataFrame:
    """One row per pairing: trap share with its Wilson interval, class shares, trap_entered."""
    reps, n = codes.shape[1], codes.shape[0]
    s = summarize(codes.reshape(-1), mets.reshape(n * reps, -1), n)
    entered, e_low, e_high = share_of(mets[:, :, outcomes.METRIC_NAMES.index("trap_entered")], n)
    return pd.DataFrame({
        "pairing": list(pairs),
        "A (anx/avo)": ["{:.1f}/{:.1f}".format(*STYLES[x]) for x, _ in pairs.values()],
        "B (anx/avo)": ["{:.1f}/{:.1f}".format(*STYLES[y]) for _, y in pairs.values()],
        "n": s.n,
        "trap_share": s.shares["trap"],
        "ci_low": s.share_low["trap"],
        "ci_high": s.share_high["trap"],
        **{k: s.shares[k] for k in outcomes.OUTCOMES},
        "trap_entered": entered,
        "entered_ci_low": e_low,
        "entered_ci_high": e_high,
        "mean_activation": s.mean["mean_activation"],
    })


def trap_figure(table: pd.DataFrame, condition: str) -> go.Figure:
    """Trap share (final class) and trap_entered per pairing, Wilson 95% error bars."""
    t = table.sort_values("trap_share", ascending=False)
    fig = go.Figure()
    colours = ["#D55E00" if p in (TARGET, SWAPPED) else "#0072B2" for p in t["pairing"]]
    fig.add_trace(go.Bar(
        x=t["pairing"], y=t["trap_share"], name="trap share (final class escalated or "
        "cycling)", marker_color=colours,
        error_y={"type": "data", "symmetric": False, "array": t["ci_high"] - t["trap_share"],
                 "arrayminus": t["trap_share"] - t["ci_low"]}))
    fig.add_trace(go.Scatter(
        x=t["pairing"], y=t["trap_entered"], mode="markers", name="fell into the trap at "
        "any point (trap_entered)", marker={"symbol": "diamond", "size": 11,
                                            "color": "#000000"},
        error_y={"type": "data", "symmetric": False,
                 "array": t["entered_ci_high"] - t["trap_entered"],
                 "arrayminus": t["trap_entered"] - t["entered_ci_low"]}))
    fig.update_layout(
        title=f"Trap share by pairing, {condition} ({int(t['n'].iloc[0])} runs each; "
              "Wilson 95% intervals)",
        xaxis_title="pairing (partner A - partner B)", xaxis_tickangle=-30,
        yaxis_title="share of replicates (0-1)", yaxis_range=[0, 1.05],
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0})
    return fig


def shares_figure(table: pd.DataFrame, condition: str) -> go.Figure:
    """Stacked final-class shares per pairing."""
    fig = go.Figure()
    for name in outcomes.OUTCOMES:
        fig.add_trace(go.Bar(x=table["pairing"], y=table[name], name=name))
    fig.update_layout(
        barmode="stack", title=f"Final outcome class by pairing, {condition}",
        xaxis_title="pairing (partner A - partner B)", xaxis_tickangle=-30,
        yaxis_title="share of replicates (0-1)",
        legend={"title": "final class", "traceorder": "normal"})
    return fig


def verdict(table: pd.DataFrame, report: Report, tag: str) -> bool:
    """Record one condition's headline numbers; whether the target's interval is above all."""
    by = table.set_index("pairing")
    target = by.loc[TARGET]
    others = by.drop(index=[TARGET, SWAPPED])
    runner_up = others["trap_share"].idxmax()
    margin = target["trap_share"] - others["trap_share"].max()
    separated = bool((target["ci_low"] > others["ci_high"]).all())
    report.number(f"{tag}trap_share_anxious_avoidant", target["trap_share"])
    report.number(f"{tag}ci", [target["ci_low"], target["ci_high"]])
    report.number(f"{tag}trap_entered_anxious_avoidant", target["trap_entered"])
    report.number(f"{tag}trap_share_swapped_roles", by.loc[SWAPPED, "trap_share"])
    report.number(f"{tag}runner_up_pairing", runner_up)
    report.number(f"{tag}runner_up_trap_share", others.loc[runner_up, "trap_share"])
    report.number(f"{tag}runner_up_ci", [others.loc[runner_up, "ci_low"],
                                         others.loc[runner_up, "ci_high"]])
    report.number(f"{tag}margin_over_runner_up", margin)
    report.number(f"{tag}pairings_within_far_more_margin",
                  sorted(others.index[target["trap_share"] - others["trap_share"] < FAR_MORE]))
    report.number(f"{tag}pairings_with_trap_entered_equal_or_higher",
                  sorted(others.index[others["trap_entered"] >= target["trap_entered"]]))
    report.number(f"{tag}far_more_than_every_pairing", bool(margin >= FAR_MORE and separated))
    report.number(f"{tag}separated", separated)
    return separated


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=100, tiny_reps=20, steps=365, tiny_steps=150,
                           argv=argv)
    report = Report(args)
    pairs = pairings()
    roots = [args.seed + k for k in range(TINY_ROOTS if args.tiny else ROOTS)]
    tables, ok = [], {}
    for condition, fixed in DISSOLUTION.items():
        codes, mets = run_pairings(pairs, args.reps, args.steps, roots, fixed)
        table = summary_table(pairs, codes, mets)
        table.insert(0, "condition", condition)
        tables.append(table)
        slug = condition.replace(" ", "_")
        report.figure(f"trap_share_{slug}", trap_figure(table, condition))
        report.figure(f"outcomes_{slug}", shares_figure(table, condition))
        ok[condition] = verdict(table, report, "" if condition == "dissolution on"
                                else "no_dissolution_")
    report.table(
        "table", pd.concat(tables, ignore_index=True),
        f"Every pairing of four styles, with dissolution at its default hazard and off: "
        f"{args.reps} replicates x {len(roots)} root seeds ({roots[0]}-{roots[-1]}) of "
        f"{args.steps} days per pairing. trap_share: final class escalated or cycling, with "
        "its Wilson 95% interval (ci_low, ci_high); settled ... distant: final-class shares; "
        "trap_entered: fell into the trap at any point (Wilson interval); mean_activation: "
        "both partners' mean distress over the run.")
    # Direction: anxious-avoidant traps more than every other pairing, beyond sampling noise,
    # with dissolution on and with it off (the lead must not come from break-ups alone).
    report.number("agrees", bool(all(ok.values())))
    return report.write()


if __name__ == "__main__":
    main()
