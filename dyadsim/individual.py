"""People differ: each person's own gains and thresholds around what their traits predict.

Two people with the same anxiety and avoidance are not the same person. Every per-partner
parameter that is derived from the traits (:class:`dyadsim.registry.Linear`) gets a
person-level deviation drawn once, at the start of a run, from the run's own seed:

    value = clip(mapping(anxiety, avoidance) + s * span * z),   z ~ N(0, 1),

where ``s`` is ``dyad.individuality`` and ``span = |anxiety coefficient| + |avoidance
coefficient| + |both|`` is how far the traits can move that parameter, so ``s`` reads as a spread in
trait units: at 0.15 a person's threat threshold, pursuit gain and so on each sit where the
traits of someone about 0.15 more or less anxious or avoidant would put them, independently
of one another. Parameters set explicitly (a scenario's or a sweep's) are left as set, and
``s = 0`` leaves everyone exactly their traits.

The draws are counter-based (:mod:`dyadsim.streams`, at :data:`~dyadsim.streams.PERSON_STEP`),
so a person is the same in either engine, in any batch and on any worker.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from dyadsim import streams
from dyadsim.registry import PARTNER_FIELDS, PARTNERS, REGISTRY
from dyadsim.schema import PARAM_NAMES

_SPREAD = PARAM_NAMES.index("dyad.individuality")
_DERIVED: tuple[tuple[int, int, int, float, float, float], ...] = tuple(
    (k, f, PARAM_NAMES.index(f"{who}.{field}"),
     abs(REGISTRY[f"{who}.{field}"].derive.anxiety)
     + abs(REGISTRY[f"{who}.{field}"].derive.avoidance)
     + abs(REGISTRY[f"{who}.{field}"].derive.both),
     REGISTRY[f"{who}.{field}"].low, REGISTRY[f"{who}.{field}"].high)
    for k, who in enumerate(PARTNERS) for f, field in enumerate(PARTNER_FIELDS)
    if REGISTRY[f"{who}.{field}"].derive is not None
)
"""(partner, field position, column, span, low, high) of every derived parameter."""


def deviations(keys: np.ndarray, partner: int, field: int) -> np.ndarray:
    """The standard normal deviation of one derived field of one partner, per run key."""
    offset = streams.CHANNELS_PER_PARTNER * partner
    return np.asarray(streams.normal(keys, streams.PERSON_STEP + field,
                                     streams.NOISE_U1 + offset, streams.NOISE_U2 + offset))


def individualize(params: np.ndarray, keys: np.ndarray, explicit: Iterable[str] = ()
                  ) -> np.ndarray:
    """The parameter rows with each person's own deviations (a new array).

    Args:
        params: Parameter matrix, one row per run (columns :data:`PARAM_NAMES`).
        keys: Each run's stream key (:func:`dyadsim.streams.run_key` of its seed).
        explicit: Parameters set explicitly: they do not deviate.

    Returns:
        The matrix with every derived, not explicit, parameter moved by its person's
        deviation; the input itself when every row's ``dyad.individuality`` is 0.
    """
    spread = params[:, _SPREAD]
    if not np.any(spread > 0):
        return params
    fixed = set(explicit)
    keys = np.asarray(keys, dtype=np.uint64).reshape(-1)
    out = params.copy()
    for k, f, col, span, low, high in _DERIVED:
        if PARAM_NAMES[col] in fixed:
            continue
        z = deviations(keys, k, f)
        out[:, col] = np.clip(params[:, col] + spread * span * z, low, high)
    return out
