"""Building blocks the pages share: registry-driven controls and background-job parts.

Every label, bound, step and help text of a parameter control comes from
:data:`dyadsim.params.REGISTRY`; nothing about a parameter is typed here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from dash import Input, Output, dcc, html

from dashboard import ids, view
from dashboard.about import LESSONS
from dyadsim.params import Param
from dyadsim.timeunits import unit_label

#: The one Plotly config of every ``dcc.Graph``: no logo, and no button or link that sends a
#: chart to Plotly's cloud ("Share chart" / "Edit in Chart Studio"), with no cloud URL to
#: send it to (plotly.js's ``plotlyServerURL``; empty is its own default since 1.53).
GRAPH_CONFIG: dict[str, Any] = {
    "displaylogo": False, "showSendToCloud": False, "showEditInChartStudio": False,
    "showLink": False, "plotlyServerURL": "",
    "modeBarButtonsToRemove": ["sendDataToCloud", "editInChartStudio"],
}


def slider_step(param: Param) -> float:
    """A step of about a hundredth of the parameter's range, rounded to a power of ten."""
    return 10.0 ** math.floor(math.log10((param.high - param.low) / 100))


def param_control(param: Param, value: float) -> html.Div:
    """One registry parameter as a labelled slider whose tooltip is the registry's help."""
    unit = f" ({unit_label(param.unit)})" if param.unit else ""  # rates per day
    return html.Div(className="control", children=[
        html.Label(param.label + unit, title=f"{param.help} [{param.name}; "
                   f"{param.allowed()}]", className="control-label"),
        dcc.Slider(id=ids.Couple.param(param.name), min=param.low, max=param.high,
                   step=slider_step(param), value=value, marks=None, updatemode="mouseup",
                   tooltip={"placement": "bottom", "always_visible": False}),
    ])


def shown(value: float) -> float:
    """A value as a control shows it (float noise such as 0.36000000000000004 removed)."""
    return round(value, 6) if isinstance(value, float) else value


def scenario_options() -> list[dict[str, str]]:
    """The scenario picker's options: default couple, lessons in order, then the rest.

    The lessons come in teaching order (:data:`dashboard.about.LESSONS`), labelled
    ``"Lesson 3: The delayed text"``; the rest of the library follows by title.
    """
    options = [{"label": "The default couple", "value": "default"}]
    options += [{"label": f"Lesson {k}: {view.library_scenario(n).title}", "value": n}
                for k, n in enumerate(LESSONS, start=1)]
    rest = sorted((view.library_scenario(n).title, n) for n in view.library_names()
                  if n not in LESSONS)
    options += [{"label": title, "value": n} for title, n in rest]
    return options


def job_controls(job: ids.Job) -> list[Any]:
    """Run and Cancel buttons, a progress bar and a status line for a background job."""
    return [
        html.Div(className="row", children=[
            html.Button(f"Run {job.name}", id=job.run, className="primary"),
            html.Button("Cancel", id=job.cancel, disabled=True),
        ]),
        html.Progress(id=job.progress, value="0", max="1",
                      **{"aria-label": f"{job.name} progress"}),
        html.P(id=job.status, className="hint", **{"aria-live": "polite"}),
    ]


def background_job(job: ids.Job, manager: Any) -> dict[str, Any]:
    """Dash's background-callback options for a job's Run, Cancel and progress controls.

    The Run button's click count (argument 0) is left out of the cache key, so the same
    settings run again come back from the cache.
    """
    return {
        "background": True, "manager": manager, "prevent_initial_call": True,
        "interval": 200, "cache_args_to_ignore": [0],
        "running": [(Output(job.run, "disabled"), True, False),
                    (Output(job.cancel, "disabled"), False, True)],
        "cancel": [Input(job.cancel, "n_clicks")],
        "progress": [Output(job.progress, "value"), Output(job.progress, "max")],
    }


def reporter(set_progress: Callable[[tuple[str, str]], None] | None
             ) -> Callable[[int, int], None]:
    """``progress(done, total)`` for a job, feeding Dash's progress bar (if any)."""
    def progress(done: int, total: int) -> None:
        if set_progress is not None:
            set_progress((str(done), str(total)))

    return progress


# --- Results the server holds ------------------------------------------------------------------
# A background job's result goes to the browser, and the browser can send anything back; so
# each job also leaves its result here, keyed by the spec it ran, in the cache its jobs
# share with the server (a disk cache: job processes and workers see the same entries).
# Exports read these, never what the browser sends.

_HELD: dict[str, Any] = {"cache": None}
HELD_SECONDS = 3600


def hold_results_in(cache: Any) -> None:
    """Keep jobs' results in ``cache`` (a :class:`diskcache.Cache`; ``None``: keep none)."""
    _HELD["cache"] = cache


def _held_key(kind: str, spec: dict[str, Any]) -> str:
    import json

    return "dyadsim-held:" + kind + ":" + json.dumps(spec, sort_keys=True, default=str)


def hold_result(kind: str, spec: dict[str, Any], result: Any) -> None:
    """Keep a job's ``result`` under its ``kind`` (``"sweep"``, ...) and ``spec``."""
    cache = _HELD["cache"]
    if cache is not None:
        cache.set(_held_key(kind, spec), result, expire=HELD_SECONDS)


def held_result(kind: str, spec: dict[str, Any]) -> Any | None:
    """The result a job of ``kind`` left for ``spec``, or ``None`` if the server holds none."""
    cache = _HELD["cache"]
    return None if cache is None else cache.get(_held_key(kind, spec))
