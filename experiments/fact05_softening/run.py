"""Does softening the anxious partner's bids lower the avoidant partner's withdrawal?

Dose-response for stylized fact 5 (Overall, Simpson & Struthers 2013). The library scenario
``softening`` (anxious Sam 0.8/0.2, avoidant Alex 0.2/0.8, registry defaults otherwise) is run
at eleven levels of Sam's protest intensity (``partner_a.protest_intensity`` 1.0, 0.9, ...,
0.0), every level with the same replicate seeds (common random numbers), so each softer level
is compared with the next harsher one run by run. Reported: Alex's mean withdrawal over the
run (Student-t 95% intervals), paired differences, Sam's pursuit and distress, and outcome
shares (Wilson 95% intervals).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dyadsim import expectations
from dyadsim.report import PALETTE, Report, band, day_axis, experiment_args
from dyadsim.runner import run_replicates
from dyadsim.scenario import find
from dyadsim.stats import mean_interval, mean_interval_rows
from dyadsim.summary import SHARE_NAMES

NAME = "fact05_softening"
SCENARIO = "softening"
PARAM = "partner_a.protest_intensity"
LEVELS = tuple(round(1.0 - 0.1 * i, 1) for i in range(11))
SHOWN_OVER_TIME = (1.0, 0.7, 0.4, 0.1)


def fmt(mean: float, low: float, high: float) -> str:
    """A mean with its interval, for the Markdown table."""
    return f"{mean:.3f} [{low:.3f}, {high:.3f}]"


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=200, tiny_reps=30, steps=365, tiny_steps=150,
                           argv=argv)
    started = time.perf_counter()
    # The file's [expect] windows assume its own length; this script does not use them.
    scenario = replace(find(SCENARIO), expect=None).with_overrides(
        {"run.seed": args.seed, "run.steps": args.steps})
    window = (1, args.steps)
    withdrawal, pursuit, activation, codes, wilson = {}, {}, {}, {}, {}
    over_time = {}
    for level in LEVELS:  # one level at a time: only one level's trajectories in memory
        res = run_replicates({PARAM: level}, scenario=scenario, reps=args.reps,
                             record_every=1)
        withdrawal[level] = expectations.quantity(res, "partner_b.withdrawal", window)
        pursuit[level] = expectations.quantity(res, "partner_a.pursuit", window)
        activation[level] = expectations.quantity(res, "partner_a.activation", window)
        summary = res.summary()
        codes[level] = {k: float(summary.shares[k][0]) for k in SHARE_NAMES}
        wilson[level] = {k: (float(summary.share_low[k][0]), float(summary.share_high[k][0]))
                         for k in ("trap", "dissolved")}
        if level in SHOWN_OVER_TIME:
            over_time[level] = mean_interval_rows(res.column("partner_b.withdrawal").T)
        del res
    print(f"{NAME}: simulations took {time.perf_counter() - started:.1f} s")

    rows, detail = [], []
    for level in LEVELS:
        # withdrawal etc. are window means of series, not run metrics: t intervals from stats
        w = mean_interval(withdrawal[level].tolist())
        p = mean_interval(pursuit[level].tolist())
        a = mean_interval(activation[level].tolist())
        (t_lo, t_hi), (d_lo, d_hi) = wilson[level]["trap"], wilson[level]["dissolved"]
        vs_harsh = mean_interval((withdrawal[level] - withdrawal[LEVELS[0]]).tolist())
        rows.append({
            "protest intensity": f"{level:.1f}",
            "Alex's withdrawal [95% CI]": fmt(*w[:3]),
            "change vs 1.0 (paired) [95% CI]": fmt(*vs_harsh[:3]),
            "trap share [Wilson 95%]": fmt(codes[level]["trap"], t_lo, t_hi),
            "Sam's distress": f"{a[0]:.3f}",
        })
        detail.append({
            "protest_intensity": level, "withdrawal_b": w[0], "withdrawal_b_lo": w[1],
            "withdrawal_b_hi": w[2], "diff_vs_harsh": vs_harsh[0],
            "diff_vs_harsh_lo": vs_harsh[1], "diff_vs_harsh_hi": vs_harsh[2],
            "pursuit_a": p[0], "pursuit_a_lo": p[1], "pursuit_a_hi": p[2],
            "activation_a": a[0], "activation_a_lo": a[1], "activation_a_hi": a[2],
            **{f"share_{k}": v for k, v in codes[level].items()},
            "trap_lo": t_lo, "trap_hi": t_hi, "dissolved_lo": d_lo, "dissolved_hi": d_hi,
            "runs": int(w[3]),
        })
    steps_rows = []
    for harsher, softer in itertools.pairwise(LEVELS):
        d = mean_interval((withdrawal[softer] - withdrawal[harsher]).tolist())
        steps_rows.append({"from": harsher, "to": softer, "withdrawal change": d[0],
                           "low": d[1], "high": d[2], "runs": d[3]})
    steps_frame = pd.DataFrame(steps_rows)
    detail_frame = pd.DataFrame(detail)
    every_step_lowers = bool((steps_frame["high"] < 0).all())
    total = mean_interval((withdrawal[LEVELS[-1]] - withdrawal[LEVELS[0]]).tolist())

    report = Report(args)
    report.table("table", pd.DataFrame(rows),
                 f"Scenario `{SCENARIO}` at each protest intensity of Sam (partner A); "
                 f"{args.reps} paired replicates of {args.steps} days, root seed "
                 f"{args.seed}. Alex's (partner B's) withdrawal and Sam's distress are means "
                 f"over days {window[0]}-{window[1]} of each run's live part, then over "
                 "runs (Student-t 95% intervals); trap = escalated or cycling at the end.")
    report.table("steps", steps_frame,
                 "Each step of softening (0.1 less protest intensity) against the next harsher "
                 "level, run by run: mean paired change of Alex's withdrawal, 95% t interval.")
    report.table("detail", detail_frame, "Every level, numeric (shares of all runs).")

    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=(
        "Mean behaviour and distress over the run", "Outcome shares at the end"))
    x = list(LEVELS)
    lines = (("withdrawal_b", "Alex's withdrawal (avoidant)", PALETTE[0]),
             ("pursuit_a", "Sam's pursuit (anxious)", PALETTE[3]),
             ("activation_a", "Sam's distress (activation)", PALETTE[4]))
    for key, label, colour in lines:
        f = detail_frame
        fig.add_trace(go.Scatter(
            x=x, y=f[key], name=label, mode="lines+markers", line={"color": colour},
            error_y={"type": "data", "symmetric": False, "array": f[f"{key}_hi"] - f[key],
                     "arrayminus": f[key] - f[f"{key}_lo"]}), row=1, col=1)
    for key, label, colour in (("trap", "trap (escalated or cycling)", PALETTE[1]),
                               ("dissolved", "dissolved", PALETTE[7])):
        f = detail_frame
        fig.add_trace(go.Scatter(
            x=x, y=f[f"share_{key}"], name=label, mode="lines+markers",
            line={"color": colour, "dash": "dot"},
            error_y={"type": "data", "symmetric": False,
                     "array": f[f"{key}_hi"] - f[f"share_{key}"],
                     "arrayminus": f[f"share_{key}"] - f[f"{key}_lo"]}), row=1, col=2)
    for col in (1, 2):
        fig.update_xaxes(title_text="Sam's protest intensity (1 = harsh, 0 = soft)",
                         autorange="reversed", row=1, col=col)
    fig.update_yaxes(title_text="mean over the run (95% t interval)", range=[0, 1], row=1,
                     col=1)
    fig.update_yaxes(title_text="share of runs (Wilson 95%)", range=[0, 1], row=1, col=2)
    fig.update_layout(title="Softening the anxious partner's bids: dose-response "
                            f"({args.reps} replicates per level)",
                      legend={"orientation": "h", "y": -0.2})
    report.figure("dose_response", fig)

    fig = go.Figure()
    steps_axis = np.arange(args.steps + 1)
    for k, level in enumerate(SHOWN_OVER_TIME):
        mean, low, high, _ = over_time[level]
        colour = PALETTE[k]
        fig.add_trace(band(steps_axis, low, high, colour, 0.2))
        fig.add_trace(go.Scatter(x=steps_axis, y=mean, name=f"protest intensity {level:.1f}",
                                 line={"color": colour}))
    fig.update_layout(title="Alex's withdrawal over time at four levels of Sam's protest "
                            "intensity (mean, 95% t band)",
                      yaxis_title="Alex's withdrawal", yaxis_range=[0, 1])
    report.figure("withdrawal_over_time", day_axis(fig, args.steps))

    report.number("withdrawal_at_1.0", detail_frame["withdrawal_b"].iloc[0])
    report.number("withdrawal_at_0.4", detail_frame.set_index("protest_intensity")
                  .loc[0.4, "withdrawal_b"])
    report.number("withdrawal_at_0.0", detail_frame["withdrawal_b"].iloc[-1])
    report.number("withdrawal_change_1.0_to_0.0", total[0])
    report.number("withdrawal_change_1.0_to_0.0_ci", [total[1], total[2]])
    report.number("largest_step_change_high", steps_frame["high"].max())
    report.number("trap_share_at_1.0", codes[1.0]["trap"])
    report.number("trap_share_at_0.0", codes[0.0]["trap"])
    report.number("sam_activation_at_1.0", detail_frame["activation_a"].iloc[0])
    report.number("sam_activation_at_0.0", detail_frame["activation_a"].iloc[-1])
    report.number("every_step_lowers_withdrawal", every_step_lowers)
    report.number("agrees", every_step_lowers and total[2] < 0)
    return report.write()


if __name__ == "__main__":
    main()
