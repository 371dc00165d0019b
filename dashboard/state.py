"""The view and its URL codec under their former common name.

:mod:`dashboard.view` holds the view and :mod:`dashboard.urlcodec` its URL form; this
module re-exports both for code written against ``dashboard.state``
(:mod:`dashboard.compute`, ``experiments/bench_dashboard.py``).
"""

from __future__ import annotations

from dashboard.urlcodec import from_query, to_query
from dashboard.view import (
    COMPARE_REPS_RANGE,
    CURRENT,
    DEFAULT_NAMES,
    DEFAULT_VIEW,
    MAX_STEPS,
    PAGES,
    POINTS_RANGE,
    REPS_RANGE,
    SHOW_OPTIONS,
    base_scenario,
    base_scenario_or_default,
    canonical,
    check_axis,
    check_side,
    choose_scenario,
    default_scenario,
    default_view,
    explicit_keys,
    full_axis,
    library_names,
    library_scenario,
    number,
    resolve,
    restore_defaults,
    set_param,
    set_seed,
    set_sweep,
    upload_scenario,
    values,
)

__all__ = [
    "COMPARE_REPS_RANGE", "CURRENT", "DEFAULT_NAMES", "DEFAULT_VIEW", "MAX_STEPS", "PAGES",
    "POINTS_RANGE", "REPS_RANGE", "SHOW_OPTIONS", "base_scenario", "base_scenario_or_default",
    "canonical", "check_axis", "check_side", "choose_scenario", "default_scenario",
    "default_view", "explicit_keys", "from_query", "full_axis", "library_names",
    "library_scenario", "number", "resolve", "restore_defaults", "set_param", "set_seed",
    "set_sweep", "to_query", "upload_scenario", "values",
]
