"""Does an EFT-like intervention half-way through a trapped run turn most runs to settling?

Stylized fact 6 (Johnson et al. 1999: 70-73% recovery in EFT trials). The library scenario
``therapy_eft`` (the anxious-avoidant trap couple; EFT for both partners at episode 500 of
1000, phased in over 20 episodes) is run with and without its "EFT" event on the same replicate
seeds, so each run is paired with its untreated twin. Reported: outcome shares (Wilson 95%
intervals) over all runs and over the couples still together when therapy starts, and the mean
pursue-withdraw signal over time in both arms (Student-t 95% bands). With ``--steps N`` the
event moves to half-way (episode N // 2).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dyadsim import expectations, outcomes
from dyadsim.report import PALETTE, Report, band, experiment_args
from dyadsim.runner import Replicates, run_replicates
from dyadsim.scenario import find
from dyadsim.stats import mean_interval, mean_interval_rows
from dyadsim.summary import SHARE_NAMES, Summary, summarize

NAME = "fact06_eft_halfway"
SCENARIO = "therapy_eft"
EVENT = "EFT"
LOOP_LEVEL = 0.10
"""The classifier's episode-off level (``outcomes.PW_OFF``): a couple whose mean
pursue-withdraw signal in the 100 episodes before therapy is at least this is in the loop."""


def pursue_withdraw(result: Replicates) -> np.ndarray:
    """The classifier's pursue-withdraw signal of every run and step (NaN after dissolution)."""
    return outcomes.pw_signal(result.column("partner_a.pursuit"),
                              result.column("partner_b.withdrawal"),
                              result.column("partner_b.pursuit"),
                              result.column("partner_a.withdrawal"))


def fmt_share(summary: Summary, name: str) -> str:
    """A share with its Wilson 95% interval."""
    if summary.n[0] == 0:
        return "n/a"
    return (f"{summary.shares[name][0]:.3f} [{summary.share_low[name][0]:.3f}, "
            f"{summary.share_high[name][0]:.3f}]")


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args = experiment_args(NAME, __doc__, reps=200, tiny_reps=40, steps=1000, tiny_steps=1000,
                           argv=argv)
    started = time.perf_counter()
    base = find(SCENARIO)
    start = max(2, args.steps // 2)  # half-way: 500 of the file's 1000 episodes
    events = tuple(replace(e, step=start) if e.label == EVENT else e for e in base.events)
    scenario = replace(base, events=events, expect=None).with_overrides(
        {"run.seed": args.seed, "run.steps": args.steps})
    treated = run_replicates(scenario=scenario, reps=args.reps, record_every=1)
    untreated = run_replicates(scenario=scenario, reps=args.reps, record_every=1,
                               without=(EVENT,))
    pw_t, pw_u = pursue_withdraw(treated), pursue_withdraw(untreated)
    print(f"{NAME}: simulations took {time.perf_counter() - started:.1f} s")

    n = args.reps
    # The arms are identical up to the start of therapy (same seeds, same parameters).
    together = treated.last_step >= start
    before = (max(1, start - 100), start - 1)
    pre_pw = expectations.quantity(treated, expectations.PURSUE_WITHDRAW, before)
    in_loop = together & (pre_pw >= LOOP_LEVEL)
    groups = {"all runs": np.ones(n, bool), "together at the start of therapy": together,
              "in the loop at the start of therapy": in_loop}
    rows, detail = [], []
    for label, mask in groups.items():
        m = int(mask.sum())
        for arm, res in (("with EFT", treated), ("without EFT", untreated)):
            s = summarize(res.outcome[mask])
            rows.append({"runs": label, "arm": arm, "n": m,
                         "settled [Wilson 95%]": fmt_share(s, "settled"),
                         "trap": fmt_share(s, "trap"),
                         "dissolved": fmt_share(s, "dissolved")})
            for o in SHARE_NAMES:
                detail.append({"runs": label, "arm": arm, "outcome": o,
                               "count": int(s.counts[o][0]), "n": m,
                               "share": s.shares[o][0], "low": s.share_low[o][0],
                               "high": s.share_high[o][0]})
    detail_frame = pd.DataFrame(detail)

    after = (min(start + 100, args.steps), args.steps)
    pw_after_t = expectations.quantity(treated, expectations.PURSUE_WITHDRAW, after)
    pw_after_u = expectations.quantity(untreated, expectations.PURSUE_WITHDRAW, after)
    diff = mean_interval((pw_after_t - pw_after_u).tolist())
    pre = mean_interval(pre_pw.tolist())
    windows = pd.DataFrame([
        {"quantity": f"pursue-withdraw, episodes {before[0]}-{before[1]} (before therapy)",
         "mean": pre[0], "low": pre[1], "high": pre[2], "runs": pre[3]},
        {"quantity": f"pursue-withdraw with EFT, episodes {after[0]}-{after[1]}",
         **dict(zip(("mean", "low", "high", "runs"), mean_interval(pw_after_t.tolist()),
                    strict=True))},
        {"quantity": f"pursue-withdraw without EFT, episodes {after[0]}-{after[1]}",
         **dict(zip(("mean", "low", "high", "runs"), mean_interval(pw_after_u.tolist()),
                    strict=True))},
        {"quantity": "paired difference (with minus without)", "mean": diff[0],
         "low": diff[1], "high": diff[2], "runs": diff[3]},
    ])

    with_eft, without_eft = treated.summary(), untreated.summary()
    of_together = summarize(treated.outcome[together])

    report = Report(args)
    report.table("table", pd.DataFrame(rows),
                 f"Scenario `{SCENARIO}`: EFT (both partners, strength 1, ramp 20) from episode "
                 f"{start} of {args.steps}, against the same runs without it; {n} paired "
                 f"replicates, root seed {args.seed}. Outcome at the end of the run "
                 "(classifier on the final 40%); shares with Wilson 95% intervals. 'In the "
                 f"loop': mean pursue-withdraw signal >= {LOOP_LEVEL} over episodes "
                 f"{before[0]}-{before[1]}.")
    report.table("windows", windows,
                 "Mean pursue-withdraw signal max(p_a w_b, p_b w_a) per run over a window "
                 "(live part), then over runs, with Student-t 95% intervals.")
    report.table("outcomes", detail_frame, "Every outcome class, by group and arm.")

    steps_axis = np.arange(args.steps + 1)
    fig = go.Figure()
    for arm, pw, colour in (("with EFT", pw_t, PALETTE[2]), ("without EFT", pw_u, PALETTE[3])):
        mean, low, high, _ = mean_interval_rows(pw.T)
        fig.add_trace(band(steps_axis, low, high, colour, 0.25))
        fig.add_trace(go.Scatter(x=steps_axis, y=mean, name=arm, line={"color": colour}))
    fig.add_vline(x=start, line={"dash": "dash", "color": "grey"},
                  annotation_text=f"EFT starts (episode {start})",
                  annotation_position="top right")
    fig.add_hline(y=outcomes.PW_ON, line={"dash": "dot", "color": "grey"},
                  annotation_text="episode threshold (0.20)", annotation_position="bottom left")
    fig.update_layout(title="Pursue-withdraw over time, with and without EFT half-way "
                            f"(mean of couples still together, 95% t band; {n} runs each)",
                      xaxis_title="episode",
                      yaxis_title="pursue-withdraw signal max(p_a w_b, p_b w_a)",
                      yaxis_range=[0, 1], title_font_size=16)
    report.figure("pursue_withdraw_over_time", fig)

    fig = go.Figure()
    shown = detail_frame[detail_frame["runs"] == "all runs"]
    for arm, colour in (("with EFT", PALETTE[2]), ("without EFT", PALETTE[3])):
        f = shown[(shown["arm"] == arm) & shown["outcome"].isin(outcomes.OUTCOMES)]
        fig.add_trace(go.Bar(x=f["outcome"], y=f["share"], name=arm, marker_color=colour,
                             error_y={"type": "data", "symmetric": False,
                                      "array": f["high"] - f["share"],
                                      "arrayminus": f["share"] - f["low"]}))
    fig.add_hrect(y0=0.70, y1=0.73, fillcolor="grey", opacity=0.3, line_width=0,
                  layer="below", annotation_text="EFT trials: 70-73% recovered",
                  annotation_position="top right")
    fig.update_layout(barmode="group", title=f"Outcomes at episode {args.steps}, with and "
                      f"without EFT from episode {start} (all {n} runs, Wilson 95%)",
                      xaxis_title="outcome class", yaxis_title="share of runs",
                      yaxis_range=[0, 1], title_font_size=16)
    report.figure("outcomes", fig)

    settled_t, settled_u = with_eft.point()["outcomes"], without_eft.point()["outcomes"]
    all_low, all_high = with_eft.point()["outcomes_ci95"]["settled"]
    report.number("settled_with_eft", settled_t["settled"])
    report.number("settled_with_eft_ci", [all_low, all_high])
    report.number("settled_without_eft", settled_u["settled"])
    report.number("together_at_start", float(together.mean()))
    report.number("settled_with_eft_of_together",
                  float(of_together.shares["settled"][0]) if together.any() else 0.0)
    report.number("settled_with_eft_of_together_ci",
                  [float(of_together.share_low["settled"][0]),
                   float(of_together.share_high["settled"][0])])
    report.number("in_loop_at_start_of_together", float(in_loop.sum() / max(1, together.sum())))
    report.number("dissolved_with_eft", settled_t["dissolved"])
    report.number("dissolved_without_eft", settled_u["dissolved"])
    report.number("trap_without_eft", float(without_eft.shares["trap"][0]))
    report.number("pw_before_therapy", pre[0])
    report.number("pw_after_with_eft", float(np.nanmean(pw_after_t)))
    report.number("pw_after_without_eft", float(np.nanmean(pw_after_u)))
    report.number("agrees", bool(settled_t["settled"] > 0.5 and all_low > 0.5
                                 and settled_u["settled"] <= 0.05))
    return report.write()


if __name__ == "__main__":
    main()
