"""A process, not a switch? The course of the four standard pairings over a year, day by day.

Runs the four pairings of experiments/pairings.py (secure-secure, anxious-secure,
secure-avoidant, anxious-avoidant) for 365 days (one episode = one day), recorded every day,
with replicates pooled over several root seeds (the seed, seed+1, ...; every pairing uses
the same replicate seeds). Each couple's state each day (settled, trapped, repaired,
distant, apart; rules in dyadsim/course.py) gives the state shares at 1, 3 and 12 months
with Wilson 95% intervals, and Kaplan-Meier curves (Greenwood 95% intervals) of the time to
the trap, in it, to repair, to detachment and to break-up.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dyadsim import course, timeunits
from dyadsim.report import PALETTE, Report, band, experiment_args
from dyadsim.runner import run_replicates
from dyadsim.stats import wilson_arrays

NAME = "course_by_pairing"
CURVES = {"trap": "time to the trap", "repair": "time to repair",
          "detachment": "time to detachment", "breakup": "time to break-up"}
WAYS_OUT = 0.10
"""'A trapped couple can leave the trap by repair or by detachment': at least this share of
the couples that entered the trap end their first trap spell in repaired or distant."""
BUILD_UP_DAYS = 2 * timeunits.DAYS_PER_WEEK
"""'Escalation builds over weeks': the anxious-avoidant median time to the trap is at least
two weeks (or not reached)."""
TARGET = "anxious-avoidant"
DASHES = ("solid", "dash", "dot", "dashdot")
"""One dash per pairing, so curves lying on each other stay visible."""
STATE_COLOURS = dict(zip(course.STATES, ("#009E73", "#D55E00", "#56B4E9", "#999999",
                                         "#000000"), strict=True))


def standard_pairings() -> dict[str, dict[str, float]]:
    """The four standard pairings of experiments/pairings.py, as trait overrides."""
    spec = importlib.util.spec_from_file_location(
        "pairings", Path(__file__).resolve().parents[1] / "pairings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: module.traits(*t) for name, t in module.PAIRINGS.items()}


def parse(argv: list[str] | None) -> tuple[Any, list[int], dict[str, int], list[str]]:
    """The standard experiment arguments plus ``--seeds N`` and ``--days D1,D2,...``."""
    extra = argparse.ArgumentParser(add_help=False)
    extra.add_argument("--seeds", type=int, default=None)
    extra.add_argument("--days", type=str, default=None)
    given = sys.argv[1:] if argv is None else list(argv)
    ns, rest = extra.parse_known_args(given)
    args = experiment_args(NAME, __doc__, reps=250, tiny_reps=10, steps=365, tiny_steps=365,
                           argv=rest)
    n_seeds = ns.seeds if ns.seeds is not None else (2 if args.tiny else 4)
    if n_seeds < 1:
        sys.exit(f"--seeds = {n_seeds}: must be a whole number >= 1")
    if ns.days is None:
        marks = dict(timeunits.MONTH_MARKS)
    else:
        try:
            marks = {f"day {d}": int(d) for d in ns.days.split(",")}
        except ValueError:
            sys.exit(f"--days = {ns.days!r}: allowed: whole days separated by commas")
    dropped = [k for k, d in marks.items() if not 0 <= d <= args.steps]
    marks = {k: d for k, d in marks.items() if k not in dropped}
    args.command = " ".join(["python", f"experiments/{NAME}/run.py", *given])
    return args, [args.seed + k for k in range(n_seeds)], marks, dropped


def run_states(pairs: dict[str, dict[str, float]], reps: int, steps: int,
               seeds: list[int]) -> dict[str, np.ndarray]:
    """Every pairing's daily states, runs pooled over the root seeds."""
    varying = {k: [p[k] for p in pairs.values()] for k in next(iter(pairs.values()))}
    parts: dict[str, list[np.ndarray]] = {name: [] for name in pairs}
    for seed in seeds:
        r = run_replicates(reps=reps, root_seed=seed, steps=steps, record_every=1,
                           varying=varying)
        states = course.daily_states(r.trajectories).reshape(len(pairs), reps, -1)
        for i, name in enumerate(pairs):
            parts[name].append(states[i])
    return {name: np.concatenate(p) for name, p in parts.items()}


def ci(share: float, low: float, high: float) -> str:
    return "" if np.isnan(share) else f"{share:.3f} [{low:.3f}, {high:.3f}]"


def share_tables(states: dict[str, np.ndarray], marks: dict[str, int]
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """State shares at the marks: one readable row per pairing and mark, and the long form."""
    long = pd.concat([course.state_shares(s, marks).assign(pairing=name)
                      for name, s in states.items()], ignore_index=True)
    rows = []
    for (name, mark), g in long.groupby(["pairing", "mark"], sort=False):
        g = g.set_index("state")
        rows.append({"pairing": name, "when": mark, "day": int(g["day"].iloc[0]),
                     "n": int(g["n"].iloc[0]),
                     **{s: ci(*g.loc[s, ["share", "low", "high"]]) for s in course.STATES}})
    return pd.DataFrame(rows), long[["pairing", *long.columns[:-1]]]


def event_tables(events: dict[str, course.Events]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kaplan-Meier medians per pairing and event, and how first trap spells ended."""
    rows, exits = [], []
    for name, e in events.items():
        for j, event in enumerate(course.EVENTS):
            km = course.kaplan_meier(e.time[:, j], e.observed[:, j])
            med, low, high = km.median()
            words = "not reached" if np.isnan(med) else timeunits.describe(med)
            rows.append({"pairing": name, "event": event, "median_days": med,
                         "ci_low": low, "ci_high": high, "in_words": words,
                         "events": int(km.events.sum()), "runs": int(km.at_risk[:1].sum()),
                         "still_without_at_end": km.survival[-1] if km.time.size else np.nan})
        entered = int((e.exit > 0).sum())
        count = np.bincount(e.exit, minlength=len(course.EXITS))[1:]
        low, high = wilson_arrays(count, np.full(count.size, entered))
        with np.errstate(invalid="ignore"):
            out = count / entered  # NaN when no couple entered the trap
        exits.append({"pairing": name, "entered_trap": entered,
                      **{f"exit_{x.replace(' ', '_')}": ci(out[i], low[i], high[i])
                         for i, x in enumerate(course.EXITS[1:])},
                      "ways_out": int(count[1] + count[2]),
                      "mean_days_trapped": float(e.days_trapped.mean())})
    return pd.DataFrame(rows), pd.DataFrame(exits)


def step_curve(km: course.KaplanMeier, last: int) -> tuple[np.ndarray, ...]:
    """A Kaplan-Meier curve and its band as step lines from day 0 to ``last``."""
    x = np.r_[0.0, np.repeat(km.time, 2), last]
    values = []
    for a in (km.survival, km.low, km.high):
        before = np.r_[1.0, a[:-1]]  # each time: the value just before it, then at it
        values.append(np.r_[1.0, np.column_stack([before, a]).ravel(), a[-1]])
    return (x, *values)


def day_axis(fig: go.Figure, marks: dict[str, int], last: int, title: str, rows: int) -> None:
    fig.update_xaxes(range=[0, last], tickvals=[0, *marks.values()], tickangle=0)
    fig.update_xaxes(title_text=title + ", ".join(f"{d} = {k}" for k, d in marks.items())
                     + ")", row=rows)


def survival_figure(events: dict[str, course.Events], marks: dict[str, int], last: int,
                    curves: dict[str, str], title: str, clock: str = "day") -> go.Figure:
    """Kaplan-Meier curves by pairing, one panel per event, 95% bands."""
    rows = (len(curves) + 1) // 2
    fig = make_subplots(rows=rows, cols=min(2, len(curves)),
                        subplot_titles=list(curves.values()), shared_yaxes=True)
    for k, event in enumerate(curves):
        row, col = k // 2 + 1, k % 2 + 1
        for i, (name, e) in enumerate(events.items()):
            j = course.EVENTS.index(event)
            km = course.kaplan_meier(e.time[:, j], e.observed[:, j])
            if km.time.size == 0:
                continue
            x, s, low, high = step_curve(km, last)
            colour = PALETTE[i % len(PALETTE)]
            fig.add_trace(band(x, low, high, colour, 0.15).update(mode="lines"), row=row,
                          col=col)
            fig.add_trace(go.Scatter(x=x, y=s, mode="lines", name=name, legendgroup=name,
                                     showlegend=k == 0,
                                     line={"color": colour, "dash": DASHES[i % len(DASHES)]}),
                          row=row, col=col)
    day_axis(fig, marks, last, f"{clock} (", rows)
    fig.update_yaxes(range=[0, 1.03])
    fig.update_layout(title=title, legend={"orientation": "h", "y": -0.12})
    return fig


def states_figure(states: dict[str, np.ndarray], marks: dict[str, int]) -> go.Figure:
    """Share of couples in each state on each day, one panel per pairing."""
    fig = make_subplots(rows=2, cols=2, subplot_titles=list(states), shared_yaxes=True)
    for k, s in enumerate(states.values()):
        shares = course.shares_over_time(s)
        for j, state in enumerate(course.STATES):
            fig.add_trace(go.Scatter(
                x=np.arange(shares.shape[0]), y=shares[:, j], name=state, legendgroup=state,
                showlegend=k == 0, stackgroup=f"p{k}", mode="none",
                fillcolor=STATE_COLOURS[state]), row=k // 2 + 1, col=k % 2 + 1)
    last = next(iter(states.values())).shape[1] - 1
    day_axis(fig, marks, last, "day (", 2)
    fig.update_layout(title="State of the couples day by day (share of runs)",
                      legend={"orientation": "h", "y": -0.12})
    return fig


def main(argv: list[str] | None = None) -> Path:
    """Run the experiment and write its report; return the report folder."""
    args, seeds, marks, dropped = parse(argv)
    pairs = standard_pairings()
    states = run_states(pairs, args.reps, args.steps, seeds)
    n = next(iter(states.values())).shape[0]
    args.extra = {"root_seeds": seeds, "reps_per_seed": args.reps, "runs_per_pairing": n,
                  "days": marks, "days_past_the_run": dropped}
    events = {name: course.event_times(s) for name, s in states.items()}
    table, long = share_tables(states, marks)
    medians, exits = event_tables(events)
    report = Report(args)
    size = (f"{n} runs per pairing ({len(seeds)} root seeds x {args.reps}) of {args.steps} "
            f"days")
    report.table("table", table, f"State shares [Wilson 95%] at the marked days; {size}.")
    report.table("shares", long, "The same shares in long form.")
    report.table("medians", medians, f"Kaplan-Meier median days to each event [95%; NaN: "
                 f"not reached]; break-up censors the other events; {size}.")
    report.table("exits", exits, "How each couple's first trap spell ended, among couples "
                 "that entered the trap [Wilson 95%].")
    last = args.steps
    report.figure("survival", survival_figure(
        events, marks, last, CURVES, f"Kaplan-Meier curves by pairing ({size}; 95% bands)"))
    report.figure("time_in_trap", survival_figure(
        events, marks, last, {"trap_spell": "days in the first trap spell"},
        "Still in the first trap spell, by days since it began", "days since the trap began"))
    report.figure("states", states_figure(states, marks))
    shares: dict[str, Any] = {}
    for r in long.itertuples():
        shares.setdefault(r.pairing, {}).setdefault(r.mark, {})[r.state] = [r.share, r.low,
                                                                            r.high]
    report.number("shares", shares)
    report.number("median_days", {
        name: {r.event: [r.median_days, r.ci_low, r.ci_high] for r in g.itertuples()}
        for name, g in medians.groupby("pairing", sort=False)})
    entered = int(exits["entered_trap"].sum())
    ways_out = int(exits["ways_out"].sum())
    share_out = ways_out / entered if entered else float("nan")
    target = medians.query("pairing == @TARGET and event == 'trap'").iloc[0]
    build_up = bool(np.isnan(target["median_days"]) or target["median_days"] >= BUILD_UP_DAYS)
    report.number("entered_trap", entered)
    report.number("left_trap_by_repair_or_detachment", share_out)
    report.number("ways_out", bool(entered > 0 and share_out >= WAYS_OUT))
    report.number("build_up_over_weeks", build_up)
    report.number("agrees", bool(entered > 0 and share_out >= WAYS_OUT and build_up))
    print(table.to_string(index=False))
    print(medians[["pairing", "event", "median_days", "ci_low", "ci_high", "events"]]
          .to_string(index=False))
    print(exits.to_string(index=False))
    return report.write()


if __name__ == "__main__":
    main()
