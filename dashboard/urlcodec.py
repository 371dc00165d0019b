"""The view's URL codec: a view as a query string, and a query string as a view.

A shared link carries the whole view (the page, the scenario, the seed, every setting,
the sweep and compare settings) except an uploaded file's events. Reading a link never
raises: bad keys and values are reported, one line each, and skipped.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from dashboard import lifeview
from dashboard.view import (
    COMPARE_REPS_RANGE,
    CURRENT,
    PAGES,
    POINTS_RANGE,
    REPS_RANGE,
    base_scenario_or_default,
    check_axis,
    check_seed,
    check_side,
    choose_scenario,
    default_view,
    library_scenario,
    number,
    resolve,
    set_sweep,
)
from dyadsim.params import REGISTRY, ParamError, lookup
from dyadsim.scenario import ScenarioError

_QUERY_KEYS = ("page", "scenario", "seed", "x", "y", "points", "reps", "show",
               "a", "a_without", "b", "b_without", "compare_reps", *lifeview.QUERY_KEYS)

#: The longest link query read (the longest the dashboard writes, every parameter set, is
#: about 2.4 kB; the HTTP layer refuses longer ones with 414), and its most keys (every key
#: once is far below both).
MAX_QUERY = 8192
MAX_FIELDS = len(_QUERY_KEYS) + len(REGISTRY) + 10


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
    pairs += lifeview.to_pairs(view)
    return "?" + urlencode(pairs)


def _fmt(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def from_query(search: str | None) -> tuple[dict[str, Any], list[str]]:
    """The view a URL query describes, and one message per bad key or value.

    Unknown keys and bad values are reported and skipped; the rest of the query applies.
    """
    view = default_view()
    errors: list[str] = []
    search = search if isinstance(search, str) else ""
    if len(search) > MAX_QUERY:
        return view, [f"the link has {len(search)} characters: too long; allowed: at most "
                      f"{MAX_QUERY}"]
    try:
        query = dict(parse_qsl(search.lstrip("?"), keep_blank_values=True,
                               max_num_fields=MAX_FIELDS))
    except ValueError:
        return view, [f"the link has more than {MAX_FIELDS} keys; allowed: at most "
                      f"{MAX_FIELDS}"]
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
        view["seed"] = str(check_seed(text))
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
    elif key in lifeview.QUERY_KEYS:
        lifeview.apply_query(view, key, text)
    elif key in REGISTRY:
        if key == "run.seed":
            view["seed"] = str(check_seed(text))
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
