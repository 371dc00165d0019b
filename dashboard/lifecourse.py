"""The life pages' data: one person's life course, and a population's summary, as JSON.

Everything is computed by the life engine (:mod:`dyadsim.life`), never here:

* a life: :func:`dyadsim.life.caregiving.grow_up` for the person's town (the caregiver,
  the learned trust, the Strange Situation class, the traits at 18), then
  :func:`dyadsim.life.lives.run_town` for the adult years (traits year by year, every
  relationship). The two series the engine keeps only at their ends, the child's trust over
  infancy and the Strange Situation's moments, are the same runs recorded more often: the
  caregiver-child row of :func:`dyadsim.life.caregiving.care_rows` on the batch engine with
  the person's infancy seed, and the procedure of :mod:`dyadsim.life.strange` with its
  seed (its scales and class read by :func:`dyadsim.life.strange.reunion_scales` and
  :func:`dyadsim.life.strange.classify`);
* a population: :func:`dyadsim.life.population.run_population` (its pairing matrix, random
  matching and the earned-security share).

Results are kept per settings (a small in-process cache), so a page drawn again, or a
callback called again with the same settings, computes nothing.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from dashboard import lifeview
from dyadsim.life import seeds as life_seeds
from dyadsim.life.params import life_params
from dyadsim.schema import TRAJECTORY_COLUMNS

YEAR = 365
#: Days between recorded rows of the infancy series: at most a week, and a divisor of the
#: days of infancy, so the last row is the end of infancy.
INFANCY_EVERY = 7


def record_every(days: int) -> int:
    """The largest divisor of ``days`` not above :data:`INFANCY_EVERY`."""
    return next(k for k in range(min(INFANCY_EVERY, days), 0, -1) if days % k == 0)
#: The Strange Situation's series drawn, by column, with their labels.
STRANGE_SERIES: dict[str, str] = {
    "partner_a.pursuit": "proximity seeking (pursuit)",
    "partner_a.received": "contact received",
    "partner_a.activation": "distress (activation)",
    "partner_a.withdrawal": "avoidance (withdrawal)",
}
SCALE_LABELS = ("proximity seeking", "contact maintaining", "resistance", "avoidance")
CLASS_NAMES = {"A": "avoidant", "B": "secure", "C": "resistant"}
_COLS = TRAJECTORY_COLUMNS[1:]


def _floats(values: Any) -> list[float]:
    return [float(v) for v in np.asarray(values, dtype=float).reshape(-1)]


def _infancy_series(seed: np.ndarray, life: dict[str, Any], sens: float, cons: float
                    ) -> dict[str, list[float]]:
    from dyadsim.batch import run_batch
    from dyadsim.life import caregiving

    days = int(life["child.infancy_days"])
    rows = caregiving.care_rows(np.array([float(life["child.anxiety0"])]),
                                np.array([float(life["child.avoidance0"])]),
                                np.array([sens]), np.array([cons]))
    every = record_every(days)
    result = run_batch(rows, life_seeds.derive(seed, life_seeds.INFANCY), days,
                       record_every=every, explicit=("partner_a.trust0",))
    traj = result.trajectories[0]
    keep = ~np.isnan(traj[:, 0])
    steps = np.arange(traj.shape[0]) * every
    return {"age": _floats(steps[keep] / YEAR),
            "trust": _floats(traj[keep, _COLS.index("partner_a.trust")]),
            "inconsistency": _floats(traj[keep, _COLS.index("partner_a.inconsistency")])}


def _strange(seed: np.ndarray, life: dict[str, Any], child: dict[str, Any]
             ) -> dict[str, Any]:
    from dyadsim.batch import run_batch
    from dyadsim.life import caregiving, strange

    rows = caregiving.care_rows(np.array(child["prototype"][:1]),
                                np.array(child["prototype"][1:]),
                                np.array([child["sensitivity"]]),
                                np.array([child["consistency"]]),
                                trust0=np.array([child["trust"]]))
    result = run_batch(rows, life_seeds.derive(seed, life_seeds.STRANGE), strange.steps(life),
                       record_every=1, timeline=strange.timeline(life),
                       explicit=("partner_a.trust0",))
    traj = result.trajectories
    scales = strange.reunion_scales(traj, life)
    code = int(strange.classify(scales)[0])
    e = int(life["strange.episode_steps"])
    return {
        "series": {label: _floats(traj[0, :, _COLS.index(col)])
                   for col, label in STRANGE_SERIES.items()},
        "episodes": [{"start": (k - 1) * e, "end": k * e, "label": name,
                      "away": k in strange.SEPARATIONS}
                     for k, name in enumerate(strange.EPISODES, start=1)],
        "scales": dict(zip(SCALE_LABELS, _floats(scales[0]), strict=True)),
        "class": strange.CLASSES[code],
        "engine_class": strange.CLASSES[int(child["strange"])],
    }


ENDED = {"partner": "they were left", "me": "they left", "": "still together at the end"}


def _relationships(rel: Any) -> list[dict[str, Any]]:
    out = []
    for number, row in enumerate(rel.sort_values("start_day").itertuples(index=False),
                                 start=1):
        out.append({
            "number": number, "partner": int(row.partner),
            "start_age": 18 + int(row.start_day) / YEAR,
            "end_age": 18 + int(row.end_day) / YEAR,
            "partner_anxiety": float(row.partner_anxiety),
            "partner_avoidance": float(row.partner_avoidance),
            "ended": ENDED[str(row.left_by)], "outcome": str(row.outcome),
        })
    return out


@functools.lru_cache(maxsize=32)
def _life_course(spec: str) -> str:
    from dyadsim.life import lives, population

    spec_ = json.loads(spec)
    life = life_params(lifeview.life_overrides(spec_["caregiver"], spec_["bias"]))
    seed, p = int(spec_["seed"]), int(spec_["person"])
    told = population.story(seed, life, person=p, years=lifeview.LIFE_YEARS,
                            town_size=lifeview.LIFE_TOWN)
    child = told["childhood"]
    own = life_seeds.person_seeds(seed, told["town"], lifeview.LIFE_TOWN)[
        p % lifeview.LIFE_TOWN: p % lifeview.LIFE_TOWN + 1]
    traits = told["traits"].sort_values("year")
    anx, avo = traits["anxiety"].to_numpy(), traits["avoidance"].to_numpy()
    styles = lives.style(anx[[0, -1]], avo[[0, -1]])
    course = {
        "spec": spec_, "town": lifeview.LIFE_TOWN,
        "caregiver": {"sensitivity": float(child["sensitivity"]),
                      "consistency": float(child["consistency"])},
        "infancy": _infancy_series(own, life, float(child["sensitivity"]),
                                   float(child["consistency"])),
        "learned": {"trust": float(child["trust"]),
                    "inconsistency": float(child["inconsistency"])},
        "prototype": _floats(child["prototype"]),
        "adult_start": _floats(child["adult"]),
        "childhood": {"age": _floats(np.arange(1, len(child["by_age"]) + 1)),
                      "anxiety": _floats(np.asarray(child["by_age"])[:, 0]),
                      "avoidance": _floats(np.asarray(child["by_age"])[:, 1])},
        "strange": _strange(own, life, child),
        "adult": {"age": _floats(18 + traits["year"].to_numpy()),
                  "anxiety": _floats(anx), "avoidance": _floats(avo)},
        "relationships": _relationships(told["relationships"]),
        "style_start": lives.STYLES[int(styles[0])], "style_end": lives.STYLES[int(styles[1])],
        "earned_security": bool(anx[0] >= lives.CUT and int(styles[1]) == 0),
    }
    return json.dumps(course)


def life_course(life: dict[str, Any]) -> dict[str, Any]:
    """One person's life (``life``: the view's checked ``life`` part), as plain data.

    Returns:
        A dict: ``caregiver`` (sensitivity, consistency), ``infancy`` (age in years, the
        child's trust and inconsistency), ``learned``, ``prototype`` and ``adult_start``
        (anxiety, avoidance), ``childhood`` (age 1 to 18, anxiety, avoidance year by year),
        ``strange`` (series by label over the procedure's steps,
        ``episodes``, ``scales``, ``class``), ``adult`` (age, anxiety, avoidance year by
        year from 18) and ``relationships`` (one dict each: ages, partner's traits at the
        start, how it ended and the outcome).

    Raises:
        ValueError: One line if ``life`` is not allowed (:func:`lifeview.check_part`).
    """
    checked = lifeview.check_part("life", life)
    return json.loads(_life_course(json.dumps(checked, sort_keys=True)))


def population_runs(spec: dict[str, Any], progress: Callable[[int, int], None] | None = None
                    ) -> dict[str, dict[str, Any]]:
    """The town of ``spec`` (the view's ``population`` part) at its bias and at bias 0.

    Returns:
        ``{"biased": ..., "random": ...}``, each a dict with ``bias``, ``styles``,
        ``observed`` and ``random`` (the shares of couples by the two partners' styles,
        symmetric, and what random matching of the same partners would give), ``earned``
        (the share of people anxious at 18 who are secure at the end; ``None`` if nobody
        was anxious), ``anxious`` (how many), ``relationships_per_life``, ``single``
        (share of time single), ``people`` and ``seconds``. Under bias 0 both keys hold
        the same run.
    """
    checked = lifeview.check_part("population", spec)
    out: dict[str, dict[str, Any]] = {}
    biases = {"biased": checked["bias"], "random": 0.0}
    for done, (key, bias) in enumerate(biases.items()):
        if progress is not None:
            progress(done, len(biases))
        out[key] = json.loads(_population(json.dumps({**checked, "bias": bias},
                                                     sort_keys=True)))
    if progress is not None:
        progress(len(biases), len(biases))
    return out


@functools.lru_cache(maxsize=16)
def _population(spec: str) -> str:
    spec_ = json.loads(spec)
    start = time.perf_counter()
    summary = population_summary(spec_)
    summary["seconds"] = time.perf_counter() - start
    return json.dumps(summary)


def population_summary(spec: dict[str, Any]) -> dict[str, Any]:
    """One run of the population engine for a checked spec, as plain data."""
    from dyadsim.life import lives, population

    life = life_params({lifeview.BIAS: spec["bias"]})
    summary = population.run_population(int(spec["people"]), int(spec["years"]), life,
                                        int(spec["seed"]), origin=spec["origin"]).to_dict()
    pairing = summary["pairing"]
    styles = list(lives.STYLES)
    return {
        "bias": float(spec["bias"]), "styles": styles,
        "observed": [[pairing["observed"][r][c] for c in styles] for r in styles],
        "random": [[pairing["random"][r][c] for c in styles] for r in styles],
        "earned": summary["earned_security"], "anxious": summary["anxious_at_18"],
        "relationships_per_life": summary["relationships_per_life"],
        "single": summary["share_of_time_single"], "people": summary["n"],
    }
