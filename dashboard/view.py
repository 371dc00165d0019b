"""The dashboard's view: everything a page shows, as one JSON-able dict in a dcc.Store.

The view is the single source of truth for the controls, the runs and the shareable URL.
It holds the scenario (a library name, or the text of an uploaded file), the parameters
set on top of it, the seed, the page and the sweep and compare settings. Every function
here is pure and raises nothing on bad input: it returns the view it could build and
one-line messages naming the key, the value and what is allowed.

A view resolves to a checked :class:`dyadsim.scenario.Scenario` (:func:`resolve`), which
both engines run, and which the TOML export writes. Its URL form is in
:mod:`dashboard.urlcodec`.
"""

from __future__ import annotations

import copy
import functools
import json
import math
from typing import Any

from dyadsim import outcomes
from dyadsim.params import REGISTRY, ParamError, lookup, make_params
from dyadsim.scenario import LIBRARY, Scenario, ScenarioError, loads
from dyadsim.scenario.library import library_entry

PAGES: tuple[str, ...] = ("couple", "sweep", "compare", "life", "population", "about")
#: The couple view runs on the Mesa engine in the server process; longer runs belong to
#: ``dyadsim run`` (a 5,000-day run takes about 2.5 s).
MAX_STEPS = 5000
POINTS_RANGE = (2, 41)
REPS_RANGE = (1, 200)
COMPARE_REPS_RANGE = (10, 400)
#: An uploaded scenario file's largest size, in bytes (in the page and on the server).
UPLOAD_LIMIT = 200_000
CURRENT = "current"
DEFAULT_NAMES = ("Sam", "Alex")

#: What the sweep heatmap can show: the trap share, each outcome's share, each metric.
SHOW_OPTIONS: tuple[str, ...] = ("trap", *outcomes.OUTCOMES, *outcomes.METRIC_NAMES)



def full_axis(name: str) -> dict[str, Any]:
    """A sweep axis over the parameter's whole range, as the registry gives it."""
    param = REGISTRY[name]
    return {"name": name, "low": float(param.low), "high": float(param.high)}


DEFAULT_VIEW: dict[str, Any] = {
    "page": "couple",
    "scenario": None,
    "upload": None,
    "set": {},
    # Seeds are kept as text: they go up to 2**63 - 1, and a JSON number in the browser is
    # a double, exact only to 2**53.
    "seed": str(REGISTRY["run.seed"].default or 0),
    "x": full_axis("partner_a.anxiety"),
    "y": full_axis("partner_b.avoidance"),
    "points": 21,
    "reps": 20,
    "show": "trap",
    "compare": {"a": "therapy_eft", "a_without": [], "b": "therapy_eft",
                "b_without": ["EFT"], "reps": 100},
    # The life pages' settings (checked in dashboard.lifeview)
    "life": {"person": 0, "seed": "1", "bias": 2.0, "caregiver": "population"},
    # Traits at 18 drawn uniformly by default: a childhood-grown town has few anxious people
    # (about 4%), too few for the earned-security chart (docs/MODEL.md §14, known limits).
    "population": {"people": 200, "years": 15, "seed": "1", "bias": 2.0,
                   "origin": "uniform"},
}


def default_view() -> dict[str, Any]:
    """A fresh copy of the default view (the default couple, on the couple page)."""
    return copy.deepcopy(DEFAULT_VIEW)


@functools.cache
def library_names() -> tuple[str, ...]:
    """The library scenarios' names, in file-name order."""
    return tuple(sorted(p.stem for p in LIBRARY.glob("*.toml")))


def library_scenario(name: Any) -> Scenario:
    """A library scenario by its name only (never a path), loaded once.

    Raises:
        ScenarioError: ``name`` is not a library scenario's name (one line).
    """
    if not isinstance(name, str) or name not in library_names():
        return library_entry(name)  # raises, naming the value and the library
    return _library_scenario(name)


@functools.cache
def _library_scenario(name: str) -> Scenario:
    return library_entry(name)


def short(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters: a value quoted in a message."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def default_scenario() -> Scenario:
    """The default couple: the registry's defaults, an anxious Sam and an avoidant Alex."""
    return Scenario(
        title="The default couple",
        summary="An anxious partner (Sam) and an avoidant partner (Alex), registry defaults.",
        description=("Sam is high in attachment anxiety, Alex high in avoidance: the classic "
                     "anxiety-avoidance pairing. Move the sliders to change either partner."),
        names=DEFAULT_NAMES, source="the default couple")


def base_scenario(view: dict[str, Any]) -> Scenario:
    """The view's scenario before its ``set`` values: library, uploaded, or the default.

    Raises:
        ScenarioError: The library name or the uploaded file is not valid.
    """
    if view.get("upload"):
        upload = view["upload"]
        text, name = upload.get("text"), upload.get("name") or "uploaded file"
        if not isinstance(text, str) or not isinstance(name, str) or len(
                text.encode("utf-8", "surrogatepass")) > UPLOAD_LIMIT:
            raise ScenarioError(f"upload: not a scenario file of at most {UPLOAD_LIMIT} "
                                "bytes; allowed: an uploaded TOML file")
        return loads(text, name[:200])
    if view.get("scenario"):
        return library_scenario(view["scenario"])
    return default_scenario()


def resolve(view: dict[str, Any]) -> Scenario:
    """The scenario the view runs: its base with the view's settings and seed applied.

    Raises:
        ScenarioError: A one-line message naming the key, the value and what is allowed.
    """
    scenario = base_scenario(view).with_overrides(
        {**view.get("set", {}), "run.seed": view["seed"]}, origin="setting")
    if scenario.steps > MAX_STEPS:
        raise ScenarioError(
            f"run.steps = {scenario.steps}: too long for the dashboard; allowed: a whole "
            f"number in [1, {MAX_STEPS}] (use `dyadsim run` for longer runs)")
    return scenario


def values(view: dict[str, Any]) -> dict[str, float]:
    """Every parameter's value in the view (derived ones following the traits)."""
    try:
        return make_params(resolve(view).params)
    except ScenarioError:
        return make_params(base_scenario_or_default(view).params)


def base_scenario_or_default(view: dict[str, Any]) -> Scenario:
    """:func:`base_scenario`, or the default couple if the base does not load."""
    try:
        return base_scenario(view)
    except ScenarioError:
        return default_scenario()


def explicit_keys(view: dict[str, Any]) -> set[str]:
    """The parameters set on purpose (by the scenario or the controls); others follow."""
    return (set(base_scenario_or_default(view).params) | set(view.get("set", {}))) - {
        "run.seed"}


# --- Changing the view ----------------------------------------------------------------------


def set_param(view: dict[str, Any], name: str, value: Any) -> tuple[dict[str, Any], str]:
    """Set one parameter (from a control); returns the new view and a message ('' if ok)."""
    if not isinstance(name, str) or len(name) > 100 or name == "run.seed":
        return view, f"parameter = {short(name)}: not allowed; allowed: a parameter's name"
    try:
        checked = lookup(name).check(value)
    except (ParamError, ValueError, OverflowError) as err:
        return view, (str(err) if isinstance(err, ParamError) else
                      f"parameter '{name}' = {short(value)}: not allowed; allowed: "
                      f"{lookup(name).allowed()}")
    new = copy.deepcopy(view)
    new["set"][name] = checked
    try:
        resolve(new)
    except ScenarioError as err:
        return view, str(err)
    return new, ""


def set_seed(view: dict[str, Any], value: Any) -> tuple[dict[str, Any], str]:
    """Set the seed; returns the new view and a message ('' if ok)."""
    try:
        seed = check_seed(value)
    except ValueError as err:
        return view, str(err)
    return {**view, "seed": str(int(seed))}, ""


#: A seed as text: at most this many digits (2**63 - 1 has 19).
SEED_DIGITS = 19


def check_seed(value: Any) -> int:
    """A seed: a whole number, or its digits as text, within the registry's range.

    Raises:
        ValueError: One line naming the value and what is allowed.
    """
    param = REGISTRY["run.seed"]
    text = value.strip() if isinstance(value, str) else None
    ok = (isinstance(value, int) and not isinstance(value, bool)) or (
        text is not None and 0 < len(text) <= SEED_DIGITS and text.isascii()
        and text.isdigit())
    refused = ValueError(f"seed = {short(value)}: not allowed; allowed: {param.allowed()}")
    if not ok:
        raise refused
    try:
        return int(param.check(int(value if text is None else text)))
    except ParamError:
        raise refused from None


def choose_scenario(view: dict[str, Any], name: str | None) -> tuple[dict[str, Any], str]:
    """Switch to a library scenario (``None``: the default couple), with its own seed."""
    if name and (not isinstance(name, str) or name not in library_names()):
        return view, (f"scenario = {short(name)}: not in the library; allowed: "
                      + ", ".join(library_names()))
    new = {**view, "scenario": name or None, "upload": None, "set": {}}
    new["seed"] = str(base_scenario(new).seed) if name else DEFAULT_VIEW["seed"]
    return new, ""


def upload_scenario(view: dict[str, Any], filename: str | None, text: str
                    ) -> tuple[dict[str, Any], str]:
    """Use an uploaded scenario file; a bad file leaves the view as it was."""
    source = filename[:200] if isinstance(filename, str) and filename else "uploaded file"
    size = len(text.encode("utf-8", "surrogatepass")) if isinstance(text, str) else -1
    if not 0 <= size <= UPLOAD_LIMIT:
        return view, (f"{source}: the file has {max(size, 0)} bytes; allowed: a TOML file of "
                      f"at most {UPLOAD_LIMIT} bytes")
    try:
        scenario = loads(text, source)
    except ScenarioError as err:
        return view, str(err)
    if scenario.steps > MAX_STEPS:
        return view, (f"{source}: run.steps = {scenario.steps}: too long for the dashboard; "
                      f"allowed: a whole number in [1, {MAX_STEPS}]")
    new = {**view, "scenario": None, "upload": {"name": source, "text": text}, "set": {},
           "seed": str(scenario.seed)}
    return new, ""


def restore_defaults(view: dict[str, Any]) -> dict[str, Any]:
    """Drop the settings made on top of the scenario (keep the scenario and page)."""
    base = base_scenario_or_default(view)
    return {**view, "set": {}, "seed": str(base.seed) if view.get("scenario") or view.get(
        "upload") else DEFAULT_VIEW["seed"]}


# --- Sweep and compare settings --------------------------------------------------------------


def number(key: str, text: Any, low: float, high: float, whole: bool = False) -> float:
    """A typed number within ``[low, high]`` (whole if asked).

    Raises:
        ValueError: One line naming the key, the value and what is allowed.
    """
    try:
        value = math.nan if isinstance(text, bool) else float(text)
    except (TypeError, ValueError, OverflowError):
        value = math.nan
    ok = math.isfinite(value) and low <= value <= high and (not whole or value.is_integer())
    if not ok:
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{key} = {short(text)}: not allowed; allowed: {kind} in "
                         f"[{low:g}, {high:g}]")
    return int(value) if whole else value


def check_axis(key: str, name: Any, low: Any = None, high: Any = None) -> dict[str, Any]:
    """One sweep axis, checked against the registry (bounds default to the parameter's).

    Raises:
        ValueError: One line naming the key, the value and what is allowed.
    """
    param = REGISTRY.get(name) if isinstance(name, str) else None
    if param is None or not param.sweepable:
        allowed = ", ".join(p.name for p in REGISTRY.values() if p.sweepable)
        raise ValueError(f"{key} = {short(name)}: not a sweepable parameter; allowed: {allowed}")
    lo = param.low if low in (None, "") else number(f"{key} low", low, param.low, param.high)
    hi = param.high if high in (None, "") else number(f"{key} high", high, param.low,
                                                       param.high)
    if lo >= hi:
        raise ValueError(f"{key} = {name}:{lo:g}:{hi:g}: the low end must be below the high "
                         f"end; allowed: {param.allowed()}")
    return {"name": param.name, "low": float(lo), "high": float(hi)}


def set_sweep(view: dict[str, Any], **changes: Any) -> tuple[dict[str, Any], str]:
    """Change sweep settings (``x``, ``y`` as dicts; ``points``, ``reps``, ``show``)."""
    new = copy.deepcopy(view)
    try:
        for key in ("x", "y"):
            if key in changes:
                axis = changes[key]
                if not isinstance(axis, dict):
                    raise ValueError(f"{key} axis = {short(axis)}: not allowed; allowed: "
                                     "a parameter's name and bounds")
                new[key] = check_axis(f"{key} axis", axis.get("name"), axis.get("low"),
                                      axis.get("high"))
        if "points" in changes:
            new["points"] = number("points", changes["points"], *POINTS_RANGE, whole=True)
        if "reps" in changes:
            new["reps"] = number("reps", changes["reps"], *REPS_RANGE, whole=True)
        if new["x"]["name"] == new["y"]["name"]:
            raise ValueError(f"x axis = y axis = {new['x']['name']}: not allowed; allowed: "
                             "two different parameters")
        if "show" in changes:
            if not isinstance(changes["show"], str) or changes["show"] not in SHOW_OPTIONS:
                raise ValueError(f"show = {short(changes['show'])}: not allowed; allowed: "
                                 + ", ".join(SHOW_OPTIONS))
            new["show"] = changes["show"]
    except ValueError as err:
        return view, str(err)
    return new, ""


def check_side(key: str, name: Any) -> str:
    """A compare side: a library scenario's name, or ``current`` (the couple page's)."""
    if isinstance(name, str) and (name == CURRENT or name in library_names()):
        return name
    raise ValueError(f"{key} = {short(name)}: not allowed; allowed: {CURRENT} (the couple "
                     f"page's settings) or a library scenario: " + ", ".join(library_names()))



def canonical(view: dict[str, Any], keys: tuple[str, ...]) -> str:
    """A stable JSON text of some of the view's keys (a cache key)."""
    return json.dumps({k: view.get(k) for k in keys}, sort_keys=True)
