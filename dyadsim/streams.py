"""Counter-based random draws: every draw is a pure function of (run key, step, channel).

A run's random numbers do not depend on the order in which they are asked for, on how
many other dyads run beside it, or on which process runs it. That is what lets the Mesa
model and a lockstep batch engine give the same trajectory for the same seed. The mixer is
SplitMix64 (Steele, Lea & Flood 2014), applied twice; normal draws use Box-Muller.

All functions accept Python ints or NumPy integer arrays for ``key`` and return a float
(for a scalar key) or an array of the key's shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba.extending import register_jitable

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
_TO_UNIT = 2.0**-53
_MASK64 = (1 << 64) - 1

# Channels: one per kind of draw and partner. Partner k (0 for A, 1 for B) adds 16 * k.
AMBIGUITY, LAPSE, NOISE_U1, NOISE_U2, EXIT, LIFE_EVENT, REPAIR = 0, 1, 2, 3, 4, 5, 6
CHANNELS_PER_PARTNER = 16
PERSON_STEP = 1 << 40
"""The counter "step" of a person's own draws (their deviations from the trait mappings):
far beyond any run's days, so they never meet a day's draws."""


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on a uint64 array (wrapping arithmetic)."""
    z = z + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def run_key(seed: Any) -> Any:
    """The stream key of a run with this seed (an int, or an array of ints)."""
    scalar = np.ndim(seed) == 0
    arr = np.atleast_1d(np.asarray(seed, dtype=np.uint64))
    out = _mix(arr)
    return int(out[0]) if scalar else out


def uniform(key: Any, step: int, channel: int) -> Any:
    """A uniform draw in [0, 1) for (key, step, channel)."""
    scalar = np.ndim(key) == 0
    keys = np.atleast_1d(np.asarray(key, dtype=np.uint64))
    counter = np.uint64(((int(step) << 8) | int(channel)) & _MASK64)
    z = _mix(keys ^ _mix(np.atleast_1d(counter)))
    u = (z >> _S11).astype(np.float64) * _TO_UNIT
    return float(u[0]) if scalar else u


def normal(key: Any, step: int, channel_u1: int, channel_u2: int) -> Any:
    """A standard normal draw for (key, step) from two uniform channels (Box-Muller)."""
    z = box_muller(np.asarray(uniform(key, step, channel_u1)),
                   np.asarray(uniform(key, step, channel_u2)))
    return float(z) if np.ndim(key) == 0 else z


def replicate_seeds(root_seed: int, n: int) -> list[int]:
    """Seeds for ``n`` replicates, spawned from ``root_seed`` with NumPy's SeedSequence.

    Replicate ``i`` gets the same seed whatever ``n`` is, so a run of 10 replicates is
    the first 10 of a run of 200. Each seed is a plain non-negative int that reproduces
    its replicate alone (``DyadModel(rng=seed)``).
    """
    children = np.random.SeedSequence(root_seed).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def run_seeds(root_seed: int, reps: int) -> list[int]:
    """The seeds of ``reps`` replicates from a root seed, as every command uses them.

    One replicate uses the root seed itself (so ``--seed S`` and ``DyadModel(rng=S)`` give
    the same run); more are spawned with :func:`replicate_seeds`.
    """
    return [int(root_seed)] if reps == 1 else replicate_seeds(root_seed, reps)


# --- Scalar forms for compiled code ------------------------------------------------------
# The batch engine's Numba kernel draws one number at a time with these. They compute the
# same bits as the array functions above (tested), but in plain Python they would warn on
# the wrapping uint64 arithmetic that Numba does silently: call the array functions there.


@register_jitable
def _mix_scalar(z: Any) -> Any:
    z = z + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@register_jitable
def counter_mix(step: int, channel: int) -> Any:
    """The key-independent half of a draw: the mixed (step, channel) counter.

    Compiled code that draws for many keys at the same (step, channel) can compute it once
    (:func:`counter_table`) and call :func:`uniform_mixed`.
    """
    return _mix_scalar((np.uint64(step) << np.uint64(8)) | np.uint64(channel))


@register_jitable
def uniform_mixed(key: Any, mixed_counter: Any) -> float:
    """:func:`uniform` for one uint64 key and a counter from :func:`counter_mix`."""
    z = _mix_scalar(key ^ mixed_counter)
    return np.float64(z >> _S11) * _TO_UNIT


@register_jitable
def uniform_scalar(key: Any, step: int, channel: int) -> float:
    """:func:`uniform` for one uint64 key, for compiled code."""
    return uniform_mixed(key, counter_mix(step, channel))


@register_jitable
def normal_scalar(key: Any, step: int, channel_u1: int, channel_u2: int) -> float:
    """:func:`normal` for one uint64 key, for compiled code."""
    return box_muller(uniform_scalar(key, step, channel_u1),
                      uniform_scalar(key, step, channel_u2))


@register_jitable
def box_muller(u1: float, u2: float) -> float:
    """A standard normal from two uniforms in [0, 1), as :func:`normal` computes it."""
    return np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * np.pi * u2)


def counter_table(steps: int) -> np.ndarray:
    """Mixed counters for steps ``0..steps`` and channels ``0..2*CHANNELS_PER_PARTNER-1``.

    Shape ``(steps + 1, 2 * CHANNELS_PER_PARTNER)``, uint64; row ``t``, column ``c`` holds
    :func:`counter_mix` ``(t, c)``.
    """
    t = np.arange(steps + 1, dtype=np.uint64)[:, None] << np.uint64(8)
    c = np.arange(2 * CHANNELS_PER_PARTNER, dtype=np.uint64)[None, :]
    return _mix(t | c)
