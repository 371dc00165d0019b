"""The dashboard's view: everything a page shows, as one JSON-able dict.

The view is the single source of truth for the controls, the runs and the shareable URL.
It holds the scenario (a library name, or the text of an uploaded file), the parameters
set on top of it, the seed, the page and the sweep and compare settings. Every function
here is pure and raises nothing on bad input: it returns the view it could build and
one-line messages naming the key, the value and what is allowed.

A view resolves to a checked :class:`dyadsim.scenario.Scenario` (:func:`resolve`), which
both engines run, and which the TOML export writes.
"""

from __future__ import annotations

import copy
import functools
import json
import math
from typing import Any
from urllib.parse import parse_qsl, urlencode

from dyadsim import outcomes
from dyadsim.params import REGISTRY, ParamError, lookup, make_params
from dyadsim.scenario import LIBRARY, Scenario, ScenarioError, find, loads

PAGES: tuple[str, ...] = ("couple", "sweep", "compare", "about")
#: The couple view runs on the Mesa engine in the server process; longer runs belong to
#: ``dyadsim run`` (a 5,000-episode run takes about 2.5 s).
MAX_STEPS = 5000
POINTS_RANGE = (2, 41)
REPS_RANGE = (1, 200)
COMPARE_REPS_RANGE = (10, 400)
CURRENT = "current"
DEFAULT_NAMES = ("Sam", "Alex")

#: What the sweep heatmap can show: the trap share, each outcome's share, each metric.
SHOW_OPTIONS: tuple[str, ...] = ("trap", *outcomes.OUTCOMES, *outcomes.METRIC_NAMES)

DEFAULT_VIEW: dict[str, Any] = {
    "page": "couple",
    "scenario": None,
    "upload": None,
    "set": {},
    # Seeds are kept as text: they go up to 2**63 - 1, and a JSON number in the browser is
    # a double, exact only to 2**53.
    "seed": str(REGISTRY["run.seed"].default or 0),
    "x": {"name": "partner_a.anxiety", "low": 0.0, "high": 1.0},
    "y": {"name": "partner_b.avoidance", "low": 0.0, "high": 1.0},
    "points": 21,
    "reps": 20,
    "show": "trap",
    "compare": {"a": "therapy_eft", "a_without": [], "b": "therapy_eft",
                "b_without": ["EFT"], "reps": 100},
}

_QUERY_KEYS = ("page", "scenario", "seed", "x", "y", "points", "reps", "show",
               "a", "a_without", "b", "b_without", "compare_reps")


def default_view() -> dict[str, Any]:
    """A fresh copy of the default view (the default couple, on the couple page)."""
    return copy.deepcopy(DEFAULT_VIEW)


@functools.cache
def library_names() -> tuple[str, ...]:
    """The library scenarios' names, in file-name order."""
    return tuple(sorted(p.stem for p in LIBRARY.glob("*.toml")))


@functools.cache
def library_scenario(name: str) -> Scenario:
    """A library scenario by name, loaded once."""
    return find(name)


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
        return loads(upload["text"], upload.get("name") or "uploaded file")
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
    try:
        checked = lookup(name).check(value)
    except ParamError as err:
        return view, str(err)
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
        seed = lookup("run.seed").check(value)
    except ParamError as err:
        return view, str(err)
    return {**view, "seed": str(int(seed))}, ""


def choose_scenario(view: dict[str, Any], name: str | None) -> tuple[dict[str, Any], str]:
    """Switch to a library scenario (``None``: the default couple), with its own seed."""
    if name and name not in library_names():
        return view, (f"scenario = {name!r}: not in the library; allowed: "
                      + ", ".join(library_names()))
    new = {**view, "scenario": name or None, "upload": None, "set": {}}
    new["seed"] = str(base_scenario(new).seed) if name else DEFAULT_VIEW["seed"]
    return new, ""


def upload_scenario(view: dict[str, Any], filename: str | None, text: str
                    ) -> tuple[dict[str, Any], str]:
    """Use an uploaded scenario file; a bad file leaves the view as it was."""
    source = filename or "uploaded file"
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
        value = float(text)
    except (TypeError, ValueError):
        value = math.nan
    ok = math.isfinite(value) and low <= value <= high and (not whole or value.is_integer())
    if not ok:
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{key} = {text!r}: not allowed; allowed: {kind} in "
                         f"[{low:g}, {high:g}]")
    return int(value) if whole else value


def check_axis(key: str, name: Any, low: Any = None, high: Any = None) -> dict[str, Any]:
    """One sweep axis, checked against the registry (bounds default to the parameter's).

    Raises:
        ValueError: One line naming the key, the value and what is allowed.
    """
    param = REGISTRY.get(str(name))
    if param is None or not param.sweepable:
        allowed = ", ".join(p.name for p in REGISTRY.values() if p.sweepable)
        raise ValueError(f"{key} = {name!r}: not a sweepable parameter; allowed: {allowed}")
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
            if changes["show"] not in SHOW_OPTIONS:
                raise ValueError(f"show = {changes['show']!r}: not allowed; allowed: "
                                 + ", ".join(SHOW_OPTIONS))
            new["show"] = changes["show"]
    except ValueError as err:
        return view, str(err)
    return new, ""


def check_side(key: str, name: Any) -> str:
    """A compare side: a library scenario's name, or ``current`` (the couple page's)."""
    if name == CURRENT or name in library_names():
        return str(name)
    raise ValueError(f"{key} = {name!r}: not allowed; allowed: {CURRENT} (the couple "
                     f"page's settings) or a library scenario: " + ", ".join(library_names()))


# --- The URL ---------------------------------------------------------------------------------


def to_query(view: dict[str, Any]) -> str:
    """The view as a URL query string (``?page=sweep&partner_a.anxiety=0.7...``).

    An uploaded scenario's file cannot travel in a URL; its settings do (as parameters),
    but not its events.
    """
    pairs: list[tuple[str, str]] = [("page", view["page"])]
    if view.get("scenario"):
        pairs.append(("scenario", view["scenario"]))
    pairs.append(("seed", str(view["seed"])))
    settings = dict(view.get("set", {}))
    if view.get("upload"):
        base = base_scenario_or_default(view)
        settings = {**base.params, **settings}
        settings.pop("run.seed", None)
    pairs.extend((k, _fmt(v)) for k, v in sorted(settings.items()))
    for key in ("x", "y"):
        axis = view[key]
        pairs.append((key, f"{axis['name']}:{_fmt(axis['low'])}:{_fmt(axis['high'])}"))
    pairs += [("points", str(view["points"])), ("reps", str(view["reps"])),
              ("show", view["show"])]
    comp = view["compare"]
    pairs += [("a", comp["a"]), ("a_without", ",".join(comp["a_without"])),
              ("b", comp["b"]), ("b_without", ",".join(comp["b_without"])),
              ("compare_reps", str(comp["reps"]))]
    return "?" + urlencode(pairs)


def _fmt(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def from_query(search: str | None) -> tuple[dict[str, Any], list[str]]:
    """The view a URL query describes, and one message per bad key or value.

    Unknown keys and bad values are reported and skipped; the rest of the query applies.
    """
    view = default_view()
    errors: list[str] = []
    query = dict(parse_qsl((search or "").lstrip("?"), keep_blank_values=True))
    if "scenario" in query:
        name = query.pop("scenario")
        if name:
            view, msg = choose_scenario(view, name)
            errors += [msg] if msg else []
    for key, text in query.items():
        try:
            _apply_query_key(view, key, text)
        except (ValueError, ParamError) as err:
            errors.append(str(err))
    for side in ("a", "b"):
        if side in query and f"{side}_without" not in query:
            view["compare"][f"{side}_without"] = []
        try:
            _check_without(view, side)
        except ValueError as err:
            errors.append(str(err))
            view["compare"][f"{side}_without"] = []
    return view, errors


def _check_without(view: dict[str, Any], side: str) -> None:
    name = view["compare"][side]
    if name == CURRENT:
        scenario = base_scenario_or_default(view)
    else:
        scenario = library_scenario(name)
    labels = [e.label for e in scenario.events if e.label]
    for label in view["compare"][f"{side}_without"]:
        if label not in labels:
            raise ValueError(f"{side}_without = {label!r}: no such event in {scenario.name}; "
                             f"allowed: " + (", ".join(labels) or "none (it has no events)"))


def _apply_query_key(view: dict[str, Any], key: str, text: str) -> None:
    comp = view["compare"]
    if key == "page":
        if text not in PAGES:
            raise ValueError(f"page = {text!r}: not a page; allowed: " + ", ".join(PAGES))
        view["page"] = text
    elif key == "seed":
        view["seed"] = str(lookup("run.seed").check(text))
    elif key in ("x", "y"):
        name, *bounds = text.split(":")
        if len(bounds) not in (0, 2):
            raise ValueError(f"{key} = {text!r}: not allowed; allowed: NAME or NAME:LOW:HIGH")
        view[key] = check_axis(key, name, *bounds)
    elif key == "points":
        view["points"] = number(key, text, *POINTS_RANGE, whole=True)
    elif key == "reps":
        view["reps"] = number(key, text, *REPS_RANGE, whole=True)
    elif key == "show":
        new, msg = set_sweep(view, show=text)
        if msg:
            raise ValueError(msg)
        view["show"] = new["show"]
    elif key in ("a", "b"):
        comp[key] = check_side(key, text)
    elif key in ("a_without", "b_without"):
        comp[key] = [label for label in text.split(",") if label]
    elif key == "compare_reps":
        comp["reps"] = number(key, text, *COMPARE_REPS_RANGE, whole=True)
    elif key in REGISTRY:
        if key == "run.seed":
            view["seed"] = str(lookup(key).check(text))
            return
        view["set"][key] = lookup(key).check(text)
        try:
            resolve(view)
        except ScenarioError as err:  # e.g. a run too long, or events past its end
            del view["set"][key]
            raise ValueError(str(err)) from None
    elif "." in key:
        lookup(key)  # an unknown parameter: raises ParamError with "did you mean"
    else:
        raise ValueError(f"{key} = {text!r}: unknown key; allowed: "
                         + ", ".join(_QUERY_KEYS) + " or a parameter name")


def canonical(view: dict[str, Any], keys: tuple[str, ...]) -> str:
    """A stable JSON text of some of the view's keys (a cache key)."""
    return json.dumps({k: view.get(k) for k in keys}, sort_keys=True)
