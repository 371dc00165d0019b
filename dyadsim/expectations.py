"""Running a scenario over replicates, and checking what its ``[expect]`` table claims.

Every check reads a *quantity* from each replicate run, then averages over replicates:

- ``share.<outcome>`` (or ``share.trap``): 1 if the run ended in that class, else 0, so
  the mean is the share of runs;
- ``metric.<name>``: one of :data:`dyadsim.outcomes.METRIC_NAMES`;
- a recorded series (``partner_a.activation``, ``dyad.closeness``...), or
  ``dyad.pursue_withdraw``, the classifier's pursue-withdraw signal
  ``max(p_a w_b, p_b w_a)`` (:func:`dyadsim.outcomes.pursue_withdraw`): its mean over the
  check's window of episodes (inclusive). A run that ended (dissolved) before the window
  has no value there and is left out; the result says how many runs counted.

A ``share`` or ``mean`` check passes if the mean over replicates lies in its interval. A
``compare`` check runs a variant of the scenario (other settings, or without some events)
with the same replicate seeds, so each replicate is paired with its twin (common random
numbers); it passes if the mean paired difference (scenario minus variant) is at least
``margin`` in the stated direction and its 95% Student-t interval excludes zero. The
tolerance is what the file states; nothing here is tuned per scenario.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from dyadsim import outcomes
from dyadsim.registry import Value
from dyadsim.runner import Replicates, run_replicates
from dyadsim.scenario import PURSUE_WITHDRAW, Check, Scenario
from dyadsim.stats import mean_interval, wilson
from dyadsim.streams import run_seeds
from dyadsim.summary import SHARE_NAMES, share_values


def seeds_for(scenario: Scenario, reps: int) -> list[int]:
    """Replicate seeds: the scenario's seed for one run, else spawned from it.

    These are the seeds ``dyadsim run FILE --reps N`` uses, so any replicate can be rerun.
    """
    return run_seeds(scenario.seed, reps)


def run(
    scenario: Scenario,
    reps: int,
    *,
    record: bool = True,
    variant_set: Mapping[str, Value] | None = None,
    without: tuple[str, ...] = (),
    threads: int | None = None,
) -> Replicates:
    """Run a scenario's replicates on the batch engine (the same runs as the Mesa engine).

    Args:
        scenario: The scenario.
        reps: Replicates (seeds from :func:`seeds_for`).
        record: Keep every step of every run (needed for series quantities).
        variant_set: Settings that replace the scenario's (for a variant).
        without: Labels of events to leave out (for a variant).
        threads: Numba threads.
    """
    return run_replicates({**scenario.params, **(variant_set or {})}, reps=reps,
                          record_every=1 if record else 0,
                          timeline=scenario.timeline(without), threads=threads)


def quantity(result: Replicates, name: str,
             window: tuple[int, int] | None = None) -> np.ndarray:
    """The value of a quantity in each run (NaN where a run has none)."""
    kind, _, rest = name.partition(".")
    if kind == "share":
        return share_values(result.outcome, rest)
    if kind == "metric":
        return result.metrics[:, outcomes.METRIC_NAMES.index(rest)].astype(float)
    if result.trajectories is None:
        raise ValueError(f"{name}: a series needs recorded trajectories (record=True)")
    values = _series(result, name)
    first, last = window if window is not None else (1, values.shape[1] - 1)
    part = values[:, first:last + 1]
    counts = np.sum(~np.isnan(part), axis=1)
    sums = np.nansum(part, axis=1)
    out = np.full(values.shape[0], np.nan)
    np.divide(sums, counts, out=out, where=counts > 0)
    return out


def _series(result: Replicates, name: str) -> np.ndarray:
    if name == PURSUE_WITHDRAW:
        return outcomes.pw_signal(result.column("partner_a.pursuit"),
                                  result.column("partner_b.withdrawal"),
                                  result.column("partner_b.pursuit"),
                                  result.column("partner_a.withdrawal"))
    return result.column(name)


@dataclass(frozen=True)
class CheckResult:
    """A check's measured value, its 95% interval, the runs that counted, and the verdict."""

    check: Check
    value: float
    low: float
    high: float
    n: int
    passed: bool

    def line(self) -> str:
        """One line for a report."""
        c = self.check
        mark = "ok  " if self.passed else "FAIL"
        where = f" over days {c.window[0]}-{c.window[1]}" if c.window else ""
        if c.kind == "compare":
            parts = [f"{k}={v:g}" for k, v in c.variant_set.items()]
            variant = " and ".join(
                ([f"with {', '.join(parts)}"] if parts else [])
                + [f"without '{w}'" for w in c.variant_without])
            return (f"{mark} {c.quantity}{where} is {c.relation} than {variant}: "
                    f"difference {self.value:+.3f} [{self.low:+.3f}, {self.high:+.3f}], "
                    f"n={self.n}; needs {'<= -' if c.relation == 'lower' else '>= +'}"
                    f"{c.margin:g}")
        assert c.within is not None
        return (f"{mark} {c.quantity}{where} = {self.value:.3f} [{self.low:.3f}, "
                f"{self.high:.3f}], n={self.n}; expected in [{c.within[0]:g}, "
                f"{c.within[1]:g}]")


def needs_series(scenario: Scenario) -> bool:
    """Whether any ``[expect]`` check reads a recorded series (then every step is recorded)."""
    return scenario.expect is not None and any(c.series for c in scenario.expect.checks)


def evaluate(scenario: Scenario, reps: int | None = None,
             threads: int | None = None) -> list[CheckResult]:
    """Run a scenario's ``[expect]`` checks (with its replicates, or ``reps``)."""
    if scenario.expect is None:
        return []
    n = reps or scenario.expect.reps
    record = needs_series(scenario)  # shares and metrics alone need no trajectories
    base = run(scenario, n, record=record, threads=threads)
    out = []
    variants: dict[Any, Replicates] = {}
    for check in scenario.expect.checks:
        x = quantity(base, check.quantity, check.window)
        if check.kind != "compare":
            assert check.within is not None
            if check.kind == "share":
                k = int(np.nansum(x))
                mean = k / len(x)
                low, high = wilson(k, len(x))
                used = len(x)
            else:
                mean, low, high, used = mean_interval(x.tolist())
            passed = check.within[0] <= mean <= check.within[1]
            out.append(CheckResult(check, mean, low, high, used, bool(passed)))
            continue
        key = (tuple(sorted(check.variant_set.items())), check.variant_without)
        if key not in variants:
            variants[key] = run(scenario, n, record=record, variant_set=check.variant_set,
                                without=check.variant_without, threads=threads)
        y = quantity(variants[key], check.quantity, check.window)
        diff, low, high, used = mean_interval((x - y).tolist())
        if check.relation == "lower":
            passed = diff <= -check.margin and high < 0
        else:
            passed = diff >= check.margin and low > 0
        out.append(CheckResult(check, diff, low, high, used, bool(passed)))
    return out


def shares(result: Replicates) -> dict[str, float]:
    """The share of runs in each outcome class, and the trap share."""
    if not len(result.outcome):
        return {}
    summary = result.summary()
    return {name: float(summary.shares[name][0]) for name in SHARE_NAMES}
