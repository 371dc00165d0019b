"""The life pages' part of the view: one person's life, and a population's summary.

The view (:mod:`dashboard.view`) holds two small dicts beside the couple's settings:
``life`` (the Life course page: which person, the seed, the familiarity bias and the
caregiver) and ``population`` (the Population page: the bias, the number of people and
years, the seed). Every function here checks what it is given and either returns the
checked value or raises :class:`ValueError` with one line naming the key, the value and
what is allowed; the URL keys of both dicts are listed in :data:`QUERY_KEYS`.
"""

from __future__ import annotations

import copy
from typing import Any

from dashboard.view import DEFAULT_VIEW, check_seed, number, short
from dyadsim.life.params import LIFE_REGISTRY
from dyadsim.registry import ParamError

#: The caregivers the Life course page offers: a fixed (sensitivity, consistency), or
#: ``None`` for one drawn from the population's distribution (the registry's
#: caregiver.* means and spreads). The fixed ones are the lead's calibration probe
#: (notes: sensitive .9/.9, "consistently inconsistent" .85/.4, rejecting .25/.9).
CAREGIVERS: dict[str, tuple[float, float] | None] = {
    "population": None,
    "sensitive": (0.9, 0.9),
    "inconsistent": (0.85, 0.4),
    "rejecting": (0.25, 0.9),
}
CAREGIVER_LABELS: dict[str, str] = {
    "population": "Drawn from the population",
    "sensitive": "Sensitive",
    "inconsistent": "Consistently inconsistent",
    "rejecting": "Consistently rejecting",
}
#: Where the Population page's people come from at 18 (``dyadsim.life.population``'s
#: origins): their childhoods, or traits drawn uniformly (every style well represented).
ORIGINS: dict[str, str] = {"childhood": "From their childhoods",
                           "uniform": "Traits drawn uniformly at 18"}
BIAS = "life.familiarity_bias"
#: The people of the Life course page's town: the person shown is one of them.
LIFE_TOWN = 60
#: The years of adult life the Life course page shows (from 18).
LIFE_YEARS = 30
PERSON_RANGE = (0, LIFE_TOWN - 1)
#: The Population page's bounds: its largest run takes a few seconds on one core.
PEOPLE_RANGE = (20, 300)
YEARS_RANGE = (1, 30)

DEFAULT_LIFE: dict[str, Any] = DEFAULT_VIEW["life"]
DEFAULT_POPULATION: dict[str, Any] = DEFAULT_VIEW["population"]

#: URL key -> (view part, key in that part).
QUERY_KEYS: dict[str, tuple[str, str]] = {
    "life_person": ("life", "person"), "life_seed": ("life", "seed"),
    "life_bias": ("life", "bias"), "life_caregiver": ("life", "caregiver"),
    "pop_people": ("population", "people"), "pop_years": ("population", "years"),
    "pop_seed": ("population", "seed"), "pop_bias": ("population", "bias"),
    "pop_origin": ("population", "origin"),
}


def check_bias(key: str, value: Any) -> float:
    """A familiarity bias within the registry's range (``key`` names it in the message)."""
    param = LIFE_REGISTRY[BIAS]
    try:
        return float(param.check(number(key, value, param.low, param.high)))
    except (ValueError, ParamError):
        raise ValueError(f"{key} = {short(value)}: not allowed; allowed: "
                         f"{param.allowed()}") from None


def check_caregiver(key: str, value: Any) -> str:
    """One of :data:`CAREGIVERS`' names."""
    if not isinstance(value, str) or value not in CAREGIVERS:
        raise ValueError(f"{key} = {short(value)}: not allowed; allowed: "
                         + ", ".join(CAREGIVERS))
    return value


def check_part_value(part: str, key: str, value: Any, label: str | None = None) -> Any:
    """One checked value of the ``life`` or ``population`` part (``label`` names it)."""
    label = label or f"{part}.{key}"
    if key == "seed":
        try:
            return str(check_seed(value))
        except ValueError:
            raise ValueError(f"{label} = {short(value)}: not allowed; allowed: a whole "
                             "number in [0, 9223372036854775807]") from None
    if key == "bias":
        return check_bias(label, value)
    if part == "life" and key == "person":
        return number(label, value, *PERSON_RANGE, whole=True)
    if part == "life" and key == "caregiver":
        return check_caregiver(label, value)
    if part == "population" and key == "people":
        return number(label, value, *PEOPLE_RANGE, whole=True)
    if part == "population" and key == "years":
        return number(label, value, *YEARS_RANGE, whole=True)
    if part == "population" and key == "origin":
        if not isinstance(value, str) or value not in ORIGINS:
            raise ValueError(f"{label} = {short(value)}: not allowed; allowed: "
                             + ", ".join(ORIGINS))
        return value
    raise ValueError(f"{label}: unknown key; allowed: "
                     + ", ".join(DEFAULT_LIFE if part == "life" else DEFAULT_POPULATION))


def check_part(part: str, value: Any) -> dict[str, Any]:
    """The whole ``life`` or ``population`` part, rebuilt from checked values.

    Raises:
        ValueError: One line naming the first key not allowed.
    """
    defaults = DEFAULT_LIFE if part == "life" else DEFAULT_POPULATION
    if not isinstance(value, dict):
        raise ValueError(f"{part} = {short(value)}: not allowed; allowed: a mapping with "
                         + ", ".join(defaults))
    missing = [k for k in defaults if k not in value]
    unknown = [k for k in value if k not in defaults]
    if missing or unknown:
        bad = missing[0] if missing else short(unknown[0])
        raise ValueError(f"{part}.{bad}: {'missing' if missing else 'unknown key'}; "
                         f"allowed: " + ", ".join(defaults))
    return {k: check_part_value(part, k, value[k]) for k in defaults}


def set_value(view: dict[str, Any], part: str, key: str, value: Any,
              label: str | None = None) -> tuple[dict[str, Any], str]:
    """The view with one value of ``life`` or ``population`` changed, and a message."""
    try:
        checked = check_part_value(part, key, value, label)
    except ValueError as err:
        return view, str(err)
    new = copy.deepcopy(view)
    new[part] = {**new[part], key: checked}
    return new, ""


def to_pairs(view: dict[str, Any]) -> list[tuple[str, str]]:
    """The two parts as URL query pairs (in :data:`QUERY_KEYS` order)."""
    pairs = []
    for key, (part, name) in QUERY_KEYS.items():
        value = view[part][name]
        pairs.append((key, repr(value) if isinstance(value, float) else str(value)))
    return pairs


def apply_query(view: dict[str, Any], key: str, text: str) -> None:
    """Apply one URL key of :data:`QUERY_KEYS` to ``view`` in place (or raise one line)."""
    part, name = QUERY_KEYS[key]
    view[part][name] = check_part_value(part, name, text, label=key)


def life_overrides(caregiver: str, bias: float) -> dict[str, float]:
    """The life-course parameters a page runs with: the caregiver's and the bias."""
    out: dict[str, float] = {BIAS: bias}
    fixed = CAREGIVERS[caregiver]
    if fixed is not None:
        out.update({"caregiver.sensitivity_mean": fixed[0], "caregiver.sensitivity_sd": 0.0,
                    "caregiver.consistency_mean": fixed[1],
                    "caregiver.consistency_sd": 0.0})
    return out
