"""Many towns of lives: locally or on a Dask cluster, resumable, written to Parquet.

A population of ``people`` is cut into towns of ``town_size`` people (the last may be
smaller). People meet only within their town, and a town is a pure function of
(parameters, root seed, town index): its people's seeds are
:func:`dyadsim.life.seeds.person_seeds`, their childhoods
:func:`dyadsim.life.caregiving.grow_up` (or, with ``origin="uniform"``, traits at 18 drawn
uniformly on [0, 1] from each person's seed, the prototype equal to them: adult lives
without the childhood model), their adult lives :func:`dyadsim.life.lives.run_town`. So the
results are the same bit for bit here or on any Dask worker, and memory stays flat in the
population size: one town is held at a time, and the summary adds up small counts.

The output folder (``out``)::

    population.json            provenance: parameters, seed, sizes, dyadsim version
    people/town-00000.parquet  one file per town and table, written atomically
    relationships/...          (a folder of parts is one Parquet dataset:
    traits/...                  ``pandas.read_parquet(out / "people")``)
    done/town-00000.json       written last for each town: its rows and SHA-256s

After a kill, the same call skips every town with its ``done`` marker and files, and runs
the rest; a folder holding another population is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dyadsim import __version__
from dyadsim.files import write_atomic
from dyadsim.life import lives
from dyadsim.life import seeds as life_seeds
from dyadsim.life.params import life_params
from dyadsim.registry import Value

TOWN_SIZE = 1000
"""People per town by default (people meet only within their town)."""
MAX_PEOPLE = 2_000_000
"""Most people in one population."""
TABLES = ("people", "relationships", "traits")
ORIGINS = ("childhood", "uniform")
FORMAT = "dyadsim population 1"
UNIFORM_TAG = 11
"""The seed tag of the traits drawn with ``origin="uniform"``."""


@dataclass(frozen=True)
class Population:
    """What defines a population's results (and nothing else)."""

    people: int
    years: int
    seed: int
    life: Mapping[str, Value]
    dyad: Mapping[str, Value] = field(default_factory=dict)
    town_size: int = TOWN_SIZE
    origin: str = "childhood"

    def __post_init__(self) -> None:
        if not 2 <= int(self.people) <= MAX_PEOPLE:
            raise ValueError(f"people={self.people}: allowed 2 to {MAX_PEOPLE:,}")
        lives.check_size(min(self.town_size, self.people), self.years)
        if self.origin not in ORIGINS:
            raise ValueError(f"origin={self.origin!r}: allowed {', '.join(ORIGINS)}")
        if not 0 <= int(self.seed) < 2**63:
            raise ValueError(f"seed={self.seed}: allowed 0 to 2**63 - 1")

    @property
    def towns(self) -> int:
        """How many towns."""
        return -(-int(self.people) // int(self.town_size))

    def size(self, town: int) -> int:
        """The number of people in ``town``."""
        return min(int(self.town_size), int(self.people) - town * int(self.town_size))

    def identity(self) -> dict[str, Any]:
        """The population's definition, as JSON (the provenance checks it on resume)."""
        return {"format": FORMAT, "people": int(self.people), "years": int(self.years),
                "seed": int(self.seed), "town_size": int(self.town_size),
                "origin": self.origin, "life": dict(self.life), "dyad": dict(self.dyad),
                "version": __version__}


def origins(seeds: np.ndarray, life: Mapping[str, Value], origin: str
            ) -> tuple[np.ndarray, np.ndarray, Any]:
    """Traits at 18, prototypes, and the childhood (``None`` for ``"uniform"``)."""
    if origin == "uniform":
        u = np.stack([(life_seeds.derive(seeds, UNIFORM_TAG + k) >> np.uint64(11))
                      .astype(np.float64) * 2.0**-52 for k in (0, 1)], axis=1)
        return u, u.copy(), None
    from dyadsim.life.caregiving import grow_up  # H1's module; imported only when used

    child = grow_up(seeds, life)
    return np.asarray(child.adult, float), np.asarray(child.prototype, float), child


def run_one_town(pop: Population, town: int) -> dict[str, pd.DataFrame]:
    """One town's tables (a pure function of ``pop`` and ``town``)."""
    seeds = life_seeds.person_seeds(int(pop.seed), town, pop.size(town))
    start, proto, _ = origins(seeds, pop.life, pop.origin)
    result = lives.run_town(seeds, start, proto, pop.life, int(pop.years), town, pop.dyad)
    return {"people": result.people, "relationships": result.relationships,
            "traits": result.traits}


def town_counts(tables: Mapping[str, pd.DataFrame]) -> dict[str, np.ndarray]:
    """A town's small sums, from which the summary is built (they add over towns)."""
    people, rel = tables["people"], tables["relationships"]
    sa = lives.style(rel["anxiety_a"].to_numpy(), rel["avoidance_a"].to_numpy())
    sb = lives.style(rel["anxiety_b"].to_numpy(), rel["avoidance_b"].to_numpy())
    first = (rel["k_a"].to_numpy() == 0) & (rel["k_b"].to_numpy() == 0)
    pairs = np.zeros((4, 4))
    pairs_first = np.zeros((4, 4))
    np.add.at(pairs, (sa, sb), 1.0)
    np.add.at(pairs_first, (sa[first], sb[first]), 1.0)
    anxious = people["anxiety_start"].to_numpy() >= lives.CUT
    years = tables["traits"]["year"].max()
    return {
        "pairs": pairs, "pairs_first": pairs_first,
        "counts": np.array([len(people), len(rel), people["relationships"].sum(),
                            people["months_single"].sum(), len(people) * 12 * years,
                            anxious.sum(), people["earned_security"].sum(),
                            (people["style_end"] == "secure").sum()], dtype=float),
    }


COUNTS = ("people", "relationships", "relationships_lived", "months_single", "months",
          "anxious_at_18", "earned_security", "secure_at_end")


@dataclass
class Summary:
    """A population's summary (sums over towns)."""

    pop: Population
    pairs: np.ndarray
    pairs_first: np.ndarray
    counts: dict[str, float]
    tables: dict[str, pd.DataFrame] | None = None

    @staticmethod
    def matrix(pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Observed pairing shares (unordered couples) and random matching's shares."""
        sym = pairs + pairs.T
        total = sym.sum()
        if total == 0:
            return np.zeros((4, 4)), np.zeros((4, 4))
        share = sym / total
        margin = share.sum(axis=1)
        return share, np.outer(margin, margin)

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain JSON values."""
        obs, rnd = self.matrix(self.pairs)
        obs1, rnd1 = self.matrix(self.pairs_first)
        c = self.counts
        n_anx = c["anxious_at_18"]

        def table(m: np.ndarray) -> dict[str, dict[str, float]]:
            return {r: {s: round(float(m[i, j]), 6) for j, s in enumerate(lives.STYLES)}
                    for i, r in enumerate(lives.STYLES)}

        return {
            "n": int(c["people"]), "years": int(self.pop.years), "seed": int(self.pop.seed),
            "town_size": int(self.pop.town_size), "origin": self.pop.origin,
            "styles_cut": lives.CUT,
            "pairing": {"relationships": "all, partners' styles at the start of each",
                        "observed": table(obs), "random": table(rnd),
                        "first_relationships": {"observed": table(obs1),
                                                "random": table(rnd1)}},
            "relationships_per_life": c["relationships_lived"] / max(c["people"], 1),
            "share_of_time_single": c["months_single"] / max(c["months"], 1),
            "anxious_at_18": int(n_anx),
            "earned_security": c["earned_security"] / n_anx if n_anx else None,
            "secure_at_end": c["secure_at_end"] / max(c["people"], 1),
            "params": {**dict(self.pop.life), **dict(self.pop.dyad)},
        }


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def part(out: Path, table: str, town: int) -> Path:
    """The file of one town's table."""
    return out / table / f"town-{town:05d}.parquet"


def _done(out: Path, town: int) -> Path:
    return out / "done" / f"town-{town:05d}.json"


def is_done(out: Path, town: int) -> bool:
    """Whether a town's files are all there and match its ``done`` marker."""
    marker = _done(out, town)
    if not marker.is_file():
        return False
    try:
        saved = json.loads(marker.read_text())
        return all(part(out, t, town).is_file() and _sha(part(out, t, town)) == saved[t]
                   for t in TABLES)
    except (OSError, ValueError, KeyError):
        return False


def save_town(out: Path, town: int, tables: Mapping[str, pd.DataFrame]) -> None:
    """Write a town's tables atomically, then its ``done`` marker."""
    shas: dict[str, str] = {}
    for name in TABLES:
        def write(tmp: Path, frame: pd.DataFrame = tables[name], key: str = name) -> None:
            frame.to_parquet(tmp, index=False)
            shas[key] = _sha(tmp)

        write_atomic(part(out, name, town), write)
    write_atomic(_done(out, town), lambda p: p.write_text(json.dumps(shas)))


def open_folder(out: Path, pop: Population) -> None:
    """Write the provenance, or check that the folder holds this same population."""
    prov = out / "population.json"
    ident = json.loads(json.dumps(pop.identity()))
    if prov.exists():
        saved = json.loads(prov.read_text())
        if saved.get("identity") != ident:
            raise ValueError(f"out={out}: holds a different population; allowed: an empty "
                             f"folder or one with this same population (to resume)")
        return
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"out={out}: not empty and not a population; allowed: an empty or "
                         f"new folder")
    write_atomic(prov, lambda p: p.write_text(json.dumps(
        {"identity": ident, "tables": list(TABLES)}, indent=2)))


def _execute(pop: Population, todo: list[int], scheduler: str | None
             ) -> Iterator[tuple[int, dict[str, pd.DataFrame]]]:
    """Yield ``(town, tables)`` as towns finish, here or on a Dask cluster."""
    if scheduler:
        from dyadsim.sweep.backends import on_dask

        yield from on_dask(scheduler, run_one_town, [(t, (pop, t)) for t in todo])
        return
    for t in todo:
        yield t, run_one_town(pop, t)


def run_population(people: int, years: int, life: Mapping[str, Any] | None = None,
                   seed: int = 1, out: Path | str | None = None, scheduler: str | None = None,
                   town_size: int = TOWN_SIZE, dyad: Mapping[str, Any] | None = None,
                   origin: str = "childhood", keep: bool = False) -> Summary:
    """Run a population of lives; write it to ``out`` if given; return its summary.

    Args:
        people: How many people (all start single at 18).
        years: Years of adult life.
        life: Life-course settings (checked by :func:`dyadsim.life.params.life_params`).
        seed: The root seed.
        out: Output folder (resumable); ``None`` writes nothing.
        scheduler: A Dask scheduler address; ``None`` runs here.
        town_size: People per town.
        dyad: ``dyad.*`` settings for every couple.
        origin: ``"childhood"`` (H1's :func:`grow_up`) or ``"uniform"``.
        keep: Keep every town's tables in the summary (small populations only).

    Returns:
        The :class:`Summary`.
    """
    pop = Population(int(people), int(years), int(seed), life_params(life),
                     lives.check_dyad_overrides(dyad), int(town_size), origin)
    folder = Path(out) if out is not None else None
    todo = list(range(pop.towns))
    pairs, pairs_first, counts = np.zeros((4, 4)), np.zeros((4, 4)), np.zeros(len(COUNTS))
    kept: dict[int, dict[str, pd.DataFrame]] = {}

    def add(town: int, tables: Mapping[str, pd.DataFrame]) -> None:
        nonlocal counts
        c = town_counts(tables)
        pairs[:] += c["pairs"]
        pairs_first[:] += c["pairs_first"]
        counts = counts + c["counts"]
        if keep:
            kept[town] = dict(tables)

    if folder is not None:
        open_folder(folder, pop)
        done = [t for t in todo if is_done(folder, t)]
        for t in done:
            add(t, {name: pd.read_parquet(part(folder, name, t)) for name in TABLES})
        todo = [t for t in todo if t not in set(done)]
    for town, tables in _execute(pop, todo, scheduler):
        if folder is not None:
            save_town(folder, town, tables)
        add(town, tables)
    merged = None
    if keep:
        merged = {name: pd.concat([kept[t][name] for t in sorted(kept)], ignore_index=True)
                  for name in TABLES}
    return Summary(pop, pairs, pairs_first, dict(zip(COUNTS, counts.tolist(), strict=True)),
                   merged)


def story(seed: int, life: Mapping[str, Any] | None = None, person: int = 0,
          years: int = 30, town_size: int = TOWN_SIZE, origin: str = "childhood",
          dyad: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One person's life, for the dashboard: childhood, traits per year, relationships.

    The person is number ``person`` of a population with root seed ``seed`` and full towns
    of ``town_size`` (their town is run whole, since their partners come from it).

    Returns:
        ``{"person", "town", "childhood" (a dict, or None with origin "uniform"),
        "traits" (DataFrame: year, anxiety, avoidance, partnered), "relationships"
        (DataFrame: start_day, end_day, ended, left_by ("me", "partner" or ""), outcome,
        my and the partner's traits at the start, partner)}``.
    """
    if int(person) < 0:
        raise ValueError(f"person={person}: allowed 0 or more")
    pop = Population((int(person) // int(town_size) + 1) * int(town_size), int(years),
                     int(seed), life_params(life), lives.check_dyad_overrides(dyad),
                     int(town_size), origin)
    town, index = divmod(int(person), int(town_size))
    seeds = life_seeds.person_seeds(int(seed), town, pop.size(town))
    start, proto, child = origins(seeds, pop.life, origin)
    result = lives.run_town(seeds, start, proto, pop.life, pop.years, town, pop.dyad)
    rel = result.relationships
    mine = rel[(rel["a"] == index) | (rel["b"] == index)]
    me_a = mine["a"] == index
    rows = pd.DataFrame({
        "start_day": mine["start_day"], "end_day": mine["end_day"], "ended": mine["ended"],
        "left_by": np.where(~mine["ended"], "",
                            np.where((mine["left"] == "a") == me_a, "partner", "me")),
        "outcome": mine["outcome"],
        "partner": np.where(me_a, mine["b"], mine["a"]),
        "anxiety": np.where(me_a, mine["anxiety_a"], mine["anxiety_b"]),
        "avoidance": np.where(me_a, mine["avoidance_a"], mine["avoidance_b"]),
        "partner_anxiety": np.where(me_a, mine["anxiety_b"], mine["anxiety_a"]),
        "partner_avoidance": np.where(me_a, mine["avoidance_b"], mine["avoidance_a"]),
    }).reset_index(drop=True)
    traits = result.traits[result.traits["person"] == index][
        ["year", "anxiety", "avoidance", "partnered"]].reset_index(drop=True)
    childhood = None
    if child is not None:
        childhood = {name: (np.asarray(getattr(child, name))[index].tolist())
                     for name in ("sensitivity", "consistency", "trust", "inconsistency",
                                  "prototype", "adult", "strange", "by_age")}
    return {"person": int(person), "town": town, "childhood": childhood, "traits": traits,
            "relationships": rows}
