"""The server's checks of what the browser sends back: one function per store or spec.

Every store the browser holds (the view, the sweep and compare specs, a sweep's result, the
mean-field map, the sample runs' views, the playback cursor, a heatmap click) comes back
with callbacks and is trusted in nothing: each callback calls the check of each store it
reads before anything else. A check returns the store rebuilt from checked parts only, or
raises :class:`Refused` with one line naming the key, the value and what is allowed.
A scenario is a library name or an uploaded text of bounded size, never a path.
"""

from __future__ import annotations

import math
from typing import Any

from dashboard import lifeview, view
from dashboard.view import short
from dyadsim.params import REGISTRY, ParamError, lookup

#: Most event labels a compare side may leave out, and the longest text of one.
MAX_LABELS = 50
MAX_TEXT = 200
#: Most curves, and points per curve, of a mean-field overlay.
MAX_LINES = 64
MAX_LINE_POINTS = 10_000


class Refused(ValueError):
    """A store or spec from the browser that the server does not accept (one line)."""


def check_dict(key: str, value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping (else :class:`Refused`)."""
    if not isinstance(value, dict):
        raise Refused(f"{key} = {short(value)}: not allowed; allowed: a mapping")
    return value


def _whole(key: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Refused(f"{key} = {short(value)}: not allowed; allowed: a whole number in "
                      f"[{low}, {high}]")
    try:
        return int(view.number(key, value, low, high, whole=True))
    except ValueError as err:
        raise Refused(str(err)) from None


def _text(key: str, value: Any, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise Refused(f"{key} = {short(value)}: not allowed; allowed: a text of at most "
                      f"{limit} characters")
    return value


def check_upload(value: Any) -> dict[str, str] | None:
    """An uploaded scenario in the view: ``None`` or its name and text (bounded size)."""
    if value is None:
        return None
    upload = check_dict("upload", value)
    name = _text("upload name", upload.get("name") or "uploaded file")
    text = upload.get("text")
    if not isinstance(text, str) or len(text.encode("utf-8", "surrogatepass")) > \
            view.UPLOAD_LIMIT:
        raise Refused(f"upload = {short(text)}: not allowed; allowed: the text of a "
                      f"scenario file of at most {view.UPLOAD_LIMIT} bytes")
    return {"name": name, "text": text}


def check_settings(value: Any) -> dict[str, Any]:
    """The view's ``set``: registry parameters (not the seed) with allowed values."""
    settings = check_dict("set", value)
    out = {}
    for name, raw in settings.items():
        if not isinstance(name, str) or name not in REGISTRY or name == "run.seed":
            raise Refused(f"set = {short(name)}: not a parameter; allowed: a parameter's "
                          "name from the registry")
        try:
            out[name] = lookup(name).check(raw)
        except (ParamError, ValueError, OverflowError):
            raise Refused(f"set.{name} = {short(raw)}: not allowed; allowed: "
                          f"{REGISTRY[name].allowed()}") from None
    return out


def check_axis(key: str, value: Any) -> dict[str, Any]:
    """A sweep axis: a sweepable parameter and bounds inside its range."""
    axis = check_dict(key, value)
    for part in ("low", "high"):
        if not isinstance(axis.get(part), int | float) or isinstance(axis.get(part), bool):
            raise Refused(f"{key} {part} = {short(axis.get(part))}: not allowed; allowed: "
                          "a number in the parameter's range")
    try:
        return view.check_axis(key, axis.get("name"), axis["low"], axis["high"])
    except ValueError as err:
        raise Refused(str(err)) from None


def check_compare(value: Any) -> dict[str, Any]:
    """The view's compare settings: two valid sides, labels to leave out, replicates."""
    comp = check_dict("compare", value)
    out: dict[str, Any] = {}
    for side in ("a", "b"):
        try:
            out[side] = view.check_side(side, comp.get(side))
        except ValueError as err:
            raise Refused(str(err)) from None
        labels = comp.get(f"{side}_without")
        if not isinstance(labels, list) or len(labels) > MAX_LABELS:
            raise Refused(f"{side}_without = {short(labels)}: not allowed; allowed: a list "
                          f"of at most {MAX_LABELS} event labels")
        out[f"{side}_without"] = [_text(f"{side}_without", label) for label in labels]
    out["reps"] = _whole("compare reps", comp.get("reps"), *view.COMPARE_REPS_RANGE)
    return out


def check_view(value: Any) -> dict[str, Any]:
    """The view store, rebuilt from checked parts (see :mod:`dashboard.view`).

    Raises:
        Refused: One line naming the first part not allowed.
    """
    current = check_dict("view", value)
    out = view.default_view()
    if current.get("page") not in view.PAGES:
        raise Refused(f"page = {short(current.get('page'))}: not a page; allowed: "
                      + ", ".join(view.PAGES))
    out["page"] = current["page"]
    name = current.get("scenario")
    if name is not None and (not isinstance(name, str) or name not in view.library_names()):
        raise Refused(f"scenario = {short(name)}: not a library scenario; allowed: "
                      + ", ".join(view.library_names()))
    out["scenario"] = name
    out["upload"] = check_upload(current.get("upload"))
    out["set"] = check_settings(current.get("set"))
    try:
        out["seed"] = str(view.check_seed(current.get("seed")))
    except ValueError as err:
        raise Refused(str(err)) from None
    out["x"], out["y"] = check_axis("x", current.get("x")), check_axis("y", current.get("y"))
    out["points"] = _whole("points", current.get("points"), *view.POINTS_RANGE)
    out["reps"] = _whole("reps", current.get("reps"), *view.REPS_RANGE)
    show = current.get("show")
    if not isinstance(show, str) or show not in view.SHOW_OPTIONS:
        raise Refused(f"show = {short(show)}: not allowed; allowed: "
                      + ", ".join(view.SHOW_OPTIONS))
    out["show"] = show
    out["compare"] = check_compare(current.get("compare"))
    for part in ("life", "population"):
        try:
            out[part] = lifeview.check_part(part, current.get(part))
        except ValueError as err:
            raise Refused(str(err)) from None
    return out


def check_sweep_spec(value: Any) -> dict[str, Any]:
    """A sweep job's spec: the view's sweep keys, checked; two different axes."""
    from dashboard.compute import SWEEP_KEYS

    spec = check_dict("sweep spec", value)
    missing = [k for k in SWEEP_KEYS if k not in spec]
    if missing:
        raise Refused(f"sweep spec: {missing[0]} missing; allowed: a spec with "
                      + ", ".join(SWEEP_KEYS))
    checked = check_view({**view.default_view(), **{k: spec[k] for k in SWEEP_KEYS}})
    if checked["x"]["name"] == checked["y"]["name"]:
        raise Refused(f"x axis = y axis = {checked['x']['name']}: not allowed; allowed: two "
                      "different parameters")
    return {k: checked[k] for k in SWEEP_KEYS}


def check_compare_spec(value: Any) -> dict[str, Any]:
    """A compare job's spec: the compare settings and, for a ``current`` side, the couple."""
    spec = check_dict("compare spec", value)
    keys = ("scenario", "upload", "set", "seed")
    unknown = [k for k in spec if k not in ("compare", *keys)]
    if unknown:
        raise Refused(f"compare spec: {short(unknown[0])}: unknown key; allowed: compare, "
                      + ", ".join(keys))
    base = view.default_view()
    checked = check_view({**base, **{k: spec[k] for k in keys if k in spec},
                          "compare": spec.get("compare")})
    return {"compare": checked["compare"], **{k: checked[k] for k in keys if k in spec}}


def _numbers(key: str, value: Any, size: int, low: float, high: float) -> list[float]:
    if not isinstance(value, list) or len(value) != size or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            and low <= v <= high for v in value):
        raise Refused(f"{key} = {short(value)}: not allowed; allowed: {size} numbers in "
                      f"[{low:g}, {high:g}]")
    return [float(v) for v in value]


def _curve(key: str, value: Any, size: int, low: float, high: float) -> list[float | None]:
    """A curve's coordinates: numbers in [low, high], ``None`` where the curve breaks.

    A boundary in separate pieces is one curve with ``None`` between the pieces, as
    :meth:`dyadsim.stability.StabilityMap.overlay` writes it and Plotly draws it.
    """
    if not isinstance(value, list) or len(value) != size:
        return _numbers(key, value, size, low, high)  # refused with the usual message
    kept = [v for v in value if v is not None]
    _numbers(key, kept, len(kept), low, high)
    return [None if v is None else float(v) for v in value]


def _grid(key: str, value: Any, shape: tuple[int, int]) -> list[list[float | None]]:
    ok = isinstance(value, list) and len(value) == shape[0] and all(
        isinstance(row, list) and len(row) == shape[1] and all(
            v is None or (isinstance(v, int | float) and not isinstance(v, bool)
                          and math.isfinite(v)) for v in row) for row in value)
    if not ok:
        raise Refused(f"{key} = {short(value)}: not allowed; allowed: a {shape[0]} x "
                      f"{shape[1]} grid of numbers")
    return value


def check_sweep_result(value: Any) -> dict[str, Any]:
    """A sweep's result held by the browser: its spec, axes, seeds and every table.

    Raises:
        Refused: One line naming the first part not allowed (a missing table included).
    """
    result = check_dict("sweep result", value)
    spec = check_sweep_spec(result.get("spec"))
    points, reps = spec["points"], spec["reps"]
    out: dict[str, Any] = {"spec": spec, "reps": reps}
    for key in ("x", "y"):
        axis = check_dict(f"sweep result {key}", result.get(key))
        if axis.get("name") != spec[key]["name"]:
            raise Refused(f"sweep result {key} = {short(axis.get('name'))}: not allowed; "
                          f"allowed: {spec[key]['name']} (the spec's axis)")
        out[key] = {"name": spec[key]["name"],
                    "values": _numbers(f"sweep result {key} values", axis.get("values"),
                                       points, spec[key]["low"], spec[key]["high"])}
    if _whole("sweep result reps", result.get("reps"), *view.REPS_RANGE) != reps:
        raise Refused(f"sweep result reps = {short(result.get('reps'))}: not allowed; "
                      f"allowed: {reps} (the spec's)")
    seeds = result.get("seeds")
    if not isinstance(seeds, list) or len(seeds) != reps:
        raise Refused(f"sweep result seeds = {short(seeds)}: not allowed; allowed: {reps} "
                      "seeds")
    try:
        out["seeds"] = [str(view.check_seed(s)) for s in seeds]
    except ValueError as err:
        raise Refused(f"sweep result {err}") from None
    out["steps"] = _whole("sweep result steps", result.get("steps"), 1, view.MAX_STEPS)
    seconds = result.get("seconds", 0.0)
    out["seconds"] = float(seconds) if isinstance(seconds, int | float) and math.isfinite(
        seconds) else 0.0
    tables = check_dict("sweep result tables", result.get("tables"))
    out["tables"] = {}
    for name in view.SHOW_OPTIONS:
        table = check_dict(f"sweep result table {name}", tables.get(name))
        out["tables"][name] = {part: _grid(f"sweep result {name} {part}", table.get(part),
                                           (points, points))
                               for part in ("value", "low", "high", "n")}
    return out


def check_meanfield(value: Any, result: dict[str, Any]) -> dict[str, Any] | None:
    """A mean-field map held by the browser, if it belongs to ``result`` (else ``None``)."""
    if not isinstance(value, dict) or value.get("spec") != result["spec"]:
        return None
    lines = value.get("overlay")
    if not isinstance(lines, list) or len(lines) > MAX_LINES:
        raise Refused(f"mean-field overlay = {short(lines)}: not allowed; allowed: at most "
                      f"{MAX_LINES} curves")
    x, y = result["spec"]["x"], result["spec"]["y"]
    overlay = []
    for line in lines:
        line = check_dict("mean-field curve", line)
        size = len(line.get("x")) if isinstance(line.get("x"), list) else -1
        if not 0 <= size <= MAX_LINE_POINTS:
            raise Refused(f"mean-field curve = {short(line.get('x'))}: not allowed; "
                          f"allowed: at most {MAX_LINE_POINTS} points")
        xs = _curve("mean-field curve x", line["x"], size, x["low"], x["high"])
        ys = _curve("mean-field curve y", line.get("y"), size, y["low"], y["high"])
        if [v is None for v in xs] != [v is None for v in ys]:
            raise Refused(f"mean-field curve y = {short(ys)}: not allowed; allowed: breaks "
                          "(null) where x has them")
        overlay.append({
            "x": xs,
            "y": ys,
            "name": _text("mean-field curve name", line.get("name")),
            "color": _text("mean-field curve color", line.get("color", "white"), 20),
            "dash": _text("mean-field curve dash", line.get("dash", "solid"), 20)})
    return {"spec": result["spec"], "overlay": overlay}


def check_click(value: Any, result: dict[str, Any]) -> tuple[float, float] | None:
    """A heatmap click's cell (``x``, ``y`` inside the sweep's axes), or ``None``."""
    if value is None:
        return None
    points = check_dict("click", value).get("points")
    if not isinstance(points, list) or not points:
        return None
    point = check_dict("click point", points[0])
    out = []
    for key in ("x", "y"):
        axis = result["spec"][key]
        coord = point.get(key)
        if isinstance(coord, bool) or not isinstance(coord, int | float) or not (
                math.isfinite(coord) and axis["low"] <= coord <= axis["high"]):
            raise Refused(f"click {key} = {short(coord)}: not allowed; allowed: a number in "
                          f"[{axis['low']:g}, {axis['high']:g}]")
        out.append(float(coord))
    return out[0], out[1]


def check_cursor(value: Any) -> dict[str, Any] | None:
    """The playback cursor: its run's key, a row, playing or not; ``None`` if malformed.

    A malformed cursor only ever stands for "no cursor yet": the run is shown whole.
    """
    if not isinstance(value, dict):
        return None
    key, i, last = value.get("key"), value.get("i"), value.get("last", view.MAX_STEPS)
    if not isinstance(key, str) or len(key) > 4 * view.UPLOAD_LIMIT:
        return None
    ints = [v for v in (i, last) if isinstance(v, int) and not isinstance(v, bool)]
    if len(ints) != 2 or not 0 <= i <= last <= view.MAX_STEPS:
        return None
    out = {"key": key, "i": i, "playing": value.get("playing") is True}
    return {**out, "last": last} if "last" in value else out


def check_index(key: str, value: Any, size: int) -> int:
    """An index into a list of ``size`` items."""
    return _whole(key, value, 0, size - 1) if size else _whole(key, value, 0, -1)
