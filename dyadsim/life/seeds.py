"""Seeds of a life: every draw of a person's life is a pure function of the root seed.

A person is named by ``(root seed, town, index)``; each phase of their life (infancy, the
Strange Situation, each childhood year, each relationship) gets its own seed derived from
the person's, so a person's life is the same alone, in any batch, on any worker.
"""

from __future__ import annotations

import numpy as np

from dyadsim import streams

# Tags of the phases: derive(seed, TAG + k).
INFANCY, STRANGE, CHILDHOOD_YEAR, PERSON, MARKET, RELATIONSHIP = 1, 2, 100, 3, 4, 1000


def derive(seeds: np.ndarray | int, tag: int) -> np.ndarray:
    """A new seed (uint64, below 2**63) for phase ``tag`` of each seed, mixed (SplitMix64)."""
    s = np.asarray(seeds, dtype=np.uint64)
    salt = np.uint64((int(tag) * 0x9E3779B97F4A7C15) & ((1 << 64) - 1))
    mixed = streams.run_key(streams.run_key(s) ^ salt)
    return np.asarray(mixed, dtype=np.uint64) >> np.uint64(1)


def person_seeds(root: int, town: int, n: int) -> np.ndarray:
    """The seeds of the ``n`` people of ``town`` in a population with root seed ``root``."""
    base = derive(derive(np.uint64(root), 7), 1 + int(town))
    return derive(np.full(n, base, dtype=np.uint64), 0) ^ derive(np.arange(n, dtype=np.uint64), 5)
