"""Is there a region where the trap persists without dissolving while satisfaction stays low?

Stylized fact 7 (Kirkpatrick & Davis 1994: anxious-avoidant couples surprisingly stable over
three years despite low satisfaction). Four library scenarios are run over a long horizon
(1095 days: the three years of Kirkpatrick & Davis) on the same replicate seeds: two secure
partners (``secure_secure``), an anxious partner with a secure one (``secure_base``), the
anxious-avoidant trap at the registry's default readiness to leave (``anxious_avoidant_trap``)
and the same couple with committed partners (``stable_unhappy``: readiness to leave 0.1 and
0.05). Then the anxious partner's anxiety is swept (0.2-1.0) in both anxious-avoidant couples.
A run is *stable and unhappy* if it is still together at the end, is in the trap at the end
(escalated or cycling), and the couple's satisfaction (mean of the two partners') averaged over
the second half of the run is below 0.5 (low satisfaction, stated in README.md).
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
from dyadsim.runner import Replicates, run_replicates
from dyadsim.scenario import Scenario, find
from dyadsim.stats import mean_interval, mean_interval_rows
from dyadsim.summary import share_of, share_values

NAME = "fact07_stable_unsatisfying"
LOW_SATISFACTION = 0.5
"""Low satisfaction: the couple's mean satisfaction over the second half of the run is below
the midpoint of the [0, 1] scale (the bound of ``stable_unhappy``'s own [expect] check).
Satisfaction starts at 0.75 (``rules.INITIAL_SATISFACTION``)."""
COUPLES = {
    "secure_secure": "two secure partners",
    "secure_base": "anxious + secure",
    "anxious_avoidant_trap": "anxious + avoidant, default readiness to leave",
    "stable_unhappy": "anxious + avoidant, committed (stable_unhappy)",
}
SWEPT = {"anxious_avoidant_trap": "default readiness to leave",
         "stable_unhappy": "committed (readiness 0.1 / 0.05)"}
ANXIETY = tuple(round(0.2 + 0.1 * i, 1) for i in range(9))


def prepared(name: str, seed: int, steps: int) -> Scenario:
    """A library scenario with this experiment's seed and length (its [expect] dropped)."""
    return replace(find(name), expect=None).with_overrides({"run.seed": seed, "run.steps": steps})


def per_run(result: Replicates, steps: int) -> dict[str, np.ndarray]:
    """Per-run survival, trap, second-half satisfaction (couple, A, B) and the verdict."""
    half = (steps // 2 + 1, steps)
    sat_a = expectations.quantity(result, "partner_a.satisfaction", half)
    sat_b = expectations.quantity(result, "partner_b.satisfaction", half)
    intact = share_values(result.outcome, "dissolved") == 0
    trap = share_values(result.outcome, "trap") == 1
    couple = 0.5 * (sat_a + sat_b)
    low = couple < LOW_SATISFACTION
    return {"intact": intact, "trap": trap, "sat": couple, "sat_a": sat_a, "sat_b": sat_b,
            "stable_unhappy": intact & trap & low}


def share(x: np.ndarray) -> tuple[float, float, float]:
    """Share of True with its Wilson 95% interval."""
    value, low, high = share_of(x)
    return float(value[0]), float(low[0]), float(high[0])


def fmt(values: tuple[float, ...]) -> str:
    """A value with its interval, for the Markdown table."""
    return f"{values[0]:.3f} [{values[1]:.3f}, {values[2]:.3f}]"


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=200, tiny_reps=30, steps=1095, tiny_steps=300,
                           argv=argv)
    started = time.perf_counter()
    steps_axis = np.arange(args.steps + 1)
    rows, detail, curves = [], [], {}
    per_couple = {}
    for name, label in COUPLES.items():
        scenario = prepared(name, args.seed, args.steps)
        res = run_replicates(scenario=scenario, reps=args.reps, record_every=1)
        s = per_run(res, args.steps)
        per_couple[name] = s
        alive = s["intact"][:, None] | (res.last_step[:, None] > steps_axis)
        sat = 0.5 * (res.column("partner_a.satisfaction") + res.column("partner_b.satisfaction"))
        curves[name] = (share_of(alive.T, steps_axis.size), mean_interval_rows(sat.T))
        intact = s["intact"]
        sat_ci = mean_interval(s["sat"][intact].tolist())
        params = scenario.params
        readiness = " / ".join(
            f"{params[f'{w}.exit_propensity']:.2f}" if f"{w}.exit_propensity" in params
            else "default" for w in ("partner_a", "partner_b"))
        rows.append({
            "couple (scenario)": f"{label} (`{name}`)",
            "readiness to leave A / B": readiness,
            f"still together at {args.steps}": fmt(share(intact)),
            "trap at the end": fmt(share(s["trap"])),
            "couple satisfaction, 2nd half (together)": fmt(sat_ci[:3]),
            "A / B satisfaction": (f"{np.nanmean(s['sat_a'][intact]):.2f} / "
                                   f"{np.nanmean(s['sat_b'][intact]):.2f}"),
            "stable and unhappy": fmt(share(s["stable_unhappy"])),
        })
        detail.append({"scenario": name, "survival": share(intact)[0],
                       "trap": share(s["trap"])[0], "satisfaction": sat_ci[0],
                       "satisfaction_lo": sat_ci[1], "satisfaction_hi": sat_ci[2],
                       "satisfaction_a": np.nanmean(s["sat_a"][intact]),
                       "satisfaction_b": np.nanmean(s["sat_b"][intact]),
                       "stable_unhappy": share(s["stable_unhappy"])[0],
                       "stable_unhappy_lo": share(s["stable_unhappy"])[1],
                       "stable_unhappy_hi": share(s["stable_unhappy"])[2]})
        del res
    sweep = []
    for name, label in SWEPT.items():
        scenario = prepared(name, args.seed, args.steps)
        for anxiety in ANXIETY:
            res = run_replicates({"partner_a.anxiety": anxiety}, scenario=scenario,
                                 reps=args.reps, record_every=1)
            s = per_run(res, args.steps)
            surv, su = share(s["intact"]), share(s["stable_unhappy"])
            sat_ci = mean_interval(s["sat"][s["intact"]].tolist())
            sweep.append({"couple": label, "anxiety A": anxiety, "survival": surv[0],
                          "survival_lo": surv[1], "survival_hi": surv[2],
                          "trap": share(s["trap"])[0], "satisfaction": sat_ci[0],
                          "satisfaction_lo": sat_ci[1], "satisfaction_hi": sat_ci[2],
                          "satisfaction_a": np.nanmean(s["sat_a"][s["intact"]]),
                          "satisfaction_b": np.nanmean(s["sat_b"][s["intact"]]),
                          "stable_unhappy": su[0], "stable_unhappy_lo": su[1],
                          "stable_unhappy_hi": su[2]})
            del res
    print(f"{NAME}: simulations took {time.perf_counter() - started:.1f} s")
    sweep_frame = pd.DataFrame(sweep)
    detail_frame = pd.DataFrame(detail).set_index("scenario")

    report = Report(args)
    report.table("table", pd.DataFrame(rows),
                 f"Four library couples over {args.steps} days, {args.reps} replicates each "
                 f"(the same seeds), root seed {args.seed}. Shares with Wilson 95% intervals; "
                 "satisfaction = mean of the two partners' satisfaction over days "
                 f"{args.steps // 2 + 1}-{args.steps}, averaged over the couples still together "
                 f"(Student-t 95%). Stable and unhappy: together at the end, trap at the end, "
                 f"and that satisfaction below {LOW_SATISFACTION}.")
    report.table("sweep", sweep_frame,
                 "Sweep of the anxious partner's anxiety (avoidant partner 0.2/0.8) in the two "
                 "anxious-avoidant couples; shares of all runs with Wilson 95% intervals, "
                 "satisfaction of the couples still together (Student-t 95%).")

    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=(
        "Still together (Wilson 95% band)",
        "Couple satisfaction, couples still together (95% t band)"))
    for k, (name, label) in enumerate(COUPLES.items()):
        colour = PALETTE[k]
        (surv, s_lo, s_hi), (mean, low, high, _) = curves[name]
        for col, (y, lo, hi) in ((1, (surv, s_lo, s_hi)), (2, (mean, low, high))):
            fig.add_trace(band(steps_axis, lo, hi, colour, 0.2), row=1, col=col)
            fig.add_trace(go.Scatter(x=steps_axis, y=y, name=label, line={"color": colour},
                                     showlegend=col == 1), row=1, col=col)
    fig.add_hline(y=LOW_SATISFACTION, line={"dash": "dot", "color": "grey"}, row=1, col=2,
                  annotation_text="low satisfaction (< 0.5)",
                  annotation_position="bottom right")
    for col in (1, 2):
        day_axis(fig, args.steps, row=1, col=col)
        fig.update_yaxes(range=[0, 1.02], row=1, col=col)
    fig.update_yaxes(title_text="share of runs not dissolved", row=1, col=1)
    fig.update_yaxes(title_text="mean satisfaction of both partners", row=1, col=2)
    fig.update_layout(title=f"Stable but unsatisfying? Survival and satisfaction over "
                            f"{args.steps} days ({args.reps} runs per couple)",
                      legend={"orientation": "h", "y": -0.2})
    report.figure("over_time", fig)

    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=(
        "Shares of runs (Wilson 95%)",
        "Satisfaction, 2nd half, couples together (95% t)"))
    for k, label in enumerate(SWEPT.values()):
        f = sweep_frame[sweep_frame["couple"] == label]
        colour = PALETTE[2 + k]
        for key, what, dash in (("survival", "still together", "solid"),
                                ("stable_unhappy", "stable and unhappy", "dot")):
            fig.add_trace(go.Scatter(
                x=f["anxiety A"], y=f[key], name=f"{what}: {label}", mode="lines+markers",
                line={"color": colour, "dash": dash},
                error_y={"type": "data", "symmetric": False, "array": f[f"{key}_hi"] - f[key],
                         "arrayminus": f[key] - f[f"{key}_lo"]}), row=1, col=1)
        fig.add_trace(go.Scatter(
            x=f["anxiety A"], y=f["satisfaction"], name=f"couple satisfaction: {label}",
            mode="lines+markers", line={"color": colour},
            error_y={"type": "data", "symmetric": False,
                     "array": f["satisfaction_hi"] - f["satisfaction"],
                     "arrayminus": f["satisfaction"] - f["satisfaction_lo"]}), row=1, col=2)
    f = sweep_frame[sweep_frame["couple"] == SWEPT["stable_unhappy"]]
    for key, what, dash in (("satisfaction_a", "anxious partner", "dash"),
                            ("satisfaction_b", "avoidant partner", "dot")):
        fig.add_trace(go.Scatter(x=f["anxiety A"], y=f[key], mode="lines+markers",
                                 name=f"{what}'s satisfaction (committed couple)",
                                 line={"color": PALETTE[7], "dash": dash}), row=1, col=2)
    fig.add_hline(y=LOW_SATISFACTION, line={"dash": "dot", "color": "grey"}, row=1, col=2,
                  annotation_text="low (< 0.5)", annotation_position="bottom right")
    for col in (1, 2):
        fig.update_xaxes(title_text="anxious partner's anxiety (avoidant partner 0.2/0.8)",
                         row=1, col=col)
        fig.update_yaxes(range=[0, 1.02], row=1, col=col)
    fig.update_yaxes(title_text="share of runs", row=1, col=1)
    fig.update_yaxes(title_text="mean satisfaction", row=1, col=2)
    fig.update_layout(title=f"Where is the trap stable and unsatisfying? ({args.steps} "
                            f"days, {args.reps} runs per point)",
                      legend={"orientation": "h", "y": -0.22})
    report.figure("sweep", fig)

    region = sweep_frame[sweep_frame["stable_unhappy_lo"] > 0.5]
    in_region = {label: region[region["couple"] == label]["anxiety A"].tolist()
                 for label in SWEPT.values()}
    library_region = bool((detail_frame["stable_unhappy_lo"] > 0.5).any())
    secure = detail_frame.loc["secure_secure"]
    secure_not_low = bool(secure["satisfaction_lo"] >= LOW_SATISFACTION
                          and secure["stable_unhappy"] == 0.0)
    for name in COUPLES:
        d = detail_frame.loc[name]
        report.number(f"{name}.survival", d["survival"])
        report.number(f"{name}.satisfaction", d["satisfaction"])
        report.number(f"{name}.stable_unhappy", d["stable_unhappy"])
    report.number("stable_unhappy.satisfaction_a", detail_frame.loc["stable_unhappy",
                                                                   "satisfaction_a"])
    report.number("stable_unhappy.satisfaction_b", detail_frame.loc["stable_unhappy",
                                                                   "satisfaction_b"])
    report.number("stable_unhappy.stable_unhappy_ci",
                  [detail_frame.loc["stable_unhappy", "stable_unhappy_lo"],
                   detail_frame.loc["stable_unhappy", "stable_unhappy_hi"]])
    report.number("region_anxiety_default_readiness", in_region[SWEPT["anxious_avoidant_trap"]])
    report.number("region_anxiety_committed", in_region[SWEPT["stable_unhappy"]])
    report.number("low_satisfaction_below", LOW_SATISFACTION)
    report.number("agrees", bool((library_region or len(region) > 0) and secure_not_low))
    return report.write()


if __name__ == "__main__":
    main()
