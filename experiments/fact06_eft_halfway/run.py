"""Do most trapped couples who reach EFT recover, near the trials' 70-73%?

Stylized fact 6 (Johnson, Hunsley, Greenberg & Schindler 1999: 70-73% recovery in EFT
trials). The anxious-avoidant couple (0.8/0.2 with 0.2/0.8, every gain derived from the
traits) runs for a year (365 days); EFT for both partners starts on day 180 with the preset's
default course (``dyadsim.interventions.THERAPIES["eft"].course``: 12 weekly sessions, each
adding its share of the effect). Every run is paired with its untreated twin (same seed,
event left out), pooled over several root seeds.

Who reaches therapy (stated before the run): couples still together on day 180 whose mean
pursue-withdraw signal over days 150-179 is at least the classifier's wave-off level
(``outcomes.PW_OFF``: they are in the loop). Recovered (stated before the run): still together
at day 365, final class settled (the classifier on the run's last 40%), and the couple's mean
satisfaction (both partners) over the last 30 days above its mean over the 30 days before
therapy.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dyadsim import expectations, outcomes
from dyadsim.interventions import THERAPIES
from dyadsim.report import PALETTE, Report, band, day_axis, experiment_args
from dyadsim.runner import Replicates, run_replicates
from dyadsim.scenario.model import Event, Scenario
from dyadsim.stats import mean_interval_rows, wilson

NAME = "fact06_eft_halfway"
EVENT = "EFT"
COUPLE = {"partner_a.anxiety": 0.8, "partner_a.avoidance": 0.2,
          "partner_b.anxiety": 0.2, "partner_b.avoidance": 0.8}
"""The anxious-avoidant trap couple (the library's therapy couple, Sam and Alex)."""
START = 180
"""The first session's day (about half a year in)."""
PRE_DAYS = 30
"""The windows before therapy and at the end over which satisfaction is averaged."""
LOOP_DAYS = 30
"""The window before therapy over which the pursue-withdraw signal is averaged."""
ROOTS, TINY_ROOTS = 5, 2
TRIALS = (0.70, 0.73)
"""Johnson et al. 1999: recovery in EFT trials (reported beside the model's number; not a
target any constant was set to hit)."""
MOST = 0.5
EFFECT = 0.3
"""The verdict (set before the run): the lower Wilson bound of recovery with EFT is above
MOST, and recovery with EFT exceeds recovery without it by at least EFFECT."""


def scenario(steps: int, seed: int, start: int) -> Scenario:
    """The trap couple with EFT (the preset's default course) from day ``start``."""
    course = THERAPIES["eft"].course
    assert course is not None
    return Scenario(
        "EFT for a trapped couple", "EFT from day 180", "fact 6",
        params={**COUPLE, "run.steps": steps, "run.seed": seed},
        events=(Event("therapy", start, EVENT, therapy="eft", partner="both",
                      sessions=course.sessions, every=course.every),))


def pursue_withdraw(res: Replicates) -> np.ndarray:
    """The classifier's pursue-withdraw signal of every run and day (NaN after a break-up)."""
    return outcomes.pw_signal(res.column("partner_a.pursuit"), res.column("partner_b.withdrawal"),
                              res.column("partner_b.pursuit"), res.column("partner_a.withdrawal"))


def satisfaction(res: Replicates, window: tuple[int, int]) -> np.ndarray:
    """The couple's mean satisfaction (both partners) over a window of days, per run."""
    a = expectations.quantity(res, "partner_a.satisfaction", window)
    b = expectations.quantity(res, "partner_b.satisfaction", window)
    return (a + b) / 2


def arm_outcomes(res: Replicates, steps: int, start: int) -> dict[str, np.ndarray]:
    """Per run: together at the end, final class settled, satisfaction before and at the end."""
    return {
        "together_end": res.last_step >= steps,
        "settled": res.outcome == outcomes.OUTCOMES.index("settled"),
        "trap": np.isin(res.outcome, [outcomes.OUTCOMES.index(o)
                                      for o in outcomes.TRAP_OUTCOMES]),
        "dissolved": res.outcome == outcomes.OUTCOMES.index("dissolved"),
        "distant": res.outcome == outcomes.OUTCOMES.index("distant"),
        "sat_pre": satisfaction(res, (start - PRE_DAYS, start - 1)),
        "sat_end": satisfaction(res, (steps - PRE_DAYS + 1, steps)),
    }


def recovered(o: dict[str, np.ndarray], sat_pre: np.ndarray) -> np.ndarray:
    """The stated definition of recovery, per run."""
    with np.errstate(invalid="ignore"):
        better = o["sat_end"] > sat_pre
    return o["together_end"] & o["settled"] & better


def share_row(label: str, arm: str, hits: np.ndarray, mask: np.ndarray) -> dict[str, object]:
    """One share (among ``mask``) with its Wilson 95% interval."""
    n, k = int(mask.sum()), int((hits & mask).sum())
    low, high = wilson(k, n) if n else (np.nan, np.nan)
    return {"runs": label, "arm": arm, "measure": "", "count": k, "n": n,
            "share": k / n if n else np.nan, "low": low, "high": high}


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=200, tiny_reps=40, steps=365, tiny_steps=365,
                           argv=argv)
    start = min(START, args.steps // 2)
    if args.steps < start + PRE_DAYS + 1:
        raise SystemExit(f"{NAME}: --steps = {args.steps}: must be at least "
                         f"{start + PRE_DAYS + 1} (therapy starts on day {start})")
    started = time.perf_counter()
    roots = [args.seed + k for k in range(TINY_ROOTS if args.tiny else ROOTS)]
    parts: dict[str, list[Replicates]] = {"with EFT": [], "without EFT": []}
    for root in roots:
        sc = scenario(args.steps, root, start)
        parts["with EFT"].append(run_replicates(scenario=sc, reps=args.reps, record_every=1))
        parts["without EFT"].append(run_replicates(scenario=sc, reps=args.reps,
                                                   record_every=1, without=(EVENT,)))
    print(f"{NAME}: simulations took {time.perf_counter() - started:.1f} s")

    def pooled(arm: str, fn) -> np.ndarray:
        return np.concatenate([fn(r) for r in parts[arm]])

    pre_pw = pooled("with EFT", lambda r: expectations.quantity(
        r, expectations.PURSUE_WITHDRAW, (start - LOOP_DAYS, start - 1)))
    together = pooled("with EFT", lambda r: r.last_step >= start)
    reach = together & (pre_pw >= outcomes.PW_OFF)
    o = {arm: {k: pooled(arm, lambda r, k=k: arm_outcomes(r, args.steps, start)[k])
               for k in ("together_end", "settled", "trap", "dissolved", "distant",
                         "sat_pre", "sat_end")} for arm in parts}
    sat_pre = o["with EFT"]["sat_pre"]  # the arms are the same runs until therapy starts
    rec = {arm: recovered(o[arm], sat_pre) for arm in parts}
    n_all = reach.size
    groups = {"all runs": np.ones(n_all, bool), "together on the first session's day": together,
              "reached therapy (together and in the loop)": reach}
    rows = []
    for label, mask in groups.items():
        for arm in parts:
            for measure, hits in (("recovered", rec[arm]), ("settled", o[arm]["settled"]),
                                  ("trap", o[arm]["trap"]), ("distant", o[arm]["distant"]),
                                  ("dissolved", o[arm]["dissolved"])):
                row = share_row(label, arm, hits, mask)
                row["measure"] = measure
                rows.append(row)
    table = pd.DataFrame(rows)
    course = THERAPIES["eft"].course
    assert course is not None
    last_session = start + (course.sessions - 1) * course.every

    report = Report(args)
    report.table(
        "table", table,
        f"The anxious-avoidant couple for {args.steps} days; EFT for both partners "
        f"({course.describe()}, days {start}-{last_session}: the preset's default course) "
        f"against the same runs without it; {args.reps} replicates x {len(roots)} root seeds "
        f"({roots[0]}-{roots[-1]}). Reached therapy: together on day {start} and mean "
        f"pursue-withdraw >= {outcomes.PW_OFF} over days {start - LOOP_DAYS}-{start - 1}. "
        "Recovered: together at the end, final class settled, and the couple's mean "
        f"satisfaction over the last {PRE_DAYS} days above its mean over the {PRE_DAYS} days "
        "before therapy. Shares with Wilson 95% intervals.")

    days = np.arange(args.steps + 1)
    fig = go.Figure()
    for arm, colour in (("with EFT", PALETTE[2]), ("without EFT", PALETTE[3])):
        pw = np.concatenate([pursue_withdraw(r) for r in parts[arm]])[reach]
        mean, low, high, _ = mean_interval_rows(pw.T)
        fig.add_trace(band(days, low, high, colour, 0.25))
        fig.add_trace(go.Scatter(x=days, y=mean, name=arm, line={"color": colour}))
    fig.add_vrect(x0=start, x1=last_session, fillcolor="grey", opacity=0.15, line_width=0,
                  annotation_text=f"EFT: {course.describe()}", annotation_position="top left")
    fig.add_hline(y=outcomes.PW_OFF, line={"dash": "dot", "color": "grey"},
                  annotation_text=f"wave-off level ({outcomes.PW_OFF})",
                  annotation_position="bottom right")
    fig.update_layout(title="Pursue-withdraw of the couples who reached therapy (mean of those "
                            "still together, 95% t band)",
                      yaxis_title="pursue-withdraw signal max(p_a w_b, p_b w_a)",
                      yaxis_range=[0, 1], title_font_size=16)
    report.figure("pursue_withdraw_over_time", day_axis(fig, args.steps))

    shown = table[table["runs"] == "reached therapy (together and in the loop)"]
    fig = go.Figure()
    for arm, colour in (("with EFT", PALETTE[2]), ("without EFT", PALETTE[3])):
        f = shown[shown["arm"] == arm]
        fig.add_trace(go.Bar(x=f["measure"], y=f["share"], name=arm, marker_color=colour,
                             error_y={"type": "data", "symmetric": False,
                                      "array": f["high"] - f["share"],
                                      "arrayminus": f["share"] - f["low"]}))
    fig.add_hrect(y0=TRIALS[0], y1=TRIALS[1], fillcolor="grey", opacity=0.3, line_width=0,
                  layer="below", annotation_text="EFT trials: 70-73% recovered",
                  annotation_position="top right")
    fig.update_layout(barmode="group", title=f"Couples who reached therapy ({int(reach.sum())} "
                      f"of {n_all} runs): outcome on day {args.steps} (Wilson 95%)",
                      xaxis_title="outcome", yaxis_title="share of couples",
                      yaxis_range=[0, 1], title_font_size=16)
    report.figure("outcomes", fig)

    def pick(arm: str, measure: str, label: str = "reached therapy (together and in the "
             "loop)") -> pd.Series:
        return table[(table["runs"] == label) & (table["arm"] == arm)
                     & (table["measure"] == measure)].iloc[0]

    eft, untreated = pick("with EFT", "recovered"), pick("without EFT", "recovered")
    report.number("therapy_start_day", start)
    report.number("course", course.describe())
    report.number("reached_therapy", int(reach.sum()))
    report.number("reached_therapy_share", float(reach.mean()))
    report.number("together_at_start_share", float(together.mean()))
    report.number("recovered_with_eft", eft["share"])
    report.number("recovered_with_eft_ci", [eft["low"], eft["high"]])
    report.number("recovered_without_eft", untreated["share"])
    report.number("recovered_without_eft_ci", [untreated["low"], untreated["high"]])
    report.number("recovery_difference", eft["share"] - untreated["share"])
    for measure in ("settled", "trap", "distant", "dissolved"):
        report.number(f"{measure}_with_eft_of_reached", pick("with EFT", measure)["share"])
        report.number(f"{measure}_without_eft_of_reached", pick("without EFT", measure)["share"])
    report.number("trials_recovery", list(TRIALS))
    report.number("trial_band_inside_ci", bool(eft["low"] <= TRIALS[1]
                                               and eft["high"] >= TRIALS[0]))
    report.number("agrees", bool(eft["low"] > MOST
                                 and eft["share"] - untreated["share"] >= EFFECT))
    return report.write()


if __name__ == "__main__":
    main()
