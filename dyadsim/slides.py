"""A run for slides: its settings in words, and an animated GIF of it.

The GIF is drawn with Pillow, not with kaleido: kaleido takes about 0.4 s a frame in one
browser session (measured, 960 x 540), so 60 frames would hold a request for 25 s, while
Pillow draws a frame in milliseconds. Each frame shows the time series up to the frame's
day (pursuit, withdrawal, closeness; the pursue-withdraw waves shaded as far as they have
come, the scenario's events marked) beside the phase portrait's path so far, on the
region where the classifier counts the pursue-withdraw loop (``p_a w_b >= PW_ON``).

Sizes and frame counts are checked against their bounds before anything is allocated.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from dyadsim import outcomes
from dyadsim.params import REGISTRY, make_params

#: Frames per GIF: allowed range and default; milliseconds a frame is shown.
FRAMES_RANGE = (2, 120)
FRAMES = 60
FRAME_MS = 120
#: The last frame is held this long, so a looping slide rests on the ending.
LAST_FRAME_MS = 2500
#: Allowed pixel sizes (width, height) and the default.
WIDTH_RANGE, HEIGHT_RANGE = (480, 1600), (270, 900)
SIZE = (960, 540)

#: The GIF's palette, by index: white, ink, grid, A, B, closeness, loop region, path, the
#: shading of a pursue-withdraw wave (as :data:`dyadsim.plots.SHADE` on white), events.
PALETTE = ((255, 255, 255), (30, 30, 30), (215, 215, 215), (213, 94, 0), (0, 114, 178),
           (0, 158, 115), (250, 233, 199), (85, 85, 85), (250, 236, 209), (120, 120, 120))
WHITE, INK, GRID, COLOUR_A, COLOUR_B, CLOSE, REGION, PATH, WAVE, EVENT = range(len(PALETTE))
FONT_FILE = "DejaVuSans.ttf"


def settings_lines(params: Mapping[str, Any], names: Sequence[str] = ("A", "B"),
                   width: int = 110, max_lines: int = 3) -> list[str]:
    """The settings that differ from the registry's defaults, in words, wrapped.

    ``run.seed`` is left out (it is shown on its own). A value equal to its default within
    1e-9 is left out; lines beyond ``max_lines`` are cut to a count of what is left.
    """
    defaults = make_params({})
    parts: list[str] = []
    for key, value in params.items():
        if key == "run.seed" or key not in REGISTRY:
            continue
        default = defaults.get(key)
        if isinstance(default, (int, float)) and isinstance(value, (int, float)) and math.isclose(
                float(value), float(default), abs_tol=1e-9):
            continue
        param = REGISTRY[key]
        who = {"partner_a": f" ({names[0]})", "partner_b": f" ({names[1]})"}.get(param.group, "")
        shown = f"{value:g}" if isinstance(value, (int, float)) else str(value)
        parts.append(f"{param.label.lower()}{who} {shown}")
    if not parts:
        return ["registry defaults"]
    lines: list[str] = []
    for i, part in enumerate(parts):
        if lines and len(lines[-1]) + len(part) + 2 <= width:
            lines[-1] += f", {part}"
        elif len(lines) < max_lines:
            lines.append(part)
        else:
            lines[-1] += f" and {len(parts) - i} more"
            break
    return lines


def check_frames(frames: Any, size: Any) -> tuple[int, tuple[int, int]]:
    """``frames`` and ``size`` (width, height) if within their bounds.

    Raises:
        ValueError: One line naming the key, the value and what is allowed.
    """
    low, high = FRAMES_RANGE
    if isinstance(frames, bool) or not isinstance(frames, int) or not low <= frames <= high:
        raise ValueError(f"frames = {str(frames)[:40]!r}: not allowed; allowed: a whole number "
                         f"in [{low}, {high}]")
    ok = (isinstance(size, (tuple, list)) and len(size) == 2
          and all(isinstance(v, int) and not isinstance(v, bool) for v in size)
          and WIDTH_RANGE[0] <= size[0] <= WIDTH_RANGE[1]
          and HEIGHT_RANGE[0] <= size[1] <= HEIGHT_RANGE[1])
    if not ok:
        raise ValueError(f"size = {str(size)[:40]!r}: not allowed; allowed: (width, height) "
                         f"in {list(WIDTH_RANGE)} x {list(HEIGHT_RANGE)} pixels")
    return frames, (int(size[0]), int(size[1]))


def frame_rows(n_rows: int, frames: int) -> list[int]:
    """The trajectory rows the frames end at: evenly spaced, the last one the run's end."""
    count = min(frames, n_rows)
    return sorted({round(float(r)) for r in np.linspace(0, n_rows - 1, count)})


def _font(size: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.truetype(FONT_FILE, size)
    except OSError:
        return ImageFont.load_default(size)


class _Canvas:
    """The frame's fixed parts (axes, labels, the loop region) and where each series goes."""

    def __init__(self, traj: Any, title: str, footer: Sequence[str],
                 names: Sequence[str], size: tuple[int, int],
                 events: Sequence[tuple[int, str]] = ()) -> None:
        from PIL import Image, ImageDraw

        w, h = size
        self.small, self.big = _font(max(11, h // 40)), _font(max(14, h // 24))
        line = max(12, h // 36)
        top = 14 + int(h / 24) + 2 * line
        bottom = h - 8 - line * (len(footer) + 2)
        self.steps = np.asarray(traj["step"], dtype=float)
        last = max(float(self.steps[-1]), 1.0)
        side = min(int(w * 0.34), bottom - top - 30)
        self.phase = (w - side - 20, top + 10, w - 20, top + 10 + side)
        left, right = 60, self.phase[0] - 60
        panels = (("pursuit", "Pursuit"), ("withdrawal", "Withdrawal"),
                  ("closeness", "Closeness"))
        gap = (bottom - top) / len(panels)
        self.boxes = {key: (left, int(top + k * gap + line + 4), right,
                            int(top + (k + 1) * gap - 6)) for k, (key, _) in enumerate(panels)}
        self.series: list[tuple[np.ndarray, int, str]] = []
        img = Image.new("P", size, WHITE)
        img.putpalette([c for rgb in PALETTE for c in rgb])
        draw = ImageDraw.Draw(img)
        draw.text((left, 10), title, fill=INK, font=self.big)
        for k, text in enumerate(footer):
            draw.text((left, bottom + 2 * line + k * line), text, fill=INK, font=self.small)
        for key, label in panels:
            x0, y0, x1, y1 = self.boxes[key]
            draw.text((x0, y0 - line - 2), label, fill=INK, font=self.small)
            draw.rectangle((x0, y0, x1, y1), outline=GRID)
            cols = ([f"partner_a.{key}", f"partner_b.{key}"] if key != "closeness"
                    else ["dyad.closeness"])
            for col, colour in zip(cols, (COLOUR_A, COLOUR_B) if len(cols) == 2 else (CLOSE,),
                                   strict=True):
                xs = x0 + (x1 - x0) * self.steps / last
                ys = y1 - (y1 - y0) * np.clip(np.asarray(traj[col], dtype=float), 0, 1)
                self.series.append((np.column_stack([xs, ys]), colour, col))
        self.waves = [(left + (right - left) * (start + 1) / last,
                       left + (right - left) * end / last)
                      for start, end in outcomes.waves(outcomes.pursue_withdraw(traj)[1:])]
        self.events = [(left + (right - left) * day / last, label[:40])
                       for day, label in events if 0 <= day <= last]
        x0, y0, x1, y1 = self.boxes["closeness"]
        draw.text((x0, y1 + 2), "day 0", fill=INK, font=self.small)
        draw.text((x1 - 60, y1 + 2), f"day {int(last)}", fill=INK, font=self.small)
        self._phase_axes(draw, traj, names, line)
        legend = ((f"{names[0]}", COLOUR_A), (f"{names[1]}", COLOUR_B), ("closeness", CLOSE),
                  ("pursue-withdraw wave", WAVE))
        x, y = left, 14 + int(h / 24) + 4
        for text, colour in legend:
            draw.rectangle((x, y + 3, x + 18, y + 15), fill=colour)
            draw.text((x + 24, y), text, fill=INK, font=self.small)
            x += 24 + int(draw.textlength(text, font=self.small)) + 20
        self.background = img

    def _phase_axes(self, draw: Any, traj: Any, names: Sequence[str], line: int) -> None:
        x0, y0, x1, y1 = self.phase
        side = x1 - x0
        grid = (np.arange(side) + 0.5) / side
        # the loop region: A's pursuit x B's withdrawal at or above the classifier's PW_ON
        for k, wy in enumerate(grid[::-1]):
            inside = np.nonzero(grid * wy >= outcomes.PW_ON)[0]
            if inside.size:
                draw.line((x0 + int(inside[0]), y0 + k, x1 - 1, y0 + k), fill=REGION)
        draw.rectangle(self.phase, outline=GRID)
        draw.text((x1 - 8, y0 + 4), "pursue-withdraw loop", fill=INK, font=self.small,
                  anchor="ra")
        draw.text((x0, y0 - line - 4), f"Phase portrait: \u2191 {names[1]}'s withdrawal",
                  fill=INK, font=self.small)
        draw.text((x1, y1 + 4), f"{names[0]}'s pursuit \u2192", fill=INK, font=self.small,
                  anchor="ra")
        px = np.clip(np.asarray(traj["partner_a.pursuit"], dtype=float), 0, 1)
        wy = np.clip(np.asarray(traj["partner_b.withdrawal"], dtype=float), 0, 1)
        self.path = np.column_stack([x0 + side * px, y1 - side * wy])

    def frame(self, row: int, day_text: str) -> Any:
        """The frame that shows every series up to trajectory row ``row``."""
        from PIL import ImageDraw

        img = self.background.copy()
        draw = ImageDraw.Draw(img)
        now = self.series[0][0][row][0]
        for start, end in self.waves:
            if start <= now:
                for _, y0, _, y1 in self.boxes.values():
                    draw.rectangle((start, y0 + 1, min(end, now), y1 - 1), fill=WAVE)
        for x, label in self.events:
            for _, y0, _, y1 in self.boxes.values():
                draw.line((x, y0, x, y1), fill=EVENT, width=1)
            draw.text((x + 3, self.boxes["pursuit"][1] + 2), label, fill=INK, font=self.small)
        for points, colour, _ in self.series:
            draw.line([tuple(p) for p in points[: row + 1]], fill=colour, width=2)
        draw.line([tuple(p) for p in self.path[: row + 1]], fill=PATH, width=1)
        cx, cy = self.path[row]
        draw.ellipse((cx - 7, cy - 7, cx + 7, cy + 7), fill=COLOUR_A, outline=INK)
        draw.text((self.background.width - 20, 14), day_text, fill=INK, font=self.big,
                  anchor="ra")
        return img


def run_gif(traj: Any, title: str, footer: Sequence[str], names: Sequence[str] = ("A", "B"),
            frames: int = FRAMES, size: tuple[int, int] = SIZE,
            events: Sequence[tuple[int, str]] = (), ending: str = "") -> bytes:
    """An animated GIF of one run: the time series and the phase path growing day by day.

    Args:
        traj: The run's trajectory (``step`` and the partners' pursuit and withdrawal, the
            couple's closeness; one row a day).
        title: The line at the top (the scenario, the seed).
        footer: Lines at the bottom (the settings); at most 4 are drawn.
        names: The partners' names.
        frames: How many frames (fewer if the run has fewer days), in :data:`FRAMES_RANGE`.
        size: (width, height) in pixels, within :data:`WIDTH_RANGE` x :data:`HEIGHT_RANGE`.
        events: (day, label) of the scenario's events, marked with a line from the start.
        ending: Words the last frame shows beside its day (the outcome), so the loop
            rests on how the run ended and no earlier frame gives it away.

    Raises:
        ValueError: ``frames`` or ``size`` out of bounds, or an empty trajectory (one line).
    """
    frames, size = check_frames(frames, size)
    if len(traj) == 0:
        raise ValueError("trajectory: empty; allowed: a run of at least one day")
    canvas = _Canvas(traj, title, list(footer)[:4], names, size, events)
    rows = frame_rows(len(traj), frames)
    last = int(canvas.steps[-1])
    images = [canvas.frame(r, f"day {int(canvas.steps[r])} of {last}") for r in rows[:-1]]
    images.append(canvas.frame(rows[-1], f"day {last}: {ending}" if ending
                               else f"day {last} of {last}"))
    buf = io.BytesIO()
    durations = [FRAME_MS] * (len(images) - 1) + [LAST_FRAME_MS]
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:],
                   duration=durations, loop=0, optimize=False, disposal=1)
    return buf.getvalue()
