"""Does intermittent responsiveness keep protest alive longer than consistent responsiveness?

Stylized fact 9 (the partial-reinforcement extinction effect). The library scenario
``intermittent_reinforcement``: for 300 days Jesse answers anxious Sam warmly but only half
of the time (responsiveness 0.9, lapse rate 0.5), then stops answering altogether (the
"unresponsive" policy from day 301). The comparison history, as in the scenario's own
check and the test, has the same mean responsiveness given every time (responsiveness 0.45,
no lapses). Both histories run on the same replicate seeds. Reported: Sam's pursuit and trust
after the stop (Student-t 95% intervals of paired differences), and how long pursuit takes to
fall to its pre-stop level and to three quarters of it. A sensitivity table repeats the
comparison with Sam's default protest persistence instead of the scenario's 0.1.
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
from dyadsim.report import PALETTE, Report, band, day_axis, experiment_args
from dyadsim.runner import run_replicates
from dyadsim.scenario import Scenario, find
from dyadsim.stats import mean_interval, mean_interval_rows

NAME = "fact09_intermittent_reinforcement"
SCENARIO = "intermittent_reinforcement"
STOP_LABEL = "Jesse stops answering"
CONSISTENT = {"partner_b.responsiveness": 0.45, "partner_b.lapse_rate": 0.0}
PRE = 50
"""The pre-stop baseline: the last 50 days before the stop."""
AFTER = 100
"""The main window: the first 100 days after the stop (as the test and the scenario)."""
SMOOTH = 10
"""Pursuit is smoothed over 10 days before looking for the time it falls to a level."""
LEVELS = (1.0, 0.75)
"""Levels, as fractions of the run's own pre-stop pursuit, for the time to fall."""


def time_to_fall(pursuit: np.ndarray, stop: int,
                 fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Episodes from the stop until smoothed pursuit falls below a level.

    The level is ``fraction`` of the run's mean pursuit over the ``PRE`` days before the
    stop; the time is the last day of the first ``SMOOTH``-day window (from the stop
    on) whose mean is below it. A run that never falls is censored: its time is the number of
    days from the stop to the end (a lower bound), and it is flagged.

    Returns:
        The times, and which runs were censored.
    """
    pre = pursuit[:, stop - PRE:stop].mean(axis=1)
    after = pursuit[:, stop:]
    kernel = np.ones(SMOOTH) / SMOOTH
    out = np.empty(pursuit.shape[0])
    censored = np.zeros(pursuit.shape[0], bool)
    for r in range(pursuit.shape[0]):
        smooth = np.convolve(after[r], kernel, mode="valid")
        hit = np.flatnonzero(smooth < fraction * pre[r])
        censored[r] = hit.size == 0
        out[r] = (hit[0] + SMOOTH) if hit.size else after.shape[1]
    return out, censored


def compare(scenario: Scenario, reps: int, stop: int, steps: int) -> dict[str, object]:
    """Run both histories and return the per-run measures and the mean curves."""
    inter = run_replicates(scenario=scenario, reps=reps, record_every=1)
    cons = run_replicates(CONSISTENT, scenario=scenario, reps=reps, record_every=1)
    after = (stop, min(stop + AFTER - 1, steps))
    pre = (stop - PRE, stop - 1)
    out: dict[str, object] = {"after": after, "pre": pre}
    for arm, res in (("intermittent", inter), ("consistent", cons)):
        pursuit = res.column("partner_a.pursuit")
        falls = {f: time_to_fall(pursuit, stop, f) for f in LEVELS}
        out[arm] = {
            "pursuit_pre": expectations.quantity(res, "partner_a.pursuit", pre),
            "pursuit_after": expectations.quantity(res, "partner_a.pursuit", after),
            "trust_after": expectations.quantity(res, "partner_a.trust", after),
            "trust_pre": expectations.quantity(res, "partner_a.trust", pre),
            **{f"fall_{f}": falls[f][0] for f in LEVELS},
            **{f"censored_{f}": falls[f][1] for f in LEVELS},
            "curve_pursuit": mean_interval_rows(pursuit.T),
            "curve_trust": mean_interval_rows(res.column("partner_a.trust").T),
            "dissolved": int((res.last_step < steps).sum()),
        }
    return out


def paired_rows(data: dict, steps: int, stop: int) -> list[dict[str, object]]:
    """The comparison as table rows: each arm's mean, and the paired difference."""
    i, c = data["intermittent"], data["consistent"]
    after, pre = data["after"], data["pre"]
    rows = []

    def add(label: str, x: np.ndarray, y: np.ndarray) -> None:
        mi, mc = mean_interval(x.tolist()), mean_interval(y.tolist())
        d = mean_interval((x - y).tolist())
        rows.append({"measure": label, "intermittent": mi[0], "consistent": mc[0],
                     "difference": d[0], "low": d[1], "high": d[2], "runs": d[3]})

    add(f"Sam's pursuit, days {pre[0]}-{pre[1]} (before the stop)",
        i["pursuit_pre"], c["pursuit_pre"])
    add(f"Sam's pursuit, days {after[0]}-{after[1]} (after the stop)",
        i["pursuit_after"], c["pursuit_after"])
    add("change of pursuit: after minus before the stop",
        i["pursuit_after"] - i["pursuit_pre"], c["pursuit_after"] - c["pursuit_pre"])
    add(f"Sam's trust, days {after[0]}-{after[1]}", i["trust_after"], c["trust_after"])
    for f in LEVELS:
        what = "its pre-stop level" if f == 1.0 else f"{f:g} of its pre-stop level"
        cens = f"{int(i[f'censored_{f}'].sum())} / {int(c[f'censored_{f}'].sum())}"
        add(f"days until pursuit falls to {what} (runs censored at {steps - stop + 1}: "
            f"{cens})", i[f"fall_{f}"], c[f"fall_{f}"])
    return rows


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=200, tiny_reps=40, steps=365, tiny_steps=365,
                           argv=argv)
    started = time.perf_counter()
    base = replace(find(SCENARIO), expect=None)
    stop = next(e.step for e in base.events if e.label == STOP_LABEL)
    if args.steps < stop + 2 * SMOOTH:
        raise SystemExit(f"{NAME}: --steps must be at least {stop + 2 * SMOOTH} (Jesse stops "
                         f"answering on day {stop})")
    scenario = base.with_overrides({"run.seed": args.seed, "run.steps": args.steps})
    main_data = compare(scenario, args.reps, stop, args.steps)
    params = {k: v for k, v in scenario.params.items()
              if k != "partner_a.protest_persistence"}
    default_data = compare(replace(scenario, params=params), args.reps, stop, args.steps)
    print(f"{NAME}: simulations took {time.perf_counter() - started:.1f} s")

    rows = paired_rows(main_data, args.steps, stop)
    frame = pd.DataFrame(rows)
    sens = pd.DataFrame(paired_rows(default_data, args.steps, stop))
    report = Report(args)
    report.table("table", frame,
                 f"Scenario `{SCENARIO}` (Sam's protest persistence 0.1), {args.reps} paired "
                 f"replicates of {args.steps} days, root seed {args.seed}; Jesse stops "
                 f"answering on day {stop}. Intermittent: responsiveness 0.9, lapse rate "
                 "0.5; consistent: responsiveness 0.45, no lapses. Difference = intermittent "
                 "minus consistent, run by run, with its Student-t 95% interval. Times use "
                 f"pursuit smoothed over {SMOOTH} days; the level is the run's own mean "
                 f"pursuit over the {PRE} days before the stop.")
    report.table("default_persistence", sens,
                 "Sensitivity: the same comparison with Sam's registry-default protest "
                 "persistence (0.6 x anxiety = 0.48) instead of the scenario's 0.1.")

    steps_axis = np.arange(args.steps + 1)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=(
        "Sam's pursuit (protest)", "Sam's trust (expects Jesse to answer)"))
    for k, (arm, label) in enumerate((("intermittent", "intermittent history (0.9, half "
                                                       "the time)"),
                                      ("consistent", "consistent history (0.45, every "
                                                     "time)"))):
        colour = PALETTE[3] if k == 0 else PALETTE[0]
        for col, key in ((1, "curve_pursuit"), (2, "curve_trust")):
            mean, low, high, _ = main_data[arm][key]
            fig.add_trace(band(steps_axis, low, high, colour, 0.25), row=1, col=col)
            fig.add_trace(go.Scatter(x=steps_axis, y=mean, name=label, line={"color": colour},
                                     showlegend=col == 1), row=1, col=col)
    for col in (1, 2):
        fig.add_vline(x=stop, line={"dash": "dash", "color": "grey"}, row=1, col=col)
        day_axis(fig, args.steps, row=1, col=col)
    fig.add_annotation(x=stop, y=0.6, text="Jesse stops answering", showarrow=False,
                       xanchor="left", row=1, col=1)
    fig.update_yaxes(title_text="mean over runs (95% t band)", range=[0, 0.65], row=1, col=1)
    fig.update_yaxes(range=[0, 0.65], row=1, col=2)
    fig.update_layout(title=f"After the answers stop: protest lasts longer after an intermittent"
                            f" history ({args.reps} paired runs)",
                      legend={"orientation": "h", "y": -0.2}, title_font_size=17)
    report.figure("pursuit_after_stop", fig)

    fig = go.Figure()
    for k, (arm, label) in enumerate((("intermittent", "intermittent history"),
                                      ("consistent", "consistent history"))):
        means, lows, highs, names = [], [], [], []
        for f in LEVELS:
            m = mean_interval(main_data[arm][f"fall_{f}"].tolist())
            means.append(m[0])
            lows.append(m[1])
            highs.append(m[2])
            names.append("to its pre-stop level" if f == 1.0 else f"to {f:g} of it")
        fig.add_trace(go.Bar(x=names, y=means, name=label,
                             marker_color=PALETTE[3] if k == 0 else PALETTE[0],
                             error_y={"type": "data", "symmetric": False,
                                      "array": np.subtract(highs, means),
                                      "arrayminus": np.subtract(means, lows)}))
    fig.update_layout(barmode="group", title="How long protest lasts after the answers stop "
                      "(mean, 95% t interval)",
                      xaxis_title=f"Sam's pursuit ({SMOOTH}-day mean) falls ...",
                      yaxis_title="days after the stop")
    report.figure("persistence", fig)

    by = frame.set_index("measure")
    key_after = rows[1]["measure"]
    key_change = rows[2]["measure"]
    key_three_q = rows[-1]["measure"]
    key_level = rows[-2]["measure"]
    report.number("pursuit_after_intermittent", by.loc[key_after, "intermittent"])
    report.number("pursuit_after_consistent", by.loc[key_after, "consistent"])
    report.number("pursuit_after_difference", by.loc[key_after, "difference"])
    report.number("pursuit_after_difference_ci", [by.loc[key_after, "low"],
                                                  by.loc[key_after, "high"]])
    report.number("pursuit_pre_difference", rows[0]["difference"])
    report.number("pursuit_change_difference", by.loc[key_change, "difference"])
    report.number("trust_after_difference", rows[3]["difference"])
    for key, name in ((key_level, "pre_level"), (key_three_q, "three_quarters")):
        report.number(f"time_to_{name}_intermittent", by.loc[key, "intermittent"])
        report.number(f"time_to_{name}_consistent", by.loc[key, "consistent"])
        report.number(f"time_to_{name}_difference", by.loc[key, "difference"])
        report.number(f"time_to_{name}_difference_ci", [by.loc[key, "low"],
                                                         by.loc[key, "high"]])
    censored = {arm: int(main_data[arm]["censored_0.75"].sum())
                for arm in ("intermittent", "consistent")}
    report.number("time_to_three_quarters_censored_runs", censored)
    sens_by = sens.set_index("measure")
    report.number("default_persistence_pursuit_after_difference",
                  sens_by.loc[key_after, "difference"])
    report.number("default_persistence_pursuit_after_difference_ci",
                  [sens_by.loc[key_after, "low"], sens_by.loc[key_after, "high"]])
    agrees = bool(by.loc[key_after, "low"] > 0 and by.loc[key_change, "low"] > 0
                  and by.loc[key_three_q, "low"] > 0)
    report.number("agrees", agrees)
    return report.write()


if __name__ == "__main__":
    main()
