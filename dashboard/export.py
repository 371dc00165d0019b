"""Figures as PNG or SVG files, drawn by kaleido in the system's Chromium.

Kaleido 1.x drives a Chrome-family browser; it never downloads one here. We point it at
Debian's ``chromium`` (``BROWSER_PATH``) when that is installed and no path was given.
"""

from __future__ import annotations

import os

import plotly.graph_objects as go

from dyadsim.report import browser_path

FORMATS = ("png", "svg")
WIDTH, HEIGHT = 1400, 900


def to_image(figure: go.Figure, fmt: str) -> bytes:
    """Draw ``figure`` as ``png`` or ``svg`` bytes.

    Raises:
        ValueError: ``fmt`` is not one of :data:`FORMATS`.
        RuntimeError: No browser was found for kaleido.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format = {fmt!r}: not allowed; allowed: {', '.join(FORMATS)}")
    path = browser_path()
    if path is None:
        raise RuntimeError("no Chromium found for kaleido (install Debian's chromium, or set "
                           "BROWSER_PATH)")
    os.environ.setdefault("BROWSER_PATH", path)
    return figure.to_image(format=fmt, width=WIDTH, height=HEIGHT, scale=1)
