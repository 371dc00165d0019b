"""Figures as PNG or SVG files, drawn by kaleido in the system's Chromium, offline.

Kaleido 1.x drives a Chrome-family browser; it never downloads one here. We point it at
Debian's ``chromium`` (``BROWSER_PATH``, or :func:`dyadsim.report.browser_path`).

The browser that draws must fetch nothing from the network (a figure that names an image
URL would otherwise make the server fetch it: server-side request forgery). So:

- the dashboard exports only figures its own functions build (:mod:`dashboard.figures`),
  never a figure a browser sends;
- :func:`offline_figure` drops every image (or map-layer) source that is not a ``data:``
  URI before drawing, whatever the figure, and refuses trace types the dashboard does not
  draw (geo traces load outlines from a CDN);
- kaleido is started with MathJax off (its default loads MathJax from a CDN) and with
  Chromium's proxy set to a closed local port (:data:`dyadsim.report.DEAD_PROXY`), so any
  http(s) fetch to another host fails (:func:`dyadsim.report.kaleido_options`). Kaleido
  1.x takes no free-form Chromium flags: choreographer's documented browser options are
  ``path``, ``headless``, ``enable_gpu``, ``enable_sandbox``, ``enable_extensions``,
  ``proxy_server`` and ``tmp_dir``. Chromium never sends loopback addresses through a
  proxy, which is why the first two points hold the line for a local listener.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from dyadsim.report import browser_path, kaleido_options

FORMATS = ("png", "svg")
WIDTH, HEIGHT = 1400, 900


#: The trace types the dashboard's figures use; any other (a map, a geo trace that loads
#: its outlines from a CDN) is refused.
TRACE_TYPES = frozenset({"scatter", "heatmap", "bar", "histogram", "contour", "box"})


def _drop_sources(node: Any) -> Any:
    """``node`` without any ``source`` (an image's, a map layer's) that is not a data: URI."""
    if isinstance(node, dict):
        return {k: _drop_sources(v) for k, v in node.items()
                if not (k == "source" and not str(v).startswith("data:"))}
    if isinstance(node, list):
        return [_drop_sources(v) for v in node]
    return node


def offline_figure(figure: go.Figure | dict[str, Any]) -> dict[str, Any]:
    """The figure as a plain dict that makes a browser fetch nothing.

    Every ``source`` that is not a ``data:`` URI is dropped, wherever it sits
    (``layout.images``, the template's images, map layers), and only the trace types of
    :data:`TRACE_TYPES` are drawn.

    Raises:
        ValueError: ``figure`` is not a valid Plotly figure, or has another trace type
            (one line).
    """
    try:
        fig = figure if isinstance(figure, go.Figure) else go.Figure(figure)
    except (ValueError, TypeError) as err:
        lines = str(err).strip().splitlines()
        raise ValueError("figure: not a valid Plotly figure ("
                         + (lines[0] if lines else type(err).__name__) + ")") from None
    data = fig.to_plotly_json()
    kinds = sorted({str(trace.get("type", "scatter")) for trace in data.get("data", [])}
                   - TRACE_TYPES)
    if kinds:
        raise ValueError(f"figure trace type = {kinds[0]}: not allowed; allowed: "
                         + ", ".join(sorted(TRACE_TYPES)))
    return _drop_sources(data)


def to_image(figure: go.Figure | dict[str, Any], fmt: str) -> bytes:
    """Draw ``figure`` as ``png`` or ``svg`` bytes, with nothing fetched from the network.

    Raises:
        ValueError: ``fmt`` is not one of :data:`FORMATS`, or ``figure`` is not valid.
        RuntimeError: No browser was found for kaleido, or it could not draw.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format = {fmt!r}: not allowed; allowed: {', '.join(FORMATS)}")
    fig = offline_figure(figure)
    path = browser_path()
    if path is None:
        raise RuntimeError("no Chromium found for kaleido (install Debian's chromium, or set "
                           "BROWSER_PATH)")
    import kaleido

    opts = {"format": fmt, "width": WIDTH, "height": HEIGHT, "scale": 1}
    kopts = kaleido_options(path)
    try:
        return kaleido.calc_fig_sync(fig, opts=opts, kopts=kopts)
    except Exception as err:  # kaleido's own errors (browser crash, timeout, render error)
        text = str(err).strip().splitlines()
        raise RuntimeError(f"kaleido: {text[0] if text else type(err).__name__}") from None
