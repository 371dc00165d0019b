"""Steady reassurance against reassurance contingent on protest: which one keeps protest alive?

Stylized fact 10 and issue 15 item 7. Anxious Sam (0.8/0.2) with Chris (0.3/0.4), who at first
answers the "confused" way (no reassurance, lapse rate 0.35; the library's ``antidote``
couple); every other gain derived from the traits. From day 90 Chris changes policy, on the
same replicate seeds in every arm, pooled over several root seeds, for a year (365 days):

* ``confused``: no change (the comparison);
* ``steady (antidote)``: the ``antidote`` policy preset (reassurance 0.6 every day, whatever
  Sam does, and no lapses);
* ``contingent``: the ``contingent`` policy preset (reassurance in proportion to Sam's
  protest of the day before, ``contingent_reassurance`` 0.6, and no lapses);
* ``steady, matched dose``: steady reassurance at the mean daily amount the contingent arm
  delivered (``clip(0.6 p_Sam(t-1))`` averaged over its days after the change), and no lapses.

Claims (set before the run): at matched dose the contingent schedule keeps Sam's pursuit
higher than the steady one (partial reinforcement keeps protest alive); the steady schedule
lowers Sam's activation against the confused reply without raising Sam's pursuit.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dyadsim import expectations
from dyadsim.interventions import POLICIES
from dyadsim.report import PALETTE, Report, band, day_axis, experiment_args
from dyadsim.runner import Replicates, run_replicates
from dyadsim.scenario.model import Event, Scenario
from dyadsim.stats import mean_interval, mean_interval_rows

NAME = "fact10_antidote"
COUPLE = {"partner_a.anxiety": 0.8, "partner_a.avoidance": 0.2,
          "partner_b.anxiety": 0.3, "partner_b.avoidance": 0.4,
          "partner_b.reassurance": 0.0, "partner_b.lapse_rate": 0.35}
"""Sam and Chris of the library's ``antidote`` scenario (Chris's confused reply)."""
START = 90
"""The day Chris changes policy (about three months in)."""
LATE = 180
"""The late window runs from this day to the end (the policy has had three months)."""
ROOTS, TINY_ROOTS = 5, 2
ARMS = ("confused", "steady (antidote)", "contingent", "steady, matched dose")
COLOURS = dict(zip(ARMS, (PALETTE[3], PALETTE[2], PALETTE[1], PALETTE[0]), strict=True))


def contingent_gain() -> float:
    """The contingent preset's ``contingent_reassurance`` at strength 1 (from 0)."""
    effect = next(e for e in POLICIES["contingent"].effects
                  if e.field == "contingent_reassurance")
    return effect.fraction * effect.goal


def events(arm: str, dose: float) -> tuple[Event, ...]:
    """The policy change of an arm, from day START."""
    if arm == "steady (antidote)":
        return (Event("policy", START, arm, partner="partner_b", policy="antidote"),)
    if arm == "contingent":
        return (Event("policy", START, arm, partner="partner_b", policy="contingent"),)
    if arm == "steady, matched dose":
        return (Event("change", START, arm, param="partner_b.reassurance", op="to",
                      value=round(dose, 6)),
                Event("change", START, "no lapses", param="partner_b.lapse_rate", op="to",
                      value=0.0))
    return ()


def run_arm(arm: str, dose: float, steps: int, roots: list[int], reps: int
            ) -> list[Replicates]:
    """One arm's replicates for every root seed."""
    out = []
    for root in roots:
        sc = Scenario(arm, arm, "fact 10", params={**COUPLE, "run.steps": steps,
                                                   "run.seed": root},
                      events=events(arm, dose))
        out.append(run_replicates(scenario=sc, reps=reps, record_every=1))
    return out


def column(parts: list[Replicates], name: str) -> np.ndarray:
    """A recorded column of every run of an arm, pooled over root seeds."""
    return np.concatenate([r.column(name) for r in parts])


def delivered(parts: list[Replicates], gain: float, steps: int) -> float:
    """Mean daily contingent reassurance over days START..steps (live days of every run)."""
    p = column(parts, "partner_a.pursuit")
    given = np.clip(gain * p[:, START - 1:steps], 0.0, 1.0)
    return float(np.nanmean(given))


def window_mean(parts: list[Replicates], name: str, window: tuple[int, int]) -> np.ndarray:
    """Per run, the mean of a column over a window of days (live part)."""
    return np.concatenate([expectations.quantity(r, name, window) for r in parts])


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=200, tiny_reps=40, steps=365, tiny_steps=365,
                           argv=argv)
    if args.steps < LATE + 30:
        raise SystemExit(f"{NAME}: --steps = {args.steps}: must be at least {LATE + 30} "
                         f"(the policy starts on day {START}, the late window on day {LATE})")
    started = time.perf_counter()
    roots = [args.seed + k for k in range(TINY_ROOTS if args.tiny else ROOTS)]
    runs = {arm: run_arm(arm, 0.0, args.steps, roots, args.reps) for arm in ARMS[:3]}
    gain = contingent_gain()
    dose = delivered(runs["contingent"], gain, args.steps)
    runs[ARMS[3]] = run_arm(ARMS[3], dose, args.steps, roots, args.reps)
    print(f"{NAME}: simulations took {time.perf_counter() - started:.1f} s")

    windows = {"before the change": (START - 30, START - 1),
               "first month of the policy": (START, START + 29),
               "late": (LATE, args.steps)}
    quantities = {"Sam's activation": "partner_a.activation",
                  "Sam's pursuit": "partner_a.pursuit",
                  "availability Chris offers": "partner_b.availability"}
    values = {(arm, q, w): window_mean(runs[arm], col, win) for arm in ARMS
              for q, col in quantities.items() for w, win in windows.items()}
    rows = []
    for (arm, q, w), x in values.items():
        m = mean_interval(x[~np.isnan(x)].tolist())
        rows.append({"arm": arm, "quantity": q, "window": f"{w} ({windows[w][0]}-"
                     f"{windows[w][1]})", "mean": m[0], "low": m[1], "high": m[2], "runs": m[3]})
    table = pd.DataFrame(rows)

    comparisons = (("contingent", "steady, matched dose"), ("steady, matched dose", "confused"),
                   ("steady (antidote)", "confused"), ("contingent", "confused"))
    diff_rows, diffs = [], {}
    for first, second in comparisons:
        for q in quantities:
            d = values[(first, q, "late")] - values[(second, q, "late")]
            m = mean_interval(d[~np.isnan(d)].tolist())
            diffs[(first, second, q)] = m
            diff_rows.append({"comparison": f"{first} minus {second}", "quantity": q,
                              "window": f"late ({LATE}-{args.steps})", "difference": m[0],
                              "low": m[1], "high": m[2], "runs": m[3]})
    diff_table = pd.DataFrame(diff_rows)

    report = Report(args)
    report.table(
        "table", diff_table,
        f"Paired differences (same seeds) over the late window, days {LATE}-{args.steps}, "
        f"of per-run means; Student-t 95% intervals. {args.reps} replicates x {len(roots)} "
        f"root seeds ({roots[0]}-{roots[-1]}). Policies from day {START}; matched dose: "
        f"steady reassurance {dose:.4f} a day, the contingent arm's mean delivered amount "
        f"(contingent_reassurance {gain:g} x Sam's pursuit the day before).")
    report.table("windows", table, "Per-arm means over windows (Student-t 95% intervals).")

    days = np.arange(args.steps + 1)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=["Sam's activation", "Sam's pursuit"])
    for row, col in ((1, "partner_a.activation"), (2, "partner_a.pursuit")):
        for arm in ARMS:
            mean, low, high, _ = mean_interval_rows(column(runs[arm], col).T)
            fig.add_trace(band(days, low, high, COLOURS[arm], 0.2), row=row, col=1)
            fig.add_trace(go.Scatter(x=days, y=mean, name=arm, showlegend=row == 1,
                                     line={"color": COLOURS[arm]}), row=row, col=1)
        fig.add_vline(x=START, line={"dash": "dash", "color": "grey"}, row=row, col=1)
    fig.update_yaxes(range=[0, 1])
    day_axis(fig, args.steps, row=2, col=1)
    fig.update_layout(title=f"Chris's policy from day {START} (mean of couples still together, "
                            "95% t bands)", legend={"orientation": "h", "y": -0.15, "x": 0})
    report.figure("over_time", fig)

    cont_vs_steady = diffs[("contingent", "steady, matched dose", "Sam's pursuit")]
    steady_act = diffs[("steady, matched dose", "confused", "Sam's activation")]
    steady_pur = diffs[("steady, matched dose", "confused", "Sam's pursuit")]
    anti_act = diffs[("steady (antidote)", "confused", "Sam's activation")]
    anti_pur = diffs[("steady (antidote)", "confused", "Sam's pursuit")]
    report.number("matched_dose", dose)
    report.number("contingent_gain", gain)
    report.number("pursuit_contingent_minus_matched_steady", cont_vs_steady[0])
    report.number("pursuit_contingent_minus_matched_steady_ci", list(cont_vs_steady[1:3]))
    report.number("activation_matched_steady_minus_confused", steady_act[0])
    report.number("activation_matched_steady_minus_confused_ci", list(steady_act[1:3]))
    report.number("pursuit_matched_steady_minus_confused", steady_pur[0])
    report.number("pursuit_matched_steady_minus_confused_ci", list(steady_pur[1:3]))
    report.number("activation_antidote_minus_confused", anti_act[0])
    report.number("activation_antidote_minus_confused_ci", list(anti_act[1:3]))
    report.number("pursuit_antidote_minus_confused", anti_pur[0])
    report.number("pursuit_antidote_minus_confused_ci", list(anti_pur[1:3]))
    keeps_protest = bool(cont_vs_steady[1] > 0)
    calms = bool(steady_act[2] < 0 and steady_pur[0] <= 0)
    report.number("contingent_keeps_protest_alive", keeps_protest)
    report.number("steady_calms_without_raising_pursuit", calms)
    report.number("antidote_calms_without_raising_pursuit",
                  bool(anti_act[2] < 0 and anti_pur[0] <= 0))
    report.number("agrees", keeps_protest and calms)
    return report.write()


if __name__ == "__main__":
    main()
