"""How reports say a run's numbers: the continuous indices beside the classes, times in days.

An outcome class is a threshold drawn through continuous quantities (see
:mod:`dyadsim.outcomes`), so every report that gives a class share gives these beside it:
the mean pursue-withdraw index, mean activation, closeness and satisfaction
(:data:`INDICES`). Metrics that count days (:func:`is_time_metric`) are said in days, with
weeks or months beside them (:mod:`dyadsim.timeunits`). The command line, the plots and
the dashboard all read their words from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from dyadsim import outcomes
from dyadsim.timeunits import months, span, weeks

INDICES: dict[str, str] = {
    "pursue_withdraw_index": "pursue-withdraw index",
    "mean_activation": "activation",
    "closeness": "closeness",
    "satisfaction": "satisfaction",
}
"""The continuous indices reported beside every class share (metric name -> words)."""

TIME_LABELS: dict[str, str] = {
    "time_to_escalation": "time to the trap",
    "dissolved_at": "time to break-up",
    "episode_length": "length of a pursue-withdraw wave",
}
"""Words for the metrics that count days; any other metric named ``time_*``, ``*_at`` or
``*_length`` counts days too (:func:`is_time_metric`)."""


def index_names() -> tuple[str, ...]:
    """The indices of :data:`INDICES` that the classifier computes, in report order."""
    return tuple(name for name in INDICES if name in outcomes.METRIC_NAMES)


def is_time_metric(name: str) -> bool:
    """Whether a metric counts days (a time to something, a day something happened, a length)."""
    return (name in TIME_LABELS or name.startswith("time_") or name.endswith("_at")
            or name.endswith("_length"))


def time_metrics() -> tuple[str, ...]:
    """The metrics that count days: times to something first, lengths last."""
    names = [name for name in outcomes.METRIC_NAMES if is_time_metric(name)]
    return tuple(sorted(names, key=lambda name: name.endswith("_length")))


def metric_unit(name: str) -> str:
    """A metric's unit as reports print it: ``"days"``, ``"waves"``, ``"share"`` or ``""``."""
    if is_time_metric(name):
        return "days"
    if name == "episodes":
        return "waves"
    if name == "trap_entered":
        return "share"
    return ""


def time_label(name: str) -> str:
    """Words for a time metric (``time_to_escalation`` -> ``"time to the trap"``)."""
    return TIME_LABELS.get(name, name.replace("_", " "))


def indices_text(means: Mapping[str, float], digits: int = 3) -> str:
    """The continuous indices in words: ``"pursue-withdraw index 0.183, activation 0.512, ..."``.

    Indices missing from ``means`` are left out; a NaN reads ``n/a``.
    """
    parts = []
    for name in index_names():
        if name in means:
            value = float(means[name])
            parts.append(f"{INDICES[name]} {value:.{digits}f}" if np.isfinite(value)
                         else f"{INDICES[name]} n/a")
    return ", ".join(parts)


def times_text(days: Sequence[float] | np.ndarray) -> str:
    """What a time metric says over runs: ``"median 23 days (3.3 weeks), in 18 of 20 runs"``.

    NaN means the thing never happened in that run; one run reads ``"23 days (3.3 weeks)"``
    or ``"never"``.
    """
    values = np.asarray(days, dtype=float).reshape(-1)
    finite = values[np.isfinite(values)]
    if values.size == 1:
        return span(float(values[0]))
    if finite.size == 0:
        return f"never, in {values.size} runs"
    return f"median {span(float(np.median(finite)))}, in {finite.size} of {values.size} runs"


def times_json(days: Sequence[float] | np.ndarray) -> dict[str, float | int | None]:
    """A time metric over runs as plain numbers: median, quartiles and weeks, in days."""
    values = np.asarray(days, dtype=float).reshape(-1)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"runs": 0, "of": int(values.size), "median_days": None, "q1_days": None,
                "q3_days": None, "median_weeks": None, "median_months": None}
    q1, median, q3 = (float(v) for v in np.percentile(finite, [25, 50, 75]))
    return {"runs": int(finite.size), "of": int(values.size), "median_days": median,
            "q1_days": q1, "q3_days": q3, "median_weeks": weeks(median),
            "median_months": months(median)}
