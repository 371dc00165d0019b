"""How often does a fearful partner switch between approach and avoidance, and does noise matter?

The fearful scenario check of issue 15 (item 5) on Model 2.0, with every gain derived from
the traits (no hand-set point). A fearful partner A (anxiety 0.8, avoidance 0.8) is paired
with each of the four styles (secure 0.1/0.1, anxious 0.8/0.2, avoidant 0.2/0.8, fearful
0.8/0.8) and run for 365 and for 730 days on the batch engine, at several levels of
observation noise (``dyad.noise``; the default is 0.1), pooled over several root seeds.
Reported per condition: the share of runs the classifier calls cycling (Wilson 95%
interval), the share of runs whose fearful partner switches orientation at least 3 times
(``partner_a.approach`` crossing 0.5 in either direction), the mean number of switches per
year of days together, and the trap, settled and dissolved shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dyadsim import outcomes
from dyadsim.report import PALETTE, Report, day_axis, experiment_args
from dyadsim.runner import Replicates, run_replicates
from dyadsim.stats import wilson
from dyadsim.summary import summarize

NAME = "noise_switching"
FEARFUL = (0.8, 0.8)
PARTNERS: dict[str, tuple[float, float]] = {
    "secure": (0.1, 0.1), "anxious": (0.8, 0.2), "avoidant": (0.2, 0.8), "fearful": (0.8, 0.8)}
"""Partner B's style as (anxiety, avoidance); partner A is fearful in every couple."""
HEADLINE = "secure"
"""The couple the verdict is read from: one insecure (fearful) partner with a secure one, the
pairing whose mean field has a slow limit cycle (experiments/rinaldi_cycles)."""
NOISE = (0.0, 0.1, 0.2, 0.3)
DEFAULT_NOISE = 0.1
LENGTHS = (365, 730)
INDIVIDUALITY = 0.0
"""Besides the default person-level deviations (``dyad.individuality`` 0.3), every couple also
runs at default noise with none: the trait-derived person exactly."""
DEFAULT_LABEL = "0.3 (default)"
MIN_SWITCHES = 3
"""A run 'switches' when its fearful partner's approach crosses 0.5 at least this often."""
MOST = 0.5
"""'Most replicates' (issue 15, item 5): a share above one half, set before the run."""


@dataclass(frozen=True)
class Size:
    """How much runs."""

    roots: int
    partners: tuple[str, ...]
    noise: tuple[float, ...]


FULL = Size(5, tuple(PARTNERS), NOISE)
TINY = Size(2, ("secure", "avoidant"), (DEFAULT_NOISE,))


def couple(partner: str, noise: float, steps: int, individuality: float | None = None
           ) -> dict[str, float]:
    """The parameter settings of a fearful partner A with partner B of a style."""
    (aa, av), (ba, bv) = FEARFUL, PARTNERS[partner]
    out = {"partner_a.anxiety": aa, "partner_a.avoidance": av, "partner_b.anxiety": ba,
           "partner_b.avoidance": bv, "dyad.noise": noise, "run.steps": steps}
    if individuality is not None:
        out["dyad.individuality"] = individuality
    return out


def conditions(size: Size) -> list[tuple[str, float, float | None]]:
    """(partner B, noise, individuality or None for the default) of every row."""
    out: list[tuple[str, float, float | None]] = []
    for partner in size.partners:
        out += [(partner, noise, None) for noise in size.noise]
        out.append((partner, DEFAULT_NOISE, INDIVIDUALITY))
    return out


def switches(approach: np.ndarray) -> np.ndarray:
    """Per run, how often the orientation crosses 0.5 (NaN days past a break-up skipped)."""
    side = approach >= 0.5
    valid = ~np.isnan(approach)
    both = valid[:, 1:] & valid[:, :-1]
    return np.sum((side[:, 1:] != side[:, :-1]) & both, axis=1)


def run_condition(partner: str, noise: float, individuality: float | None, steps: int,
                  roots: list[int], reps: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Replicates]:
    """Every root seed's replicates of one condition: outcome codes, switches, days alive,
    metrics."""
    codes, counts, days, mets, last = [], [], [], [], None
    for root in roots:
        res = run_replicates(couple(partner, noise, steps, individuality), reps=reps,
                             root_seed=root,
                             record_every=1)
        codes.append(res.outcome)
        counts.append(switches(res.column("partner_a.approach")))
        days.append(np.minimum(res.last_step, steps))
        mets.append(res.metrics)
        last = res
    assert last is not None
    return (np.concatenate(codes), np.concatenate(counts), np.concatenate(days),
            np.concatenate(mets), last)


def share_text(k: int, n: int) -> tuple[float, float, float]:
    """A share and its Wilson 95% interval."""
    low, high = wilson(k, n)
    return k / n, low, high


def example_figure(res: Replicates, steps: int) -> go.Figure:
    """The first replicate's fearful partner: approach, pursuit, withdrawal and closeness."""
    t = res.trajectory(0)
    fig = go.Figure()
    for col, label, colour, dash in (
            ("partner_a.approach", "A's approach orientation", PALETTE[2], "dot"),
            ("partner_a.pursuit", "A's pursuit", PALETTE[1], "solid"),
            ("partner_a.withdrawal", "A's withdrawal", PALETTE[4], "solid"),
            ("partner_a.discomfort", "A's discomfort", PALETTE[3], "solid"),
            ("dyad.closeness", "closeness", PALETTE[0], "solid")):
        fig.add_trace(go.Scatter(x=t["step"], y=t[col], name=label,
                                 line={"color": colour, "dash": dash}))
    fig.update_layout(title=f"One fearful-{HEADLINE} couple at default noise (first replicate "
                            "of the last root seed)",
                      yaxis_title="level (0-1)", yaxis_range=[-0.02, 1.02],
                      legend={"orientation": "h", "y": -0.2, "x": 0})
    return day_axis(fig, steps)


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=200, tiny_reps=10, steps=730, tiny_steps=730,
                           argv=argv)
    size = TINY if args.tiny else FULL
    roots = [args.seed + k for k in range(size.roots)]
    lengths = tuple(sorted({min(n, args.steps) for n in LENGTHS}))
    rows, example = [], None
    for steps in lengths:
        for partner, noise, individuality in conditions(size):
            codes, counts, days, mets, res = run_condition(partner, noise, individuality,
                                                           steps, roots, args.reps)
            if (partner == HEADLINE and noise == DEFAULT_NOISE and individuality is None
                    and steps == max(lengths)):
                example = res
            n = codes.size
            s = summarize(codes, mets)
            cyc = int(np.sum(codes == outcomes.OUTCOMES.index("cycling")))
            sw = int(np.sum(counts >= MIN_SWITCHES))
            c_share, c_low, c_high = share_text(cyc, n)
            w_share, w_low, w_high = share_text(sw, n)
            rows.append({
                "couple": f"fearful-{partner}", "B (anx/avo)": "{:.1f}/{:.1f}".format(
                    *PARTNERS[partner]), "days": steps, "noise": noise,
                "individuality": DEFAULT_LABEL if individuality is None else f"{individuality:g}",
                "runs": n,
                "cycling": c_share, "cycling_low": c_low, "cycling_high": c_high,
                f"switch_{MIN_SWITCHES}plus": w_share, "switch_low": w_low,
                "switch_high": w_high,
                "switches_per_year_together": float(np.mean(counts / np.maximum(days, 1))
                                                    * 365),
                "median_switches": float(np.median(counts)),
                "trap": float(s.shares["trap"][0]), "settled": float(s.shares["settled"][0]),
                "dissolved": float(s.shares["dissolved"][0]),
                "distant": float(s.shares["distant"][0]),
                "pursue_withdraw_index": float(s.mean["pursue_withdraw_index"][0]),
                "waves": float(s.mean["episodes"][0])})
    table = pd.DataFrame(rows)
    report = Report(args)
    report.table(
        "table", table,
        f"A fearful partner A (0.8/0.8) with partner B of each style, every gain derived from "
        f"the traits, {args.reps} replicates x {size.roots} root seeds ({roots[0]}-"
        f"{roots[-1]}) per row. cycling: final class cycling (Wilson 95%); switch_"
        f"{MIN_SWITCHES}plus: share of runs whose partner_a.approach crosses 0.5 at least "
        f"{MIN_SWITCHES} times (Wilson 95%); switches_per_year_together: crossings per 365 "
        "days together; trap ... distant: final-class shares; pursue_withdraw_index and waves: "
        "the classifier's continuous index and its count of pursue-withdraw waves (run "
        "means). Default noise is 0.1; individuality: the sd of person-level deviations "
        "around the trait mappings (0: none).")
    fig = go.Figure()
    for k, noise in enumerate(size.noise):
        t = table[(table["noise"] == noise) & (table["days"] == max(lengths))
                  & (table["individuality"] == DEFAULT_LABEL)]
        fig.add_trace(go.Bar(
            x=t["couple"], y=t["cycling"], name=f"cycling, noise {noise}",
            marker_color=PALETTE[k % len(PALETTE)],
            error_y={"type": "data", "symmetric": False, "array": t["cycling_high"] - t["cycling"],
                     "arrayminus": t["cycling"] - t["cycling_low"]}))
        fig.add_trace(go.Scatter(
            x=t["couple"], y=t[f"switch_{MIN_SWITCHES}plus"], mode="markers",
            marker={"symbol": "diamond", "size": 11, "color": PALETTE[k % len(PALETTE)],
                    "line": {"width": 1, "color": "black"}},
            name=f">= {MIN_SWITCHES} switches, noise {noise}"))
    fig.update_layout(barmode="group", title=f"Fearful partner A over {max(lengths)} days: "
                      "cycling share (bars, Wilson 95%) and switching share (diamonds)",
                      yaxis_title="share of runs", yaxis_range=[0, 1.05],
                      xaxis_title="couple (A fearful - B)",
                      legend={"orientation": "h", "y": -0.25, "x": 0})
    report.figure("cycling_by_couple", fig)
    assert example is not None
    report.figure("example_run", example_figure(example, max(lengths)))

    at_default = (table["noise"] == DEFAULT_NOISE) & (table["individuality"] == DEFAULT_LABEL)
    head = table[(table["couple"] == f"fearful-{HEADLINE}") & at_default]
    for _, row in head.iterrows():
        d = int(row["days"])
        report.number(f"cycling_fearful_{HEADLINE}_{d}d", row["cycling"])
        report.number(f"cycling_fearful_{HEADLINE}_{d}d_ci",
                      [row["cycling_low"], row["cycling_high"]])
        report.number(f"switch{MIN_SWITCHES}_fearful_{HEADLINE}_{d}d",
                      row[f"switch_{MIN_SWITCHES}plus"])
        report.number(f"switch{MIN_SWITCHES}_fearful_{HEADLINE}_{d}d_ci",
                      [row["switch_low"], row["switch_high"]])
        report.number(f"switches_per_year_fearful_{HEADLINE}_{d}d",
                      row["switches_per_year_together"])
    default = table[at_default]
    exact = table[(table["individuality"] != DEFAULT_LABEL)]
    report.number("cycling_by_couple_no_individuality",
                  {f"{r.couple} {r.days}d": r.cycling for r in exact.itertuples()})
    report.number("switch_by_couple_no_individuality",
                  {f"{r.couple} {r.days}d": getattr(r, f"switch_{MIN_SWITCHES}plus")
                   for r in exact.itertuples()})
    report.number("cycling_by_couple_default_noise",
                  {f"{r.couple} {r.days}d": r.cycling for r in default.itertuples()})
    report.number("switch_by_couple_default_noise",
                  {f"{r.couple} {r.days}d": getattr(r, f"switch_{MIN_SWITCHES}plus")
                   for r in default.itertuples()})
    year = head[head["days"] == min(lengths)].iloc[0]
    # Issue 15 item 5: the fearful scenario cycles in most replicates from trait-derived
    # values, and its fearful partner switches orientation in most of them.
    report.number("agrees", bool(year["cycling"] > MOST
                                 and year[f"switch_{MIN_SWITCHES}plus"] > MOST))
    return report.write()


if __name__ == "__main__":
    main()
