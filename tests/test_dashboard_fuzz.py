"""Fuzz every callback the dashboard registers with hostile store and spec values.

The callbacks are found in the app's ``callback_map`` (a new callback is fuzzed without
editing this file); each one's own function is called with Dash's callback context set,
as the server does, once per hostile value of each input and state (the others valid), and
then with a seeded random sample of combinations. No exception may escape (Dash's
``PreventUpdate`` aside), nothing may be logged as an error, and the content of a file
whose path is sent must never come back.
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
from collections.abc import Iterator
from typing import Any

import plotly.graph_objects as go
import pytest
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict, split_callback_id
from dash._validate import validate_and_group_input_args
from dash.exceptions import PreventUpdate
from plotly.utils import PlotlyJSONEncoder

from dashboard import compute, ids, view
from dashboard.app import create_app

MARKER = "fuzz-marker-7f3a91c2"
#: Random combinations per callback, after the one-value-at-a-time calls.
COMBINATIONS = 30
#: Per input or state: the first PATHS hostile values (null and the paths), a seeded
#: sample of SCALARS of the others, and of MUTATIONS of the valid store's mutations.
PATHS, SCALARS, MUTATIONS = 8, 5, 30


class _Encoder(PlotlyJSONEncoder):
    def default(self, obj: Any) -> Any:
        if obj is no_update:
            return "<no_update>"
        return super().default(obj)


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("fuzz")
    secret = folder / "secret.toml"
    secret.write_text(f'title = "{MARKER}"\nsummary = "{MARKER}"\n'
                      f'description = "{MARKER}"\n[partner_a]\nname = "{MARKER}"\n'
                      f'[partner_b]\nname = "{MARKER}"\n')
    fifo = folder / "fifo.toml"
    os.mkfifo(fifo)
    return {"secret": str(secret), "fifo": str(fifo), "folder": str(folder)}


def scalars(files: dict[str, str]) -> list[Any]:
    """Hostile values for any input or state."""
    return [None, "/dev/zero", "/etc/passwd", files["secret"], files["secret"][:-5],
            "../../x.toml", files["fifo"], files["folder"], 10**9, 10**12, 10**400, -1, 1.5,
            float("nan"), True, "", "x" * 1_000_000, [], [None], ["/dev/zero", 10**9], {},
            {"points": [{"x": 10**9, "y": "/dev/zero"}]}, {"scenario": files["secret"]},
            [{"scenario": files["secret"], "upload": None, "set": {}, "seed": "1"}]]


def small_result(spec: dict[str, Any]) -> dict[str, Any]:
    """A well-formed sweep result of a 2 x 2 spec (not run: its tables are made up)."""
    grid = [[0.5, 0.25], [None, 1.0]]
    return {"spec": spec, "reps": spec["reps"], "seeds": ["12345"], "steps": 500,
            "seconds": 0.1,
            "x": {"name": spec["x"]["name"], "values": [spec["x"]["low"], spec["x"]["high"]]},
            "y": {"name": spec["y"]["name"], "values": [spec["y"]["low"], spec["y"]["high"]]},
            "tables": {q: {"value": grid, "low": grid, "high": grid, "n": [[1, 1], [1, 1]]}
                       for q in view.SHOW_OPTIONS}}


def valid_stores() -> dict[tuple[str, str], Any]:
    """A valid, small value of each store a callback reads, by (component id, property)."""
    current = view.default_view()
    spec = compute.sweep_spec({**current, "points": 2, "reps": 1})
    result = small_result(spec)
    x, y = spec["x"], spec["y"]
    return {
        (ids.Shell.VIEW, "data"): current,
        (ids.Shell.SWEEP_SPEC, "data"): spec,
        (ids.Shell.COMPARE_SPEC, "data"): {"compare": {**current["compare"], "reps": 10}},
        (ids.Sweep.RESULT, "data"): result,
        (ids.Sweep.MEANFIELD_RESULT, "data"): {
            "spec": spec, "overlay": [{"x": [x["low"], x["high"]], "y": [y["low"], y["high"]],
                                       "name": "a boundary", "color": "#FF3FA4",
                                       "dash": "dash"}]},
        (ids.Couple.CURSOR, "data"): {"key": compute.couple_key(current), "i": 3,
                                      "playing": False, "last": 500},
        (ids.Sweep.HEATMAP, "clickData"): {"points": [{"x": x["low"], "y": y["high"]}]},
        (ids.Sweep.CELL_VIEWS, "data"): [current],
    }


def mutations(value: Any, hostile: list[Any], depth: int = 2, every: bool = False
              ) -> Iterator[Any]:
    """``value`` with one part replaced by a hostile value, or left out (dicts and lists).

    Each part is replaced by every third hostile value (by ``every`` one with ``every``).
    """
    if depth == 0:
        return
    few = hostile if every else hostile[::3]
    if isinstance(value, dict):
        for key, part in value.items():
            yield {k: v for k, v in value.items() if k != key}
            for bad in few:
                yield {**value, key: bad}
            for bad in mutations(part, hostile, depth - 1):
                yield {**value, key: bad}
    elif isinstance(value, list) and value:
        yield value * 3
        for bad in [*few, *mutations(value[0], hostile, depth - 1)]:
            yield [bad, *value[1:]]


def walk(node: Any) -> Iterator[Any]:
    yield node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            yield from walk(child)


def _matches(pattern: dict[str, Any], cid: Any) -> bool:
    return isinstance(cid, dict) and set(cid) == set(pattern) and all(
        isinstance(v, list) or cid[k] == v for k, v in pattern.items())


class Callback:
    """One server-side callback of the app, ready to be called as the server calls it."""

    def __init__(self, key: str, spec: dict[str, Any], components: list[Any]) -> None:
        self.key = key
        self.func = spec["callback"].__wrapped__
        self.indices = spec["inputs_state_indices"]
        self.args = [*spec["inputs"], *spec["state"]]
        self.n_inputs = len(spec["inputs"])
        self.progress = bool((spec.get("background") or {}).get("progress"))
        self.components = components
        out = split_callback_id(key)
        self.outputs = [self._expand(o) for o in (out if isinstance(out, list) else [out])]

    def _concrete(self, arg: dict[str, Any]) -> list[Any]:
        """The layout's components an id stands for (a pattern's matches)."""
        cid = arg["id"]
        if not cid.startswith("{"):
            return [cid]
        pattern = json.loads(cid)
        return [c.id for c in self.components if _matches(pattern, getattr(c, "id", None))]

    def _expand(self, arg: dict[str, Any]) -> Any:
        cid = arg["id"].split("@")[0]
        prop = arg["property"].split("@")[0]
        if not cid.startswith("{"):
            return {"id": cid, "property": prop}
        return [{"id": c, "property": prop} for c in self._concrete({"id": cid})]

    def is_pattern(self, i: int) -> bool:
        return self.args[i]["id"].startswith("{")

    def layout_value(self, i: int) -> Any:
        arg = self.args[i]
        found = [getattr(c, arg["property"], None) for c in self.components
                 if getattr(c, "id", None) in self._concrete(arg)]
        return found if self.is_pattern(i) else (found[0] if found else None)

    def call(self, values: list[Any], trigger: int, trigger_id: Any,
             trigger_value: Any) -> Any:
        """Call the callback's function with Dash's context, as a request would."""
        context_value.set(AttributeDict(
            triggered_inputs=[{"prop_id": f"{json.dumps(trigger_id, sort_keys=True)
                               if isinstance(trigger_id, dict) else trigger_id}."
                               f"{self.args[trigger]['property']}", "value": trigger_value}],
            outputs_list=self.outputs, inputs_list=[], states_list=[],
            using_outputs_grouping=False, using_args_grouping=False, updated_props={}))
        args, kwargs = validate_and_group_input_args(values, self.indices)
        if self.progress:
            args = [lambda value: None, *args]
        return self.func(*args, **kwargs)


def hostile_trigger_ids(cb: Callback, i: int) -> list[Any]:
    """Ids a trigger of input ``i`` may come with: its own, or forged pattern ids."""
    if not cb.is_pattern(i):
        return [cb.args[i]["id"]]
    pattern = json.loads(cb.args[i]["id"])
    forged = [{k: (bad if isinstance(v, list) else v) for k, v in pattern.items()}
              for bad in (10**9, -1, "/etc/passwd", None, [1])]
    return [*cb._concrete(cb.args[i]), *forged, {"type": "no-such-control"}]


def call_plan(cb: Callback, valid: list[Any], hostile: list[Any], rng: random.Random
              ) -> Iterator[tuple[list[Any], int, Any, Any]]:
    """(values, trigger, trigger id, trigger value) for every call to make."""
    pools = []
    for i, good in enumerate(valid):
        # every path and null, also as each key of a store; a sample of the other values
        # and of the store's other mutations
        changed = list(mutations(good, hostile))
        pool = [*hostile[:PATHS], *rng.sample(hostile[PATHS:], SCALARS),
                *mutations(good, hostile[:PATHS], depth=1, every=True),
                *rng.sample(changed, min(MUTATIONS, len(changed)))]
        if cb.is_pattern(i):
            size = max(1, len(good) if isinstance(good, list) else 1)
            pool = [[bad] * size for bad in hostile] + [hostile[:size]]
        pools.append(pool)
    count = 0
    for i, pool in enumerate(pools):
        for bad in pool:
            values = [*valid[:i], bad, *valid[i + 1:]]
            trigger = i if i < cb.n_inputs else count % cb.n_inputs
            ids_ = hostile_trigger_ids(cb, trigger)
            tvalue = values[trigger][0] if cb.is_pattern(trigger) and isinstance(
                values[trigger], list) and values[trigger] else values[trigger]
            yield values, trigger, ids_[count % len(ids_)], tvalue
            count += 1
    for _ in range(COMBINATIONS):
        values = [rng.choice([good, good, *pool]) for good, pool in zip(valid, pools,
                                                                         strict=True)]
        trigger = rng.randrange(cb.n_inputs)
        tvalue = rng.choice(hostile)
        yield values, trigger, rng.choice(hostile_trigger_ids(cb, trigger)), tvalue


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return create_app(tmp_path_factory.mktemp("cache"))


def server_callbacks(app: Any) -> list[Callback]:
    components = list(walk(app.layout()))
    return [Callback(key, spec, components) for key, spec in app.callback_map.items()
            if "callback" in spec]


def test_every_server_callback_is_found(app):
    callbacks = server_callbacks(app)
    clientside = [k for k, s in app.callback_map.items() if "callback" not in s]
    # every callback is either fuzzed here or runs in the browser (a clientside callback)
    assert len(callbacks) + len(clientside) == len(app.callback_map)
    assert len(clientside) == sum(1 for c in app._callback_list if c.get("clientside_function"))
    assert any(c.progress for c in callbacks)  # the background jobs are among them
    assert len(callbacks) >= 10


def _watchdog(signum: int, frame: Any) -> None:
    raise TimeoutError("a callback blocked (a FIFO or a device opened?)")


def _drawn(figure: Any, fmt: str, *args: Any, **kwargs: Any) -> bytes:
    """Stands in for Chromium: checks the figure is one, draws nothing (a second saved)."""
    go.Figure(figure)
    return f"<{fmt} image>".encode()


def test_every_callback_survives_hostile_stores_and_echoes_no_file(app, hostile_files,
                                                                   caplog, monkeypatch):
    # an export starts no Chromium here (what it may fetch is tested on its own)
    monkeypatch.setattr("dashboard.export.to_image", _drawn)
    stores = valid_stores()
    hostile = scalars(hostile_files)
    rng = random.Random(14)
    calls = 0
    failures: dict[str, list[str]] = {}
    old = signal.signal(signal.SIGALRM, _watchdog)
    signal.alarm(240)
    try:
        with caplog.at_level(logging.WARNING):
            for cb in server_callbacks(app):
                valid = [stores.get((a["id"], a["property"]), cb.layout_value(i))
                         for i, a in enumerate(cb.args)]
                for values, trigger, trigger_id, tvalue in call_plan(cb, valid, hostile, rng):
                    calls += 1
                    try:
                        out = cb.call(values, trigger, trigger_id, tvalue)
                    except PreventUpdate:
                        continue
                    except Exception as err:  # collected, reported below
                        failures.setdefault(cb.key[:60], []).append(
                            f"{type(err).__name__}: {str(err)[:200]} with "
                            f"{str(values)[:300]} (trigger {str(trigger_id)[:80]})")
                        continue
                    if MARKER in json.dumps(out, cls=_Encoder):
                        failures.setdefault(cb.key[:60], []).append(
                            f"the file's content came back with {str(values)[:300]}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert not failures, "\n".join(f"{key}: {len(found)} failures, e.g. {found[0]}"
                                    for key, found in failures.items())
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not errors, errors[0].getMessage()
    assert calls > 1000
    print(f"{calls} calls")
