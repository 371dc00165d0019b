"""Does the antidote lower the anxious partner's activation over time without raising pursuit?

Stylized fact 10. The library scenario ``antidote``: anxious Sam (0.8/0.2) with Chris (0.3/0.4,
no reassurance, lapse rate 0.35: the "confused" reply). From episode 150 Chris gives the
antidote (the ``antidote`` policy, phased in over 20 episodes: steady reassurance every
episode, not contingent on Sam's protest, and no lapses). The comparison leaves the event out
(Chris keeps answering the confused way), on the same replicate seeds. Reported: Sam's
activation and pursuit over time in both arms (Student-t 95% bands), paired differences in
windows after the antidote starts, the largest per-episode pursuit difference, and the change
of Sam's activation within the antidote runs from before the antidote to late in the run.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dyadsim import expectations
from dyadsim.report import PALETTE, Report, band, experiment_args
from dyadsim.runner import run_replicates
from dyadsim.scenario import find
from dyadsim.stats import mean_interval, mean_interval_rows

NAME = "fact10_antidote"
SCENARIO = "antidote"
EVENT = "the antidote"


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=200, tiny_reps=40, steps=600, tiny_steps=600,
                           argv=argv)
    started = time.perf_counter()
    base = replace(find(SCENARIO), expect=None)
    start = next(e.step for e in base.events if e.label == EVENT)
    if args.steps < 2 * start + 100:
        raise SystemExit(f"{NAME}: --steps must be at least {2 * start + 100} (the antidote "
                         f"starts at episode {start}; the late window starts at {2 * start})")
    scenario = base.with_overrides({"run.seed": args.seed, "run.steps": args.steps})
    anti = run_replicates(scenario=scenario, reps=args.reps, record_every=1)
    confused = run_replicates(scenario=scenario, reps=args.reps, record_every=1,
                              without=(EVENT,))
    print(f"{NAME}: simulations took {time.perf_counter() - started:.1f} s")

    # Windows: before the antidote, while it phases in and just after, and late (as the test).
    before = (start - 50, start - 1)
    windows = {"before the antidote": before,
               "first 50 episodes of the antidote": (start, start + 49),
               "the next 100 episodes": (start + 50, start + 149),
               "late (as the test)": (2 * start, args.steps),
               "last 100 episodes": (args.steps - 99, args.steps)}
    rows, detail = [], []
    for label, window in windows.items():
        row = {"window": f"{label}: {window[0]}-{window[1]}"}
        for q, short in (("partner_a.activation", "activation"),
                         ("partner_a.pursuit", "pursuit")):
            x = expectations.quantity(anti, q, window)
            y = expectations.quantity(confused, q, window)
            d = mean_interval((x - y).tolist())
            row[f"Sam's {short}: antidote / confused"] = (f"{np.nanmean(x):.3f} / "
                                                        f"{np.nanmean(y):.3f}")
            row[f"{short} difference [95% CI]"] = f"{d[0]:+.3f} [{d[1]:+.3f}, {d[2]:+.3f}]"
            detail.append({"window": label, "first": window[0], "last": window[1],
                           "quantity": q, "antidote": np.nanmean(x), "confused": np.nanmean(y),
                           "difference": d[0], "low": d[1], "high": d[2], "runs": d[3]})
        rows.append(row)
    detail_frame = pd.DataFrame(detail)

    curves = {}
    for arm, res in (("antidote", anti), ("confused", confused)):
        for q in ("partner_a.activation", "partner_a.pursuit", "partner_a.trust"):
            curves[arm, q] = mean_interval_rows(res.column(q).T)
    # Per-episode paired pursuit difference after the antidote starts (runs alive in both).
    per_step = anti.column("partner_a.pursuit") - confused.column("partner_a.pursuit")
    d_mean, _, d_high, _ = mean_interval_rows(per_step[:, start:].T)
    worst = int(np.nanargmax(d_high))
    late = windows["late (as the test)"]
    within = mean_interval((expectations.quantity(anti, "partner_a.activation", late)
                            - expectations.quantity(anti, "partner_a.activation",
                                                    before)).tolist())
    summaries = {"antidote": anti.summary(), "confused": confused.summary()}
    dissolved = {arm: int(s.counts["dissolved"][0]) for arm, s in summaries.items()}
    trap = {arm: int(s.counts["trap"][0]) for arm, s in summaries.items()}

    def pick(window: str, q: str, key: str) -> float:
        f = detail_frame[(detail_frame["window"] == window) & (detail_frame["quantity"] == q)]
        return float(f[key].iloc[0])

    late_act_high = pick("late (as the test)", "partner_a.activation", "high")
    late_pur_high = pick("late (as the test)", "partner_a.pursuit", "high")
    never_raised = bool(d_high[worst] < 0)

    report = Report(args)
    report.table("table", pd.DataFrame(rows),
                 f"Scenario `{SCENARIO}`: the antidote from episode {start} (ramp 20) against "
                 f"the same runs without it (Chris keeps the confused reply); {args.reps} paired "
                 f"replicates of {args.steps} episodes, root seed {args.seed}. Each run's mean "
                 "over the window (live part), then over runs; difference = antidote minus "
                 "confused, run by run, with its Student-t 95% interval.")
    report.table("windows", detail_frame, "The same, numeric.")
    summary = [
        {"measure": f"Sam's activation, late ({late[0]}-{late[1]}) minus before the antidote "
                    f"({before[0]}-{before[1]}), antidote runs (n = {within[3]})",
         "value": within[0], "low": within[1], "high": within[2]},
        {"measure": "largest per-episode pursuit difference (antidote minus confused) after "
                    f"the antidote starts: episode {start + worst}",
         "value": d_mean[worst], "low": np.nan, "high": d_high[worst]},
    ]
    for arm, s in summaries.items():
        for what, key in (("dissolved", "dissolved"), ("trap at the end", "trap")):
            summary.append({"measure": f"share {what}: {arm}", "value": s.shares[key][0],
                            "low": s.share_low[key][0], "high": s.share_high[key][0]})
    report.table("summary", pd.DataFrame(summary),
                 "Within-run change (Student-t 95%), the worst episode for pursuit (the "
                 "highest upper end of the 95% t interval of the per-episode paired "
                 "difference), and outcome shares (Wilson 95%).")

    steps_axis = np.arange(args.steps + 1)
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.07, subplot_titles=(
        "Sam's activation (distress)", "Sam's pursuit (protest)", "Sam's trust"))
    for k, (arm, label) in enumerate((("antidote", f"antidote from episode {start}"),
                                      ("confused", "confused reply throughout"))):
        colour = PALETTE[2] if k == 0 else PALETTE[3]
        for col, q in enumerate(("partner_a.activation", "partner_a.pursuit",
                                 "partner_a.trust"), start=1):
            mean, low, high, _ = curves[arm, q]
            fig.add_trace(band(steps_axis, low, high, colour, 0.25), row=1, col=col)
            fig.add_trace(go.Scatter(x=steps_axis, y=mean, name=label, line={"color": colour},
                                     showlegend=col == 1), row=1, col=col)
    for col in (1, 2, 3):
        fig.add_vline(x=start, line={"dash": "dash", "color": "grey"}, row=1, col=col)
        fig.update_xaxes(title_text="episode", row=1, col=col)
        fig.update_yaxes(range=[0, 1], row=1, col=col)
    fig.update_yaxes(title_text="mean of couples still together (95% t band)", row=1, col=1)
    fig.update_layout(title="The antidote: Sam's distress falls and pursuit does not rise "
                            f"({args.reps} paired runs; dashed: antidote starts)",
                      legend={"orientation": "h", "y": -0.2}, title_font_size=17)
    report.figure("activation_pursuit", fig)

    fig = go.Figure()
    x = steps_axis[start:]
    for q, name, colour in (("partner_a.activation", "activation", PALETTE[4]),
                            ("partner_a.pursuit", "pursuit", PALETTE[0])):
        diff = anti.column(q) - confused.column(q)
        mean, low, high, _ = mean_interval_rows(diff[:, start:].T)
        fig.add_trace(band(x, low, high, colour, 0.25))
        fig.add_trace(go.Scatter(x=x, y=mean, name=f"Sam's {name}", line={"color": colour}))
    fig.add_hline(y=0, line={"color": "grey"})
    fig.update_layout(title="Antidote minus confused reply, run by run (mean paired "
                            "difference, 95% t band)",
                      xaxis_title="episode", yaxis_title="difference (antidote - confused)")
    report.figure("paired_difference", fig)

    report.number("activation_late_antidote", pick("late (as the test)",
                                                   "partner_a.activation", "antidote"))
    report.number("activation_late_confused", pick("late (as the test)",
                                                   "partner_a.activation", "confused"))
    report.number("activation_late_difference", pick("late (as the test)",
                                                     "partner_a.activation", "difference"))
    report.number("activation_late_difference_ci",
                  [pick("late (as the test)", "partner_a.activation", "low"), late_act_high])
    report.number("pursuit_late_antidote", pick("late (as the test)", "partner_a.pursuit",
                                                "antidote"))
    report.number("pursuit_late_confused", pick("late (as the test)", "partner_a.pursuit",
                                                "confused"))
    report.number("pursuit_late_difference", pick("late (as the test)", "partner_a.pursuit",
                                                  "difference"))
    report.number("pursuit_late_difference_ci",
                  [pick("late (as the test)", "partner_a.pursuit", "low"), late_pur_high])
    report.number("pursuit_first50_difference", pick("first 50 episodes of the antidote",
                                                     "partner_a.pursuit", "difference"))
    report.number("pursuit_max_step_difference", d_mean[worst])
    report.number("pursuit_max_step_difference_high", d_high[worst])
    report.number("activation_within_change", within[0])
    report.number("activation_within_change_ci", [within[1], within[2]])
    report.number("dissolved", dissolved)
    report.number("trap", trap)
    report.number("pursuit_never_raised", never_raised)
    report.number("agrees", bool(late_act_high < 0 and late_pur_high < 0 and within[2] < 0
                                 and never_raised))
    return report.write()


if __name__ == "__main__":
    main()
