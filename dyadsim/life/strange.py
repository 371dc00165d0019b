"""Ainsworth's Strange Situation on the model's rules, and the A/B/C classifier.

The procedure (Ainsworth, Blehar, Waters & Wall 1978) is eight episodes of separation and
reunion with the caregiver and a stranger. Here it is a :class:`dyadsim.timeline.Timeline`
on the ordinary caregiver-child dyad (child = partner A, caregiver = partner B), each
episode ``strange.episode_steps`` steps long. **A step here is a moment of the procedure
(seconds), not a day**: the same rules run at a finer grain, so the numbers read off it are
patterns of behaviour, not durations.

======  ===========================  ===========================================
 Ep.     Who is there                 In the model
======  ===========================  ===========================================
 1       caregiver, child, observer   baseline
 2       caregiver, child             baseline
 3       + stranger                   outside stress ``strange.stranger_stress``
 4       stranger (separation 1)      caregiver unavailable (``lapse_rate`` 1), stranger stress
 5       caregiver (reunion 1)        caregiver back, no outside stress
 6       child alone (separation 2)   caregiver unavailable, ``strange.alone_stress``
 7       stranger                     caregiver unavailable, stranger stress
 8       caregiver (reunion 2)        caregiver back, no outside stress
======  ===========================  ===========================================

The reunions (episodes 5 and 8) are read into Ainsworth's interactive scales (Ainsworth et
al. 1978, Appendix III; a 1-7 range, as the proximity-seeking scale's), each computed from
the child's recorded series as ``1 + 6 x`` with ``x`` in [0, 1]:

* proximity seeking: the child's pursuit (bids for the caregiver) in the first half of the
  reunion;
* contact maintaining: the comfort received while not turning away, ``received (1 - w)``;
* resistance: distress that contact does not soothe, ``activation * approach`` in the second
  half of the reunion (angry, ambivalent contact: still oriented to the caregiver, still
  upset);
* avoidance: the child's withdrawal (turning away, ignoring) over the reunion.

The classifier (:func:`classify`) follows the logic of Ainsworth's groups as described in
the table citing Ainsworth's interactive measures (see ``notes/literature16.md``): A is
lower proximity seeking and contact maintaining with proximity avoiding; C is contact
resisting; B is strong proximity seeking and contact maintaining with low resistance. The
cuts (:data:`AVOIDANCE_CUT`, :data:`RESISTANCE_CUT`, on the 1-7 scales) are chosen, not
measured. D (disorganized) is left out: its criteria (Main & Solomon 1990) are anomalies of
behaviour (freezing, contradictory approach and flight) that the model's one orientation
(approach vs withdrawal, with hysteresis) cannot show, and the text of the criteria was not
seen (``literature16.md``), so a D here would not be grounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from dyadsim.registry import Value
from dyadsim.schema import TRAJECTORY_COLUMNS
from dyadsim.stats import wilson_arrays
from dyadsim.timeline import Change, Timeline

CLASSES: tuple[str, ...] = ("A", "B", "C")
"""Ainsworth's groups: A avoidant, B secure, C resistant (ambivalent)."""
SECURE = CLASSES.index("B")

EPISODES: tuple[str, ...] = (
    "caregiver, child, observer", "caregiver and child", "stranger enters",
    "separation 1 (stranger)", "reunion 1", "separation 2 (alone)", "stranger returns",
    "reunion 2",
)
"""The eight episodes, in order."""
REUNIONS: tuple[int, int] = (5, 8)
SEPARATIONS: tuple[int, ...] = (4, 6, 7)

SCALES: tuple[str, ...] = ("proximity_seeking", "contact_maintaining", "resistance", "avoidance")
"""Ainsworth's interactive scales read from the reunions, each on 1-7."""
AVOIDANCE_CUT = 3.5
"""A: avoidance at or above this (on 1-7) and above resistance."""
RESISTANCE_CUT = 3.0
"""C: resistance at or above this (on 1-7), when not A."""

_COLS = TRAJECTORY_COLUMNS[1:]
_RECORD_BUDGET = 12_000_000
"""Recorded numbers per block of children (about 100 MB): the procedure runs in blocks, which
changes nothing (each child's run depends only on its seed)."""


def _col(name: str) -> int:
    return _COLS.index(f"partner_a.{name}")


def timeline(life: Mapping[str, Value]) -> Timeline:
    """The eight episodes as scheduled changes of the caregiver-child dyad (see module)."""
    e = int(life["strange.episode_steps"])

    def window(k: int) -> dict[str, int]:
        return {"start": (k - 1) * e + 1, "end": k * e + 1}

    stranger, alone = float(life["strange.stranger_stress"]), float(life["strange.alone_stress"])
    changes = [Change("partner_b.lapse_rate", "to", 1.0, origin=f"episode {k} (separation)",
                      **window(k)) for k in SEPARATIONS]
    changes += [
        Change("dyad.stress", "to", stranger, start=2 * e + 1, end=4 * e + 1,
               origin="episodes 3-4 (stranger)"),
        Change("dyad.stress", "to", alone, origin="episode 6 (alone)", **window(6)),
        Change("dyad.stress", "to", stranger, origin="episode 7 (stranger)", **window(7)),
    ]
    return Timeline(tuple(changes))


def steps(life: Mapping[str, Value]) -> int:
    """Steps of the whole procedure."""
    return 8 * int(life["strange.episode_steps"])


def reunion_scales(trajectories: np.ndarray, life: Mapping[str, Value]) -> np.ndarray:
    """Ainsworth's four interactive scales (1-7) from recorded runs of the procedure.

    Args:
        trajectories: ``(n, 8 e + 1, columns)`` from :func:`dyadsim.batch.run_batch` with
            ``record_every=1`` (row 0 is the state before the first step).
        life: The life-course parameters (for ``strange.episode_steps``).

    Returns:
        Shape ``(n, 4)``, columns :data:`SCALES`, averaged over the two reunions.
    """
    e = int(life["strange.episode_steps"])
    half = max(1, e // 2)
    out = np.zeros((trajectories.shape[0], len(SCALES)))
    for k in REUNIONS:
        ep = trajectories[:, 1 + (k - 1) * e: 1 + k * e, :]
        pursuit = ep[:, :, _col("pursuit")]
        withdrawal = ep[:, :, _col("withdrawal")]
        received = ep[:, :, _col("received")]
        distress = ep[:, half:, _col("activation")] * ep[:, half:, _col("approach")]
        out[:, 0] += pursuit[:, :half].mean(axis=1)
        out[:, 1] += (received * (1.0 - withdrawal)).mean(axis=1)
        out[:, 2] += distress.mean(axis=1)
        out[:, 3] += withdrawal.mean(axis=1)
    return 1.0 + 6.0 * np.clip(out / len(REUNIONS), 0.0, 1.0)


def classify(scales: np.ndarray) -> np.ndarray:
    """A, B or C (codes into :data:`CLASSES`) from the scales of :func:`reunion_scales`.

    A: avoidance at or above :data:`AVOIDANCE_CUT` and above resistance. Else C: resistance
    at or above :data:`RESISTANCE_CUT`. Else B.
    """
    avoid, resist = scales[:, 3], scales[:, 2]
    codes = np.full(scales.shape[0], SECURE, dtype=np.int8)
    is_a = (avoid >= AVOIDANCE_CUT) & (avoid > resist)
    codes[~is_a & (resist >= RESISTANCE_CUT)] = CLASSES.index("C")
    codes[is_a] = CLASSES.index("A")
    return codes


def observe(rows: np.ndarray, seeds: np.ndarray, life: Mapping[str, Value],
            explicit: tuple[str, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Run the procedure on caregiver-child parameter rows; return (codes, scales)."""
    from dyadsim.batch import run_batch

    n, every = rows.shape[0], steps(life)
    chunk = max(1, _RECORD_BUDGET // ((every + 1) * len(_COLS)))  # bounds the memory
    scales = np.empty((n, len(SCALES)))
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        result = run_batch(rows[lo:hi], seeds[lo:hi], every, record_every=1,
                           timeline=timeline(life), explicit=explicit)
        assert result.trajectories is not None
        scales[lo:hi] = reunion_scales(result.trajectories, life)
    return classify(scales), scales


@dataclass(frozen=True)
class Survey:
    """Class shares in a population of caregivers, and the sensitivity-security association.

    Attributes:
        n: Children observed.
        counts: Children per class, in :data:`CLASSES` order.
        shares: Their shares.
        low, high: Wilson 95% interval of each share.
        r: Point-biserial correlation of caregiver sensitivity with B (secure = 1).
    """

    n: int
    counts: np.ndarray
    shares: np.ndarray
    low: np.ndarray
    high: np.ndarray
    r: float


def summarize(codes: np.ndarray, sensitivity: np.ndarray) -> Survey:
    """Shares with Wilson 95% intervals and the sensitivity-security correlation."""
    n = int(codes.shape[0])
    counts = np.bincount(codes.astype(np.int64), minlength=len(CLASSES))
    low, high = wilson_arrays(counts, np.full(len(CLASSES), n))
    secure = (codes == SECURE).astype(float)
    if n > 1 and secure.std() > 0 and np.std(sensitivity) > 0:
        r = float(np.corrcoef(sensitivity, secure)[0, 1])
    else:
        r = float("nan")
    return Survey(n, counts, counts / max(n, 1), low, high, r)


def survey(n: int, life: Mapping[str, Value], seed: int = 0, town: int = 0) -> Survey:
    """The Strange Situation for ``n`` children of caregivers drawn from the distribution.

    Runs only infancy and the procedure (no childhood years): see
    :func:`dyadsim.life.caregiving.infancy`.
    """
    from dyadsim.life import caregiving
    from dyadsim.life.seeds import person_seeds

    seeds = person_seeds(seed, town, n)
    inf = caregiving.infancy(seeds, life)
    return summarize(inf.strange, inf.sensitivity)
