"""Resolving parameter values: for one run, and for many runs at once.

The parameters themselves (names, defaults, bounds, trait mappings) are declared once in
:mod:`dyadsim.registry`. This module turns settings into values: :func:`make_params` gives
one run's every value (defaults, then explicit settings, then derived gains that follow the
traits); :func:`param_matrix` does the same for many runs, one row each, in registry order
(the columns of :data:`dyadsim.schema.PARAM_NAMES`). Errors name the key, the value and
what is allowed.

The registry's names are re-exported here, so ``from dyadsim.params import REGISTRY`` keeps
working.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dyadsim.registry import (
    PARTNER_FIELDS,
    PARTNERS,
    REGISTRY,
    TRAIT_DEFAULTS,
    Linear,
    Param,
    ParamError,
    Value,
    entry,
)

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "PARTNERS",
    "PARTNER_FIELDS",
    "REGISTRY",
    "TRAIT_DEFAULTS",
    "Linear",
    "Param",
    "ParamError",
    "Value",
    "check_overrides",
    "column",
    "derived_value",
    "iter_params",
    "lookup",
    "make_params",
    "param_matrix",
    "parse_assignment",
    "partner_values",
    "row_values",
]


def lookup(key: str) -> Param:
    """Return the registry entry for ``key``, or raise ParamError naming close matches."""
    return entry(REGISTRY, key, "parameter", f"`dyadsim params` lists all {len(REGISTRY)}")


def derived_value(param: Param, anxiety: Any, avoidance: Any) -> Any:
    """Evaluate a derived parameter from the traits, clipped to its bounds.

    Works on floats and NumPy arrays, so the batch engine can derive per-dyad values.
    """
    assert param.derive is not None
    raw = param.derive(anxiety, avoidance)
    if isinstance(raw, float | int):
        return min(max(float(raw), param.low), param.high)
    import numpy as np

    return np.clip(raw, param.low, param.high)


def check_overrides(overrides: Mapping[str, Any]) -> dict[str, Value]:
    """Validate explicit settings: known keys, values of the right kind and in range."""
    return {key: lookup(key).check(value) for key, value in overrides.items()}


def make_params(overrides: Mapping[str, Any] | None = None) -> dict[str, Value]:
    """Return every parameter's value: defaults, then overrides, then derived values.

    Args:
        overrides: Explicit settings by dotted name. Strings are parsed as numbers, so
            ``{"partner_a.anxiety": "0.7"}`` from a command line is accepted.

    Returns:
        A dict with one entry per registry parameter, in registry order. A derived
        parameter that is not set explicitly follows its partner's traits.

    Raises:
        ParamError: On an unknown key or a value that is not allowed; the message names
            the key, the value and what is allowed.
    """
    explicit = check_overrides(overrides or {})
    values: dict[str, Value] = {}
    for name, param in REGISTRY.items():
        if name in explicit:
            values[name] = explicit[name]
        elif param.default is not None:
            values[name] = param.default
    for name, param in REGISTRY.items():
        if name not in values:
            partner = param.group
            values[name] = derived_value(
                param, values[f"{partner}.anxiety"], values[f"{partner}.avoidance"]
            )
    return {name: values[name] for name in REGISTRY}


def parse_assignment(text: str) -> tuple[str, Value]:
    """Parse ``KEY=VALUE`` (as given to ``--set``) into a checked pair."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ParamError(f"expected KEY=VALUE, got {text!r} (for example "
                         f"partner_a.anxiety=0.7)")
    return key, lookup(key).check(value)


def partner_values(values: Mapping[str, Value], partner: str) -> dict[str, Value]:
    """The per-partner values of one partner, keyed by their short name."""
    return {field: values[f"{partner}.{field}"] for field in PARTNER_FIELDS}


def column(name: str) -> str:
    """A name for formats that forbid dots in identifiers (dots become ``_``)."""
    return name.replace(".", "_")


def iter_params(group: str | None = None) -> Iterable[Param]:
    """The registry's parameters, optionally only one group (``partner_a``, ``dyad``...)."""
    return (p for p in REGISTRY.values() if group is None or p.group == group)


def param_matrix(
    fixed: Mapping[str, Any] | None = None,
    varying: Mapping[str, Sequence[float] | np.ndarray] | None = None,
) -> np.ndarray:
    """Resolve parameters for many runs at once: one row per run, in registry order.

    ``fixed`` values apply to every row; ``varying`` gives one value per row for each named
    parameter (all the same length). Derived parameters follow each row's traits unless
    fixed or varied explicitly, exactly as :func:`make_params` does for one run (tested row
    by row). The columns are :data:`dyadsim.schema.PARAM_NAMES`: the registry's order.

    Raises:
        ParamError: For an unknown key or a value out of range, naming the key, the first
            offending value and the allowed range.
    """
    import numpy as np  # here, like derived_value's: importing dyadsim stays light

    base = make_params(fixed or {})
    varying = dict(varying or {})
    n = len(next(iter(varying.values()))) if varying else 1
    columns = {name: np.full(n, float(value)) for name, value in base.items()}
    for name, values in varying.items():
        param = lookup(name)
        arr = np.asarray(values, dtype=float).reshape(-1)
        if arr.shape[0] != n:
            raise ParamError(f"{name}: {arr.shape[0]} values, but other axes have {n}")
        if not param.sweepable:
            raise ParamError(f"parameter {name!r} cannot vary between runs of one batch; "
                             f"set it once instead")
        bad = ~((arr >= param.low) & (arr <= param.high))
        if bad.any():
            param.check(float(arr[bad][0]))  # raises with the registry's message
        columns[name] = arr
    explicit = set(fixed or {}) | set(varying)
    for name, param in REGISTRY.items():
        if param.derive is not None and name not in explicit:
            who = param.group
            if f"{who}.anxiety" in varying or f"{who}.avoidance" in varying:
                columns[name] = np.asarray(derived_value(
                    param, columns[f"{who}.anxiety"], columns[f"{who}.avoidance"]), float)
    return np.column_stack([columns[name] for name in REGISTRY])


def row_values(matrix: np.ndarray, i: int) -> dict[str, Value]:
    """Row ``i`` of a parameter matrix as a dict by name (ints where the registry says)."""
    return {name: (int(v) if param.kind is int else float(v))
            for (name, param), v in zip(REGISTRY.items(), matrix[i], strict=True)}
