"""Experiment reports: a folder of tables, figures and headline numbers, written whole.

Every script under ``experiments/`` answers one question and writes one report folder
(by default ``docs/validation/<name>/``, which ``docs/VALIDATION.md`` links to):

* ``table.md`` and ``table.csv`` (and one pair per further named table);
* ``<figure>.png`` for each figure (drawn by kaleido in the system's Chromium, all in one
  browser session);
* ``numbers.json``: the headline numbers the docs quote, with the command, the root seed,
  the dyadsim version and the size settings that produced them.

The folder is built under a temporary name beside its target and renamed into place at the
end, so an interrupted or failed experiment never leaves half a report (an older complete
report stays until the new one is whole).

Example:
    >>> args = experiment_args("fact01_secure_settle", __doc__, reps=200, tiny_reps=8)
    >>> report = Report(args)                                  # doctest: +SKIP
    >>> report.table("table", frame); report.figure("shares", fig)  # doctest: +SKIP
    >>> report.number("trap_share", 0.0); report.write()       # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

import dyadsim
from dyadsim.files import atomic_folder
from dyadsim.timeunits import time_axis

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SEED = 20261121
"""The root seed of every experiment unless ``--seed`` says otherwise."""

FIGURE_WIDTH, FIGURE_HEIGHT = 1000, 620
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000")
"""Okabe-Ito colours, as in the dashboard."""


@dataclass
class ExperimentArgs:
    """What an experiment was asked to do: its name, size, seed and output folder."""

    name: str
    out: Path
    seed: int
    reps: int
    steps: int
    tiny: bool
    command: str
    extra: dict[str, Any] = field(default_factory=dict)


def experiment_args(
    name: str,
    description: str | None,
    *,
    reps: int,
    tiny_reps: int,
    steps: int = 500,
    tiny_steps: int = 150,
    argv: Sequence[str] | None = None,
) -> ExperimentArgs:
    """Parse an experiment's command line (``--out --seed --reps --steps --tiny``).

    ``--tiny`` runs the whole script at a size CI can afford (``tiny_reps`` replicates of
    ``tiny_steps`` days unless ``--reps``/``--steps`` say otherwise) and, unless
    ``--out`` is given, writes to ``out/experiments/<name>/`` instead of the docs.
    """
    parser = argparse.ArgumentParser(
        prog=f"experiments/{name}/run.py",
        description=(description or name).strip().splitlines()[0])
    parser.add_argument("--out", type=Path, default=None,
                        help=f"report folder (default docs/validation/{name})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="root seed")
    parser.add_argument("--reps", type=int, default=None, help=f"replicates (default {reps})")
    parser.add_argument("--steps", type=int, default=None,
                        help=f"days per run (one episode is one day; default {steps})")
    parser.add_argument("--tiny", action="store_true",
                        help="a quick run at CI size (writes to out/experiments/ by default)")
    ns = parser.parse_args(argv)
    for key in ("reps", "steps"):
        value = getattr(ns, key)
        if value is not None and value < 1:
            parser.error(f"--{key} = {value}: must be a whole number >= 1")
    if ns.seed < 0 or ns.seed >= 2**63:
        parser.error(f"--seed = {ns.seed}: must be in [0, 2**63)")
    default_out = (ROOT / "out" / "experiments" / name if ns.tiny
                   else ROOT / "docs" / "validation" / name)
    shown = " ".join(["python", f"experiments/{name}/run.py",
                      *(sys.argv[1:] if argv is None else argv)])
    return ExperimentArgs(
        name=name,
        out=ns.out or default_out,
        seed=ns.seed,
        reps=ns.reps or (tiny_reps if ns.tiny else reps),
        steps=ns.steps or (tiny_steps if ns.tiny else steps),
        tiny=ns.tiny,
        command=shown,
    )


def markdown_table(frame: pd.DataFrame, digits: int = 3) -> str:
    """A DataFrame as a GitHub Markdown table (floats rounded to ``digits``)."""

    def cell(value: Any) -> str:
        if isinstance(value, float | np.floating):
            return "" if math.isnan(value) else f"{value:.{digits}f}"
        return str(value).replace("|", "\\|")

    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows]) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


class Report:
    """Collects one experiment's tables, figures and numbers; :meth:`write` saves them whole."""

    def __init__(self, args: ExperimentArgs) -> None:
        self.args = args
        self.tables: dict[str, tuple[pd.DataFrame, str]] = {}
        self.figures: dict[str, go.Figure] = {}
        self.numbers: dict[str, Any] = {}

    def table(self, name: str, frame: pd.DataFrame, caption: str = "") -> None:
        """Add a table (written as ``<name>.md`` and ``<name>.csv``)."""
        self.tables[name] = (frame.reset_index(drop=True), caption)

    def figure(self, name: str, fig: go.Figure) -> None:
        """Add a figure (written as ``<name>.png``)."""
        fig.update_layout(template="plotly_white", font={"size": 15},
                          colorway=list(PALETTE))
        self.figures[name] = fig

    def number(self, key: str, value: Any) -> None:
        """Record a headline number (``numbers.json``), e.g. a share the docs quote."""
        self.numbers[key] = _plain(value)

    def write(self) -> Path:
        """Write the report folder atomically; return its path."""
        out = self.args.out.resolve()
        with atomic_folder(out) as tmp:
            for name, (frame, caption) in self.tables.items():
                text = (f"{caption}\n\n" if caption else "") + markdown_table(frame)
                (tmp / f"{name}.md").write_text(text)
                frame.to_csv(tmp / f"{name}.csv", index=False)
            if self.figures:
                write_pngs(self.figures, tmp)
            meta = {
                "experiment": self.args.name,
                "command": self.args.command,
                "seed": self.args.seed,
                "reps": self.args.reps,
                "steps": self.args.steps,
                "tiny": self.args.tiny,
                "dyadsim": dyadsim.__version__,
                **self.args.extra,
                "numbers": self.numbers,
            }
            (tmp / "numbers.json").write_text(json.dumps(_plain(meta), indent=2) + "\n")
        print(f"wrote {out}")
        return out


def day_axis(fig: go.Figure, last_day: float, title: str = "day", **where: Any) -> go.Figure:
    """Make x axes of ``fig`` a time axis in days, ticked every week or month.

    Weeks for runs up to about three months, months beyond (:func:`dyadsim.timeunits.
    time_ticks`); ``where`` picks the axes as ``fig.update_xaxes`` does (``row=1, col=2``).

    Example:
        >>> day_axis(fig, args.steps, row=2, col=1)  # doctest: +SKIP
    """
    return fig.update_xaxes(**time_axis(last_day, title), **where)


def browser_path() -> str | None:
    """The browser kaleido will use: ``$BROWSER_PATH``, else Chromium on PATH."""
    return os.environ.get("BROWSER_PATH") or shutil.which("chromium") or shutil.which(
        "chromium-browser")


DEAD_PROXY = "127.0.0.1:9"
"""The proxy kaleido's Chromium is given: the discard port on loopback, where nothing
listens, so an http(s) request to any other host is refused at once."""
RENDER_TIMEOUT = 120
"""Seconds kaleido may take to draw any one figure before it gives up with an error."""


def kaleido_options(path: str) -> dict[str, object]:
    """Options for a kaleido session that fetches nothing from the network.

    MathJax off (kaleido's default loads it from a CDN: on a machine without internet the
    browser then waits on the network) and every http(s) request to another host sent to
    :data:`DEAD_PROXY`; plotly.js is the copy installed with plotly.
    """
    return {"path": path, "mathjax": False, "proxy_server": DEAD_PROXY,
            "timeout": RENDER_TIMEOUT}


DRAW_DEADLINE = 180
"""Seconds one kaleido session may take in all before it is killed (and tried once more).

Kaleido's own per-figure timeout does not cover every way its browser can hang (starting
up, or a render that never reports back: plotly/Kaleido#419 and #433), so the session runs
in a process group of its own that is killed whole at this deadline."""
DRAW_TRIES = 2

_DRAW = """
import json, sys
import kaleido
spec = json.load(open(sys.argv[1], encoding="utf-8"))
kaleido.write_fig_from_object_sync(spec["jobs"], kopts=spec["kopts"])
"""


def write_pngs(figures: dict[str, go.Figure], folder: Path,
               deadline: float = DRAW_DEADLINE) -> None:
    """Draw figures as ``<name>.png`` in ``folder``, all in one offline kaleido session.

    The session runs in a child process (its own process group, with its Chromium); if it
    has not finished within ``deadline`` seconds it is killed and started once more, and a
    second hang is an error that says so (never a wait without end).

    Raises:
        RuntimeError: No Chromium was found, or kaleido failed or hung twice.
    """
    path = browser_path()
    if path is None:
        raise RuntimeError("no Chromium found for kaleido (install Debian's chromium, or "
                           "set BROWSER_PATH)")
    opts = {"format": "png", "width": FIGURE_WIDTH, "height": FIGURE_HEIGHT, "scale": 1}
    jobs = [{"fig": fig.to_plotly_json(), "path": str(folder / f"{name}.png"), "opts": opts}
            for name, fig in figures.items()]
    spec = folder / ".kaleido-jobs.json"
    spec.write_text(json.dumps({"jobs": jobs, "kopts": kaleido_options(path)},
                               cls=PlotlyJSONEncoder), encoding="utf-8")
    try:
        problem = ""
        for _ in range(DRAW_TRIES):
            problem = _draw_once(spec, deadline)
            if not problem:
                return
        raise RuntimeError(f"kaleido could not draw the figures: {problem}")
    finally:
        spec.unlink(missing_ok=True)


def _draw_once(spec: Path, deadline: float) -> str:
    """One kaleido session in its own process group; ``""`` if it drew everything."""
    proc = subprocess.Popen([sys.executable, "-c", _DRAW, str(spec)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        _, err = proc.communicate(timeout=deadline)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # kaleido and its Chromium
        proc.communicate()
        return f"no answer within {deadline:g} s"
    if proc.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {proc.returncode}"
    return ""


def rgba(hex_colour: str, alpha: float) -> str:
    """A ``#RRGGBB`` colour with transparency (``rgba(...)``), for interval bands."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def band(x: Any, low: Any, high: Any, colour: str, alpha: float = 0.25) -> go.Scatter:
    """A shaded interval band from ``low`` to ``high`` over ``x`` (no legend, no hover)."""
    x = np.asarray(x)
    return go.Scatter(x=np.r_[x, x[::-1]], y=np.r_[np.asarray(high), np.asarray(low)[::-1]],
                      fill="toself", fillcolor=rgba(colour, alpha), line={"width": 0},
                      hoverinfo="skip", showlegend=False)
