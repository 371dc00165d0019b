"""The course of a couple day by day: states, event times, Kaplan-Meier, shares."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dyadsim import course, outcomes
from dyadsim.stats import wilson

DAYS = 120
NEED = math.ceil(course.TRAP_SHARE * course.WINDOW_DAYS)
"""Episode days in the trailing week that make a trapped day."""
COLUMNS = ("partner_b.withdrawal", "dyad.dissolved", "partner_a.pursuit", "dyad.closeness",
           "partner_b.pursuit", "partner_a.withdrawal", "partner_a.activation")
"""A column layout of our own (not the schema's): the module must find columns by name."""
HIGH = 1.0
"""Pursuit and withdrawal this high give pw = 1: inside an episode."""
MID = math.sqrt((outcomes.PW_ON + outcomes.PW_OFF) / 2)
"""pw = MID**2 lies between PW_OFF and PW_ON: keeps an episode going, cannot start one."""


def couple(episode=(), middle=(), closeness=1.0, low_from=None, dissolved_at=None, n=DAYS):
    """One run as a mapping of columns: pw high on ``episode`` days, between the thresholds
    on ``middle`` days; closeness 0 from ``low_from`` on; dissolved at ``dissolved_at``."""
    level = np.zeros(n)
    level[list(middle)] = MID
    level[list(episode)] = HIGH
    close = np.full(n, closeness)
    if low_from is not None:
        close[low_from:] = 0.0
    gone = np.zeros(n)
    traj = {"step": np.arange(n), "dyad.closeness": close, "dyad.dissolved": gone,
            "partner_a.pursuit": level, "partner_b.withdrawal": level.copy(),
            "partner_b.pursuit": np.zeros(n), "partner_a.withdrawal": np.zeros(n),
            "partner_a.activation": np.full(n, 0.5)}
    if dissolved_at is not None:
        gone[dissolved_at] = 1.0
        traj = {k: v[: dissolved_at + 1] for k, v in traj.items()}
    return traj


def as_rows(traj, n=DAYS):
    """One run's columns as ``(n, len(COLUMNS))`` in our layout, NaN past its last day."""
    x = np.full((n, len(COLUMNS)), np.nan)
    for j, name in enumerate(COLUMNS):
        x[: len(traj[name]), j] = traj[name]
    return x


def days(first, last):
    return list(range(first, last + 1))


TRAP = couple(episode=days(10, 40))
BREAKUP = couple(dissolved_at=50)
DISTANT = couple(closeness=0.0)
DETACHED = couple(episode=days(10, 40), low_from=30)
ENTER, LEAVE = 10 + NEED - 1, 40 + course.WINDOW_DAYS - NEED + 1
"""First trapped day of TRAP and its first day after the spell (from the rule itself)."""


def states_of(*runs):
    return course.daily_states(np.stack([as_rows(r) for r in runs]), columns=COLUMNS)


def test_a_trap_from_day_10_to_40_then_repair():
    s = course.daily_states(TRAP)[0]
    names = np.asarray(course.STATES)[s]
    assert set(names[:ENTER]) == {"settled"}
    assert set(names[ENTER:LEAVE]) == {"trapped"}
    assert set(names[LEAVE:]) == {"repaired"}
    e = course.event_times(s)
    row = e.frame().iloc[0]
    assert row["trap"] == ENTER and row["trap_observed"]
    assert row["trap_spell"] == LEAVE - ENTER and row["trap_spell_observed"]
    assert row["repair"] == LEAVE and row["repair_observed"]
    assert row["detachment"] == DAYS - 1 and not row["detachment_observed"]
    assert row["breakup"] == DAYS - 1 and not row["breakup_observed"]
    assert row["days_trapped"] == LEAVE - ENTER and row["exit"] == "repaired"


def test_a_break_up_on_day_50_censors_every_other_event_there():
    s = states_of(BREAKUP)[0]
    assert (s[:50] == course.SETTLED).all() and (s[50:] == course.APART).all()
    row = course.event_times(s).frame().iloc[0]
    assert row["breakup"] == 50 and row["breakup_observed"]
    for name in ("trap", "repair", "detachment"):
        assert row[name] == 50 and not row[f"{name}_observed"]
    assert math.isnan(row["trap_spell"]) and row["exit"] == "none"


def test_a_distant_couple_is_distant_but_never_detached():
    s = course.daily_states(DISTANT)[0]
    assert (s == course.DISTANT).all()
    row = course.event_times(s).frame().iloc[0]
    assert not row["detachment_observed"] and not row["trap_observed"]


def test_a_trap_that_ends_in_detachment():
    row = course.event_times(course.daily_states(DETACHED)).frame().iloc[0]
    assert row["trap"] == ENTER and row["detachment"] == LEAVE and row["detachment_observed"]
    assert row["exit"] == "distant" and not row["repair_observed"]


def test_a_trap_until_the_end_is_censored_and_a_trap_ending_in_break_up_is_not():
    still = course.event_times(course.daily_states(couple(episode=days(10, DAYS - 1))))
    assert still.time[0, 1] == DAYS - ENTER and not still.observed[0, 1]
    assert course.EXITS[still.exit[0]] == "still trapped"
    split = course.event_times(course.daily_states(couple(episode=days(10, 59),
                                                          dissolved_at=60)))
    assert split.time[0, 1] == 60 - ENTER and split.observed[0, 1]
    assert course.EXITS[split.exit[0]] == "apart" and split.time[0, 4] == 60


def test_the_classifiers_hysteresis_keeps_a_trap_going_but_cannot_start_one():
    kept = course.daily_states(couple(episode=days(10, 14), middle=days(15, 40)))[0]
    assert (kept[ENTER:LEAVE] == course.TRAPPED).all() and kept[LEAVE] == course.REPAIRED
    never = course.daily_states(couple(middle=days(10, 40)))[0]
    assert (never == course.SETTLED).all()


def test_short_bursts_below_the_share_of_the_week_are_not_a_trap():
    bursts = [d for start in range(10, 100, course.WINDOW_DAYS) for d in
              range(start, start + NEED - 1)]
    mask = outcomes.episode_mask(outcomes.pw_signal(
        *(np.asarray(couple(episode=bursts)[k][1:]) for k in
          ("partner_a.pursuit", "partner_b.withdrawal", "partner_b.pursuit",
           "partner_a.withdrawal"))))
    assert mask.any()  # the classifier sees episodes ...
    assert (course.daily_states(couple(episode=bursts)) == course.SETTLED).all()  # ... no trap


def test_nan_after_dissolution_gives_apart_and_frames_agree_with_arrays():
    runs = (TRAP, BREAKUP, DISTANT, DETACHED, couple(episode=days(10, 59), dissolved_at=60))
    s = states_of(*runs)
    assert s.shape == (len(runs), DAYS)
    for i, run in enumerate(runs):
        alone = course.daily_states(pd.DataFrame(run))[0]
        assert np.array_equal(s[i, : alone.size], alone)
    assert (s[1, 50:] == course.APART).all() and (s[4, 60:] == course.APART).all()


def test_bad_input_is_refused_in_one_line():
    with pytest.raises(ValueError, match="shape"):
        course.daily_states(np.zeros((2, 10, 3)), columns=COLUMNS)
    with pytest.raises(ValueError, match=r"dyad\.closeness"):
        course.daily_states({k: v for k, v in TRAP.items() if k != "dyad.closeness"})
    every_other = {k: v[::2] for k, v in TRAP.items()}
    with pytest.raises(ValueError, match=r"step.*every day"):
        course.daily_states(every_other)


def test_kaplan_meier_against_a_worked_example():
    # times 1 2 2+ 3 4+ 5 (+: censored). At risk 6, 5, 3, 1 at the event times 1, 2, 3, 5:
    # S = 5/6, 5/6*4/5 = 2/3, 2/3*2/3 = 4/9, 0. Greenwood at 3: 1/30 + 1/20 + 1/6 = 1/4.
    km = course.kaplan_meier([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])
    assert km.time.tolist() == [1, 2, 3, 4, 5]
    assert km.at_risk.tolist() == [6, 5, 3, 2, 1]
    assert km.events.tolist() == [1, 1, 1, 0, 1]
    assert np.allclose(km.survival, [5 / 6, 2 / 3, 4 / 9, 4 / 9, 0.0])
    # log-log interval at 3: se = sqrt(1/4) / |ln 4/9| = 0.6166; S ** exp(+-1.96 se)
    s, low, high = km.at([3])
    assert s[0] == pytest.approx(4 / 9)
    assert low[0] == pytest.approx(0.06619, abs=1e-4) and high[0] == pytest.approx(0.78491,
                                                                                   abs=1e-4)
    assert km.at([0.5, 2.5, 99])[0].tolist() == pytest.approx([1.0, 2 / 3, 0.0])
    # median: first S <= 1/2 is at 3; the low curve is 0.273 at 1 (log-log, as above), the
    # high curve stays at 0.785 after 3 (no upper end once S is 0): upper end not reached
    median, low_end, high_end = km.median()
    assert (median, low_end) == (3.0, 1.0) and math.isnan(high_end)
    assert km.at([1])[1][0] == pytest.approx(0.27312, abs=1e-4)


def test_kaplan_meier_censoring():
    everyone = course.kaplan_meier([4, 7, 9], [0, 0, 0])
    assert (everyone.survival == 1).all() and (everyone.low == 1).all()
    assert math.isnan(everyone.median()[0])
    # an event and a censoring at the same day: the censored run was still at risk
    tie = course.kaplan_meier([2, 2, 5], [1, 0, 1])
    assert tie.survival[0] == pytest.approx(2 / 3)
    nan_left_out = course.kaplan_meier([2, np.nan, 5], [1, 1, 1])
    assert nan_left_out.at_risk.tolist() == [2, 1]
    nobody = course.kaplan_meier([np.nan, np.nan], [0, 0])
    assert nobody.time.size == nobody.at_risk.size == 0 and math.isnan(nobody.median()[0])
    assert nobody.at([10])[0].tolist() == [1.0]


def test_kaplan_meier_without_censoring_is_the_empirical_survival():
    rng = np.random.default_rng(7)
    t = rng.integers(1, 40, 200)
    km = course.kaplan_meier(t, np.ones(t.size, bool))
    grid = np.arange(0, 45)
    assert np.allclose(km.at(grid)[0], [(t > g).mean() for g in grid])
    assert ((km.low <= km.survival + 1e-12) & (km.survival <= km.high + 1e-12)).all()


def test_state_shares_sum_to_one_with_wilson_intervals():
    s = states_of(TRAP, BREAKUP, DISTANT, DETACHED)
    table = course.state_shares(s, {"week 2": 14, "week 9": 60})
    assert np.allclose(table.groupby("day")["share"].sum(), 1.0)
    row = table.query("day == 60 and state == 'apart'").iloc[0]
    assert row["count"] == 1 and row["n"] == 4
    assert (row["low"], row["high"]) == pytest.approx(wilson(1, 4))
    assert np.allclose(course.shares_over_time(s).sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="days"):
        course.state_shares(s, {"12 months": 365})


def test_a_real_run_through_the_runner():
    from dyadsim.runner import run_replicates

    steps, reps = 60, 6
    r = run_replicates({"partner_a.anxiety": 0.8, "partner_b.avoidance": 0.8}, reps=reps,
                       root_seed=5, steps=steps, record_every=1)
    s = course.daily_states(r.trajectories)
    assert np.array_equal(course.daily_states(r), s)
    assert s.shape == (reps, steps + 1) and s.dtype == np.int8
    table = course.state_shares(s, {"day 30": 30, "day 60": 60})
    assert np.allclose(table.groupby("day")["share"].sum(), 1.0)
    e = course.event_times(s)
    assert e.time.shape == (reps, len(course.EVENTS))
    ended = r.last_step < steps
    assert np.array_equal(e.observed[:, 4], ended)
    assert np.array_equal(e.time[ended, 4], r.last_step[ended])
    for i in range(reps):
        assert np.array_equal(course.daily_states(r.trajectory(i))[0], s[i, : r.last_step[i] + 1])
    sparse = run_replicates(reps=2, root_seed=5, steps=10, record_every=2)
    with pytest.raises(ValueError, match="record_every"):
        course.daily_states(sparse)
