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

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(s) for s in (30, 27, 31, 11))
_TO_UNIT = 2.0**-53
_MASK64 = (1 << 64) - 1

# Channels: one per kind of draw and partner. Partner k (0 for A, 1 for B) adds 16 * k.
AMBIGUITY, LAPSE, NOISE_U1, NOISE_U2, EXIT = 0, 1, 2, 3, 4
CHANNELS_PER_PARTNER = 16


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
    u1 = 1.0 - np.asarray(uniform(key, step, channel_u1))  # in (0, 1]
    u2 = np.asarray(uniform(key, step, channel_u2))
    z = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
    return float(z) if np.ndim(key) == 0 else z


def replicate_seeds(root_seed: int, n: int) -> list[int]:
    """Seeds for ``n`` replicates, spawned from ``root_seed`` with NumPy's SeedSequence.

    Replicate ``i`` gets the same seed whatever ``n`` is, so a run of 10 replicates is
    the first 10 of a run of 200. Each seed is a plain non-negative int that reproduces
    its replicate alone (``DyadModel(rng=seed)``).
    """
    children = np.random.SeedSequence(root_seed).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
