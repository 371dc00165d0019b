"""A couple's course day by day: daily states, event times and survival curves.

Reads trajectories recorded every day (``record_every=1``; one episode is one day, see
:mod:`dyadsim.timeunits`) and gives each run one state a day, tested in this order:

``apart``     the relationship has ended (the dissolution day and every day after it).
``trapped``   inside the pursue-withdraw trap: the classifier's episode mask
              (:func:`dyadsim.outcomes.episode_mask` on :func:`dyadsim.outcomes.pw_signal`,
              hysteresis between ``PW_ON`` and ``PW_OFF``) covers at least
              ``outcomes.ESCALATED_SHARE`` of the trailing week (days ``t-6 .. t``; days
              before day 1 count as outside, so day 4 is the earliest trapped day).
``distant``   mean ``dyad.closeness`` of the trailing week below
              ``outcomes.DISTANT_CLOSENESS``.
``repaired``  none of the above, after at least one trapped day.
``settled``   none of the above, never trapped yet.

Day 0 is the initial state (row 0, never inside an episode: as in the classifier, the mask
starts at day 1). Only the columns in :data:`READS` are read, by name; every threshold comes
from :mod:`dyadsim.outcomes`.

Events, in days from day 0, one row per run (:func:`event_times`): ``trap`` (first trapped
day), ``trap_spell`` (days from the first trapped day to the first day not trapped; only for
runs that entered the trap), ``repair`` (first repaired day), ``detachment`` (first distant
day after the first trapped day), ``breakup`` (dissolution day). A run without the event is
censored at its last day, or, for every event but ``breakup`` and ``trap_spell``, at its
dissolution day: :func:`kaplan_meier` is then a cause-specific estimate (a break-up is
censoring, so ``1 - S`` is the share had no couple broken up, not the share observed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dyadsim import outcomes, schema, timeunits
from dyadsim.stats import Z95, wilson_arrays

STATES: tuple[str, ...] = ("settled", "trapped", "repaired", "distant", "apart")
"""The daily states; a state's code is its index here."""
SETTLED, TRAPPED, REPAIRED, DISTANT, APART = range(len(STATES))
EVENTS: tuple[str, ...] = ("trap", "trap_spell", "repair", "detachment", "breakup")
"""The per-run events of :func:`event_times`, in column order."""
EXITS: tuple[str, ...] = ("none", "still trapped", "repaired", "distant", "apart")
"""How a run's first trap spell ended (``none``: never trapped)."""
WINDOW_DAYS: int = timeunits.DAYS_PER_WEEK
"""The trailing window of the trapped and distant tests (days ``t - 6 .. t``)."""
TRAP_SHARE: float = outcomes.ESCALATED_SHARE
"""Share of the trailing window the episode mask must cover for a trapped day."""
READS: tuple[str, ...] = (
    "dyad.closeness", "dyad.dissolved", "partner_a.pursuit", "partner_b.pursuit",
    "partner_a.withdrawal", "partner_b.withdrawal",
)
"""The only recorded columns this module reads."""


def _reads(traj: Any, columns: Sequence[str] | None) -> np.ndarray:
    """The :data:`READS` columns as an array ``(runs, days, len(READS))``."""
    if hasattr(traj, "every"):  # a Replicates
        if traj.every != 1:
            raise ValueError(f"record_every: {traj.every}; allowed: 1 (one row a day)")
        traj = traj.trajectories
    if isinstance(traj, np.ndarray):
        names = list(columns if columns is not None else schema.TRAJECTORY_COLUMNS[1:])
        x = traj[None] if traj.ndim == 2 else traj
        if x.ndim != 3 or x.shape[2] != len(names):
            raise ValueError(f"trajectories: shape {traj.shape}; allowed: (runs, days, "
                             f"{len(names)}) or (days, {len(names)}), one column per name")
        missing = [n for n in READS if n not in names]
        if missing:
            raise ValueError(f"columns: {missing} missing; needed: {', '.join(READS)}")
        return np.asarray(x[:, :, [names.index(n) for n in READS]], dtype=float)
    if not isinstance(traj, Mapping) and not hasattr(traj, "columns"):
        raise ValueError(f"trajectory: a {type(traj).__name__}; allowed: an array (runs, "
                         "days, columns) or one run's DataFrame or column mapping")
    missing = [n for n in READS if n not in traj]
    if missing:
        raise ValueError(f"trajectory: columns {missing} missing; needed: {', '.join(READS)}")
    if "step" in traj:
        step = np.asarray(traj["step"])
        if not np.array_equal(step, np.arange(step.shape[0])):
            raise ValueError(f"step: {step[:4].tolist()}...; allowed: 0, 1, 2, ... (recorded "
                             "every day, record_every=1)")
    return np.column_stack([np.asarray(traj[n], dtype=float) for n in READS])[None]


def _trailing_sum(x: np.ndarray, first: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum of ``x`` over days ``max(first, t - WINDOW_DAYS + 1) .. t`` and its day count.

    A day before ``first`` has only itself as its window.
    """
    days = x.shape[1]
    c = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(x, axis=1)], axis=1)
    hi = np.arange(days) + 1
    lo = np.minimum(np.maximum(hi - WINDOW_DAYS, first), hi - 1)
    return c[:, hi] - c[:, lo], hi - lo


def daily_states(traj: Any, columns: Sequence[str] | None = None) -> np.ndarray:
    """Each run's state on each day, codes into :data:`STATES`.

    Args:
        traj: A ``Replicates``, its ``trajectories`` (``(runs, days, columns)``, NaN
            after a dissolution), one run's ``(days, columns)`` array, or one run's DataFrame
            (``Replicates.trajectory(i)``) or column mapping, recorded every day.
        columns: Column names of an array (default ``schema.TRAJECTORY_COLUMNS[1:]``).

    Returns:
        An int8 array ``(runs, days)``.
    """
    x = _reads(traj, columns)
    close, gone, pa, pb, wa, wb = np.moveaxis(x, 2, 0)
    pw = outcomes.pw_signal(pa, wb, pb, wa)
    mask = np.zeros(pw.shape, dtype=bool)
    for i in range(pw.shape[0]):
        mask[i, 1:] = outcomes.episode_mask(pw[i, 1:])
    covered, _ = _trailing_sum(mask.astype(float), first=1)
    trapped = covered >= TRAP_SHARE * WINDOW_DAYS
    total, n = _trailing_sum(np.nan_to_num(close), first=1)  # day 0: its own closeness
    distant = total / n < outcomes.DISTANT_CLOSENESS
    apart = np.maximum.accumulate((gone > 0) | np.isnan(gone), axis=1)
    trapped &= ~apart
    ever = np.maximum.accumulate(trapped, axis=1)
    return np.select([apart, trapped, distant, ever], [APART, TRAPPED, DISTANT, REPAIRED],
                     SETTLED).astype(np.int8)


def _first(hit: np.ndarray) -> np.ndarray:
    """First day where ``hit`` holds in each row (-1 if never)."""
    return np.where(hit.any(axis=1), hit.argmax(axis=1), -1)


@dataclass(frozen=True)
class Events:
    """Per-run event times in days, with censoring.

    Attributes:
        time: Shape ``(runs, len(EVENTS))``: the event day, or the censoring day; NaN for
            ``trap_spell`` of a run that never entered the trap.
        observed: Same shape: True where the event happened (False: censored).
        days_trapped: Total trapped days of each run.
        exit: How each run's first trap spell ended, codes into :data:`EXITS`.
    """

    time: np.ndarray
    observed: np.ndarray
    days_trapped: np.ndarray
    exit: np.ndarray

    def frame(self) -> pd.DataFrame:
        """One row per run: each event's time and whether it was observed, and the rest."""
        out = {}
        for j, name in enumerate(EVENTS):
            out[name] = self.time[:, j]
            out[f"{name}_observed"] = self.observed[:, j]
        out["days_trapped"] = self.days_trapped
        out["exit"] = np.asarray(EXITS)[self.exit]
        return pd.DataFrame(out)


def event_times(states: np.ndarray) -> Events:
    """Each run's event times (see the module docstring) from :func:`daily_states`."""
    s = np.atleast_2d(states)
    runs, days = s.shape
    last = days - 1
    day = np.arange(days)[None, :]
    breakup = _first(s == APART)
    end = np.where(breakup >= 0, breakup, last)
    trap = _first(s == TRAPPED)
    entered = trap >= 0
    after = day > trap[:, None]
    spell_end = _first(after & (s != TRAPPED) & entered[:, None])
    repair = _first(s == REPAIRED)
    detach = _first(after & (s == DISTANT) & entered[:, None])
    time = np.empty((runs, len(EVENTS)))
    observed = np.zeros((runs, len(EVENTS)), dtype=bool)
    for j, first, censor in ((0, trap, end), (2, repair, end), (3, detach, end),
                             (4, breakup, last)):
        observed[:, j] = first >= 0
        time[:, j] = np.where(first >= 0, first, censor)
    observed[:, 1] = spell_end >= 0
    spell = np.where(spell_end >= 0, spell_end, days) - trap
    time[:, 1] = np.where(entered, spell, np.nan)
    # the state of the day the spell ended; settled cannot follow a trapped day
    exit_code = np.array([2, 1, 2, 3, 4], dtype=np.int8)[s[np.arange(runs),
                                                          np.maximum(spell_end, 0)]]
    exit_code = np.where(~entered, 0, np.where(spell_end < 0, 1, exit_code)).astype(np.int8)
    return Events(time, observed, (s == TRAPPED).sum(axis=1), exit_code)


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan-Meier curve: one entry per distinct time with an event or a censoring.

    Attributes:
        time: The distinct times, ascending.
        at_risk: Runs with time at or after each time.
        events: Events at each time.
        survival: ``S(t)``, the share still without the event just after ``t``.
        low: Low end of the 95% interval (Greenwood variance, log-log transform).
        high: High end of that interval.
    """

    time: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    survival: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def at(self, days: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``S``, low and high at the given days (a step function, 1 before the first time)."""
        i = np.searchsorted(self.time, np.asarray(days, dtype=float), side="right") - 1
        pick = [np.where(i >= 0, np.r_[a, 1.0][i], 1.0) for a in (self.survival, self.low,
                                                                  self.high)]
        return pick[0], pick[1], pick[2]

    def median(self) -> tuple[float, float, float]:
        """The median time and its 95% interval: the first time each curve reaches 0.5.

        NaN where a curve never reaches 0.5 (not reached).
        """

        def first(curve: np.ndarray) -> float:
            hit = np.flatnonzero(curve <= 0.5)
            return float(self.time[hit[0]]) if hit.size else float("nan")

        return first(self.survival), first(self.low), first(self.high)


def kaplan_meier(time: Any, observed: Any, z: float = Z95) -> KaplanMeier:
    """The Kaplan-Meier estimate with Greenwood 95% intervals on the log-log scale.

    At a time with both events and censorings, the censored runs count as at risk (they
    are censored just after it). Runs with a NaN time are left out.

    Args:
        time: Event or censoring time of each run.
        observed: Whether each run's event happened (False: censored).
        z: Normal quantile of the interval.
    """
    t = np.asarray(time, dtype=float).reshape(-1)
    d = np.asarray(observed, dtype=bool).reshape(-1)
    if t.shape != d.shape:
        raise ValueError(f"observed: {d.size} values for {t.size} times; allowed: one each")
    keep = ~np.isnan(t)
    t, d = t[keep], d[keep]
    times, inverse = np.unique(t, return_inverse=True)
    events = np.bincount(inverse, weights=d, minlength=times.size)
    leaving = np.bincount(inverse, minlength=times.size)
    at_risk = t.size - np.r_[0, np.cumsum(leaving)][:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - events / at_risk)
        green = np.cumsum(np.where(events > 0, events / (at_risk * (at_risk - events)), 0.0))
        se = np.sqrt(green) / np.abs(np.log(surv))
        low, high = surv ** np.exp(z * se), surv ** np.exp(-z * se)
    inside = (surv > 0) & (surv < 1) & np.isfinite(se)
    low, high = np.where(inside, low, surv), np.where(inside, high, surv)
    zero = np.flatnonzero(surv <= 0)
    if zero.size:  # no interval on the log-log scale once S is 0: keep the last upper end
        high[zero[0]:] = high[zero[0] - 1] if zero[0] > 0 else 0.0
    return KaplanMeier(times, at_risk.astype(int), events.astype(int), surv, low, high)


def state_shares(states: np.ndarray, days: Mapping[str, int] | None = None) -> pd.DataFrame:
    """The share of runs in each state on given days, with Wilson 95% intervals.

    Args:
        states: :func:`daily_states` of the runs.
        days: Label -> day (default :data:`dyadsim.timeunits.MONTH_MARKS`).

    Returns:
        One row per day and state: ``mark``, ``day``, ``state``, ``n``, ``count``, ``share``,
        ``low``, ``high``.
    """
    s = np.atleast_2d(states)
    marks = dict(timeunits.MONTH_MARKS if days is None else days)
    for label, day in marks.items():
        if not 0 <= day < s.shape[1]:
            raise ValueError(f"days: {label!r} = {day}; allowed: 0 .. {s.shape[1] - 1} (the "
                             "recorded days)")
    rows = []
    for label, day in marks.items():
        count = np.bincount(s[:, day], minlength=len(STATES))
        low, high = wilson_arrays(count, np.full(len(STATES), s.shape[0]))
        for k, name in enumerate(STATES):
            rows.append((label, day, name, s.shape[0], int(count[k]), count[k] / s.shape[0],
                         low[k], high[k]))
    return pd.DataFrame(rows, columns=["mark", "day", "state", "n", "count", "share", "low",
                                       "high"])


def shares_over_time(states: np.ndarray) -> np.ndarray:
    """Share of runs in each state on every day, shape ``(days, len(STATES))``."""
    s = np.atleast_2d(states)
    return np.stack([(s == k).mean(axis=0) for k in range(len(STATES))], axis=1)
