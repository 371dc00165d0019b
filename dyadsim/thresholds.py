"""The outcome classifier's thresholds: their defaults, and a checked vector of them.

The classifier (:mod:`dyadsim.outcomes`) reads every threshold from a float64 vector whose
positions are :data:`THRESHOLD_NAMES`, so that it stays one Numba-compilable function and
recorded runs can be classified again under other thresholds
(:func:`dyadsim.outcomes.reclassify`). The module constants are the defaults; what each
threshold means is in :mod:`dyadsim.outcomes` and ``docs/MODEL.md``.
"""

from __future__ import annotations

import numpy as np

PW_ON = 0.20
PW_OFF = 0.10
WINDOW = 0.4
MIN_WINDOW_STEPS = 20
ESCALATED_SHARE = 0.5
ESCALATED_ACTIVATION = 0.5
CYCLING_EPISODES = 2
MIN_GAP = 5
MIN_EPISODE = 5
WAVE_PEAK = 0.30
DISTANT_CLOSENESS = 0.30
SUSTAIN_STEPS = 20
"""Steps ``pw`` must stay at or above ``PW_ON`` to count as escalation (time to escalation)."""

THRESHOLD_NAMES: tuple[str, ...] = (
    "PW_ON", "PW_OFF", "WINDOW", "MIN_WINDOW_STEPS", "ESCALATED_SHARE", "ESCALATED_ACTIVATION",
    "CYCLING_EPISODES", "MIN_GAP", "MIN_EPISODE", "WAVE_PEAK", "DISTANT_CLOSENESS",
    "SUSTAIN_STEPS",
)
"""The classifier's thresholds, in the order of a threshold vector (see :func:`thresholds`)."""
(_I_PW_ON, _I_PW_OFF, _I_WINDOW, _I_MIN_WINDOW, _I_ESC_SHARE, _I_ESC_ACT, _I_CYC_EPISODES,
 _I_MIN_GAP, _I_MIN_EPISODE, _I_WAVE_PEAK, _I_DISTANT, _I_SUSTAIN) = range(len(THRESHOLD_NAMES))
THRESHOLDS: np.ndarray = np.array(
    [PW_ON, PW_OFF, WINDOW, MIN_WINDOW_STEPS, ESCALATED_SHARE, ESCALATED_ACTIVATION,
     CYCLING_EPISODES, MIN_GAP, MIN_EPISODE, WAVE_PEAK, DISTANT_CLOSENESS, SUSTAIN_STEPS],
    dtype=np.float64)
"""The default threshold vector (read-only), positions as in :data:`THRESHOLD_NAMES`."""
THRESHOLDS.setflags(write=False)

_COUNTS = frozenset({"MIN_WINDOW_STEPS", "CYCLING_EPISODES", "MIN_GAP", "MIN_EPISODE",
                     "SUSTAIN_STEPS"})
"""Thresholds that count steps or waves: whole numbers >= 1. ``WINDOW`` is a share of the run
in (0, 1]; the others are levels of a 0-1 quantity (a signal, a share, an activation,
closeness) in [0, 1]."""


def _allowed(name: str) -> str:
    if name in _COUNTS:
        return "a whole number >= 1"
    if name == "WINDOW":
        return "a share of the run in (0, 1]"
    return "a number in [0, 1]"


def _valid(name: str, value: float) -> bool:
    if not np.isfinite(value):
        return False
    if name in _COUNTS:
        return value >= 1 and value == np.floor(value)
    if name == "WINDOW":
        return 0 < value <= 1
    return 0 <= value <= 1


def thresholds(base: np.ndarray | None = None, **changes: float) -> np.ndarray:
    """A threshold vector: ``base`` (default :data:`THRESHOLDS`) with some values changed.

    Example: ``thresholds(PW_ON=0.15, PW_OFF=0.075)``. Names are those of
    :data:`THRESHOLD_NAMES`; levels (signals, shares, activation, closeness) lie in [0, 1],
    ``WINDOW`` in (0, 1], counts of steps or waves are whole numbers >= 1, and ``PW_OFF``
    may not exceed ``PW_ON`` (the episode would end before it began).

    Args:
        base: A threshold vector to start from (checked with the changes).
        **changes: New values by threshold name.

    Returns:
        A new, writable float64 vector in :data:`THRESHOLD_NAMES` order.

    Raises:
        ValueError: One line naming the key, the value and what is allowed.
    """
    th = np.array(THRESHOLDS if base is None else base, dtype=np.float64)
    if th.shape != THRESHOLDS.shape:
        raise ValueError(f"thresholds: base has shape {th.shape}; allowed: a vector of "
                         f"{len(THRESHOLD_NAMES)} values in THRESHOLD_NAMES order")
    for name, value in changes.items():
        if name not in THRESHOLD_NAMES:
            raise ValueError(f"threshold {name!r}: unknown; allowed: "
                             f"{', '.join(THRESHOLD_NAMES)}")
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise ValueError(f"threshold {name} = {value!r}: not a number; allowed: "
                             f"{_allowed(name)}")
        th[THRESHOLD_NAMES.index(name)] = float(value)
    for i, name in enumerate(THRESHOLD_NAMES):
        if not _valid(name, th[i]):
            raise ValueError(f"threshold {name} = {th[i]:g}: out of range; allowed: "
                             f"{_allowed(name)}")
    if th[_I_PW_OFF] > th[_I_PW_ON]:
        raise ValueError(f"threshold PW_OFF = {th[_I_PW_OFF]:g}: above PW_ON = "
                         f"{th[_I_PW_ON]:g}; allowed: at most PW_ON (set both, e.g. "
                         f"PW_OFF = PW_ON / 2)")
    return th


def threshold_dict(th: np.ndarray = THRESHOLDS) -> dict[str, float]:
    """A threshold vector as ``{name: value}`` (for reports)."""
    return dict(zip(THRESHOLD_NAMES, np.asarray(th, dtype=float).tolist(), strict=True))
