"""Global sensitivity analysis: Sobol indices of one outcome over chosen parameter bounds.

The sampling and the analysis are SALib's (Saltelli's scheme with Sobol' sequences, and the
Jansen/Saltelli estimators with bootstrap confidence intervals); this module only maps
registry parameters onto a SALib *problem*, runs the model at every design point and
reduces each point's replicates to one number.

For ``D`` parameters and ``base_samples`` ``N`` SALib's design has ``N * (D + 2)`` points
(first-order and total indices only, no second-order terms). The model is stochastic, so
every point is run ``reps`` times and the output of a point is the share or mean over its
replicates. Replicate ``r`` uses the same seed at every point (common random numbers, as in
:mod:`dyadsim.sweep` and ``dyadsim run --reps R --seed ROOT``), so differences between
points come from the parameters rather than from different noise, and the whole analysis
depends only on its inputs and ``root_seed``.

Outputs (the ``output`` argument):

``trap``          share of replicates whose outcome is one of
                  :data:`dyadsim.outcomes.TRAP_OUTCOMES`.
an outcome class  share of replicates in that class (:data:`dyadsim.outcomes.OUTCOMES`).
a metric          mean over replicates of a metric in :data:`dyadsim.outcomes.METRIC_NAMES`,
                  ignoring NaN values (e.g. ``time_to_escalation`` of a run that never
                  escalated).

Replicate noise inflates the variance of the output and biases every index towards zero
(it is variance no parameter explains); raise ``reps`` when the indices are small or their
confidence intervals wide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from dyadsim import outcomes, summary
from dyadsim.params import ParamError, lookup, make_params
from dyadsim.runner import Replicates, run_replicates

COLUMNS: tuple[str, ...] = ("parameter", "S1", "S1_conf", "ST", "ST_conf")
"""Columns of the table :func:`sensitivity` returns."""

CHUNK_RUNS = 50_000
"""At most this many model runs per :func:`dyadsim.batch.run_batch` call."""

TRAP = summary.TRAP


def output_names() -> tuple[str, ...]:
    """Every allowed ``output``: ``trap``, the outcome classes, then the metrics."""
    return (TRAP, *outcomes.OUTCOMES, *outcomes.METRIC_NAMES)


def _check_output(output: str) -> None:
    if output not in output_names():
        raise ValueError(
            f"unknown output {output!r}; allowed: {TRAP!r} (share in "
            f"{' or '.join(outcomes.TRAP_OUTCOMES)}), an outcome class "
            f"({', '.join(outcomes.OUTCOMES)}) or a metric "
            f"({', '.join(outcomes.METRIC_NAMES)})"
        )


def _check_bounds(bounds: Mapping[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Validate ``bounds`` against the registry; return them as plain float pairs."""
    if not bounds:
        raise ParamError("sensitivity needs at least 1 parameter with bounds, got none")
    checked: dict[str, tuple[float, float]] = {}
    for name, pair in bounds.items():
        param = lookup(name)  # raises ParamError for an unknown name
        if not param.sweepable:
            raise ParamError(
                f"parameter {name!r} cannot be a sensitivity axis (it is not sweepable); "
                f"set it with `fixed` instead. `dyadsim params` lists the sweepable ones"
            )
        try:
            low, high = pair
        except (TypeError, ValueError):
            raise ParamError(
                f"bounds for {name!r}: expected a (low, high) pair, got {pair!r}; "
                f"allowed: {param.allowed()}"
            ) from None
        low, high = float(param.check(low)), float(param.check(high))
        if not low < high:
            raise ParamError(
                f"bounds for {name!r}: low {low:g} must be below high {high:g}; "
                f"allowed: {param.allowed()}"
            )
        checked[name] = (low, high)
    return checked


def _reduce(done: Replicates, output: str) -> np.ndarray:
    """One value per design point from its replicates."""
    if output == TRAP or output in outcomes.OUTCOMES:
        return done.summary().shares[output]
    values = done.metrics[:, outcomes.METRIC_NAMES.index(output)].reshape(-1, done.reps)
    empty = np.isnan(values).all(axis=1)
    if empty.any():
        raise ValueError(
            f"output {output!r} is NaN in all {done.reps} replicates of at least one design "
            f"point (e.g. time_to_escalation when no run escalates), so its mean is "
            f"undefined; choose another output, e.g. 'trap_entered' or 'trap'"
        )
    return np.nanmean(values, axis=1)


def _run_model(
    names: list[str], X: np.ndarray, lows: np.ndarray, highs: np.ndarray,
    fixed: Mapping[str, Any], output: str, reps: int, root_seed: int, steps: int,
    threads: int | None,
) -> np.ndarray:
    """Run ``reps`` replicates of every design point, in chunks of whole points."""
    n_points = X.shape[0]
    X = np.clip(X, lows, highs)  # guard against rounding just outside the registry range
    per_chunk = max(1, CHUNK_RUNS // reps)
    Y = np.empty(n_points)
    for start in range(0, n_points, per_chunk):
        stop = min(start + per_chunk, n_points)
        done = run_replicates(fixed, reps=reps, root_seed=root_seed, steps=steps,
                              varying={name: X[start:stop, j] for j, name in enumerate(names)},
                              threads=threads)
        Y[start:stop] = _reduce(done, output)
    return Y


def sensitivity(
    bounds: Mapping[str, tuple[float, float]],
    output: str = TRAP,
    fixed: Mapping[str, Any] | None = None,
    base_samples: int = 256,
    reps: int = 20,
    root_seed: int | None = None,
    steps: int | None = None,
    confidence: float = 0.95,
    threads: int | None = None,
    evaluate: Callable[[np.ndarray], np.ndarray] | None = None,
) -> pd.DataFrame:
    """Sobol first-order and total indices of one output over parameter bounds.

    Args:
        bounds: Dotted registry names of sweepable parameters mapped to ``(low, high)``,
            with ``low < high`` inside the registry's range. Each is sampled uniformly.
        output: ``"trap"``, an outcome class or a metric name (see the module docstring
            and :func:`output_names`).
        fixed: Values of other parameters, by dotted name, for every run. Parameters
            derived from the traits follow each run's traits unless set here.
        base_samples: SALib's ``N``, a power of 2. The design has ``N * (D + 2)`` points.
        reps: Replicates per design point.
        root_seed: Seed of SALib's sampler and bootstrap and of every run (default
            ``run.seed`` from ``fixed`` or the registry).
        steps: Episodes per run; default ``run.steps`` from ``fixed`` or the registry.
        confidence: Confidence level of the bootstrap intervals.
        threads: Numba threads for the batch engine (default: all cores).
        evaluate: Instead of running the model, map the design matrix (shape
            ``(n_points, D)``, columns in the order of ``bounds``, values in the
            parameters' own units) to one output per point. For tests and known answers.

    Returns:
        One row per parameter, in the order of ``bounds``, with columns ``parameter``,
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (the ``_conf`` columns are half-widths
        of the confidence intervals). ``attrs`` holds the provenance: ``output``,
        ``bounds``, ``fixed``, ``base_samples``, ``reps``, ``root_seed``, ``steps``,
        ``confidence``, ``n_points`` and ``n_runs`` (model runs; 0 with ``evaluate``).

    Raises:
        ParamError: For a bad parameter name, bound or fixed value; the message names the
            key, the value and what is allowed.
        ValueError: For an unknown output, bad sampling settings, or an output that is
            undefined (all NaN at a point) or constant over the whole design.
    """
    _check_output(output)
    checked = _check_bounds(bounds)
    fixed = dict(fixed or {})
    both = sorted(set(fixed) & set(checked))
    if both:
        raise ParamError(f"parameter(s) {', '.join(map(repr, both))} given both in `fixed` "
                         f"and in `bounds`; give each in one place")
    base = make_params(fixed)  # validates `fixed`
    if isinstance(base_samples, bool) or not isinstance(base_samples, int) or (
            base_samples < 2 or base_samples & (base_samples - 1)):
        raise ValueError(f"base_samples must be a power of 2 (at least 2), got {base_samples!r}")
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
        raise ValueError(f"reps must be a whole number >= 1, got {reps!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    steps = int(base["run.steps"]) if steps is None else int(lookup("run.steps").check(steps))
    root_seed = int(base["run.seed"]) if root_seed is None else root_seed

    names = list(checked)
    lows = np.array([checked[n][0] for n in names])
    highs = np.array([checked[n][1] for n in names])
    problem = {"num_vars": len(names), "names": names,
               "bounds": [list(checked[n]) for n in names]}
    X = sobol_sample.sample(problem, base_samples, calc_second_order=False, seed=root_seed)
    n_points = X.shape[0]

    if evaluate is not None:
        Y = np.asarray(evaluate(X.copy()), dtype=float).reshape(-1)
        if Y.shape != (n_points,):
            raise ValueError(f"evaluate returned {Y.shape[0]} values for {n_points} points")
        if not np.isfinite(Y).all():
            raise ValueError("evaluate returned non-finite values")
        n_runs = 0
    else:
        Y = _run_model(names, X, lows, highs, fixed, output, reps, root_seed, steps, threads)
        n_runs = n_points * reps
    if np.ptp(Y) == 0.0:
        raise ValueError(
            f"output {output!r} is {Y[0]:g} at every design point, so it has no variance "
            f"to attribute; widen the bounds, run longer, or choose another output"
        )

    res = sobol_analyze.analyze(problem, Y, calc_second_order=False, conf_level=confidence,
                                seed=root_seed)
    table = pd.DataFrame({
        "parameter": names,
        "S1": np.asarray(res["S1"], dtype=float),
        "S1_conf": np.asarray(res["S1_conf"], dtype=float),
        "ST": np.asarray(res["ST"], dtype=float),
        "ST_conf": np.asarray(res["ST_conf"], dtype=float),
    }, columns=list(COLUMNS))
    table.attrs.update({
        "output": output,
        "bounds": checked,
        "fixed": {k: (v.item() if hasattr(v, "item") else v) for k, v in fixed.items()},
        "base_samples": base_samples,
        "reps": reps,
        "root_seed": root_seed,
        "steps": steps,
        "confidence": confidence,
        "n_points": int(n_points),
        "n_runs": int(n_runs),
    })
    return table

