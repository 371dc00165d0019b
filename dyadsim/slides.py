"""A run for slides: its settings in words, and an animated GIF or MP4 of it.

The frames are drawn with Pillow, not with kaleido: kaleido takes about 0.4 s a frame in one
browser session (measured, 960 x 540), so 60 frames would hold a request for 25 s, while
Pillow draws a frame in milliseconds. Each frame shows the time series up to the frame's
day (pursuit, withdrawal, closeness; the pursue-withdraw waves shaded as far as they have
come, the scenario's events marked) beside the phase portrait's path so far, on the
region where the classifier counts the pursue-withdraw loop (``p_a w_b >= PW_ON``).

The GIF and the MP4 are the same frames from one generator (:func:`frame_images`). The MP4
is H.264 in yuv420p, which every slide program and browser plays; it is encoded by the
ffmpeg binary that the ``imageio-ffmpeg`` wheel bundles, fed one frame at a time, into a
temporary file that is renamed only once the encode has finished.

Sizes and frame counts are checked against their bounds before anything is allocated.
"""

from __future__ import annotations

import io
import math
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dyadsim import outcomes
from dyadsim.files import write_atomic
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
#: The MP4's frames per second: each frame shown 0.2 s, so 60 frames run 12 s, slow enough
#: to talk over; the last frame is repeated to rest on the ending for about LAST_FRAME_MS.
MP4_FPS = 5
MP4_HOLD = max(0, round(LAST_FRAME_MS * MP4_FPS / 1000) - 1)
#: H.264's constant rate factor (0 lossless, 51 worst; 18-23 looks clean on flat graphics).
MP4_CRF = 20
#: What to install when no ffmpeg is found (one line).
FFMPEG_HINT = ("MP4 export needs ffmpeg: pip install imageio-ffmpeg (its wheel bundles "
               "ffmpeg), or set IMAGEIO_FFMPEG_EXE to an ffmpeg binary")

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


class VideoError(RuntimeError):
    """The MP4 could not be made: no ffmpeg, or ffmpeg failed. The message is one line."""


def frame_images(traj: Any, title: str, footer: Sequence[str],
                 names: Sequence[str] = ("A", "B"), frames: int = FRAMES,
                 size: tuple[int, int] = SIZE, events: Sequence[tuple[int, str]] = (),
                 ending: str = "") -> Iterator[Any]:
    """The frames of a run for slides, one Pillow image (palette mode) at a time.

    The bounds are checked when this is called, before any frame is drawn; the frames are
    drawn as they are taken. :func:`run_gif` and :func:`run_mp4` show exactly these.

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
    return _frames(traj, title, footer, names, frames, size, events, ending)


def _frames(traj: Any, title: str, footer: Sequence[str], names: Sequence[str], frames: int,
            size: tuple[int, int], events: Sequence[tuple[int, str]],
            ending: str) -> Iterator[Any]:
    canvas = _Canvas(traj, title, list(footer)[:4], names, size, events)
    rows = frame_rows(len(traj), frames)
    last = int(canvas.steps[-1])
    for r in rows[:-1]:
        yield canvas.frame(r, f"day {int(canvas.steps[r])} of {last}")
    yield canvas.frame(rows[-1], f"day {last}: {ending}" if ending else f"day {last} of {last}")


def run_gif(traj: Any, title: str, footer: Sequence[str], names: Sequence[str] = ("A", "B"),
            frames: int = FRAMES, size: tuple[int, int] = SIZE,
            events: Sequence[tuple[int, str]] = (), ending: str = "") -> bytes:
    """An animated GIF of one run: the time series and the phase path growing day by day.

    Each frame is shown :data:`FRAME_MS`, the last :data:`LAST_FRAME_MS`; it loops. The
    arguments are :func:`frame_images`'s.

    Raises:
        ValueError: ``frames`` or ``size`` out of bounds, or an empty trajectory (one line).
    """
    images = list(frame_images(traj, title, footer, names, frames, size, events, ending))
    buf = io.BytesIO()
    durations = [FRAME_MS] * (len(images) - 1) + [LAST_FRAME_MS]
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:],
                   duration=durations, loop=0, optimize=False, disposal=1)
    return buf.getvalue()


def ffmpeg_exe() -> str:
    """The ffmpeg binary the MP4 is encoded with (``imageio-ffmpeg``'s, or its setting).

    Raises:
        VideoError: ``imageio-ffmpeg`` is not installed, or it finds no ffmpeg that runs
            (one line saying what to install).
    """
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        raise VideoError(FFMPEG_HINT) from None
    found = shutil.which(exe)
    if found is None:
        raise VideoError(f"{FFMPEG_HINT} (no ffmpeg runs at {str(exe)[:80]!r})")
    return found


def mp4_size(size: tuple[int, int]) -> tuple[int, int]:
    """The MP4's (width, height): ``size`` padded to even numbers, as yuv420p needs."""
    return size[0] + size[0] % 2, size[1] + size[1] % 2


def _encode(path: Path, images: Iterator[Any], size: tuple[int, int]) -> None:
    """Encode ``images`` (drawn at ``size``) as H.264 into ``path``, one frame at a time."""
    import imageio_ffmpeg

    width, height = mp4_size(size)
    canvas = np.full((height, width, 3), 255, dtype=np.uint8)  # the padding stays white
    writer = imageio_ffmpeg.write_frames(
        str(path), (width, height), fps=MP4_FPS, codec="libx264", pix_fmt_out="yuv420p",
        quality=None, macro_block_size=2, ffmpeg_log_level="error",
        output_params=["-crf", str(MP4_CRF), "-preset", "medium", "-tune", "animation",
                       "-movflags", "+faststart", "-f", "mp4"])
    try:
        writer.send(None)  # starts ffmpeg
        sent = 0
        for image in images:
            canvas[: size[1], : size[0]] = np.asarray(image.convert("RGB"))
            writer.send(canvas)
            sent += 1
        for _ in range(MP4_HOLD if sent else 0):
            writer.send(canvas)
    except (OSError, RuntimeError) as err:
        text = str(err).strip()
        first = text.splitlines()[0] if text else type(err).__name__
        raise VideoError(f"ffmpeg could not encode the MP4: {first[:200]}") from None
    finally:
        writer.close()  # waits for ffmpeg to finish the file (it reports no exit status)
    with open(path, "rb") as done:
        head = done.read(1 << 16)
    if head[4:8] != b"ftyp" or b"moov" not in head:  # +faststart puts moov up front
        raise VideoError("ffmpeg could not encode the MP4: it wrote no complete file (see "
                         "its message above)")


def run_mp4(path: Path | str, traj: Any, title: str, footer: Sequence[str],
            names: Sequence[str] = ("A", "B"), frames: int = FRAMES,
            size: tuple[int, int] = SIZE, events: Sequence[tuple[int, str]] = (),
            ending: str = "") -> None:
    """Write the run as an MP4 (H.264, yuv420p) to ``path``: the GIF's frames, for slides.

    The frames are :func:`frame_images`'s at :data:`MP4_FPS`, the last one repeated
    :data:`MP4_HOLD` times more; an odd width or height gets one white pixel row or column
    (:func:`mp4_size`). The video goes to a temporary file beside ``path`` that is renamed
    once it is whole, so a failed encode leaves no file. The other arguments are
    :func:`frame_images`'s.

    Raises:
        ValueError: ``frames`` or ``size`` out of bounds, or an empty trajectory (one line).
        VideoError: No ffmpeg (what to install), or ffmpeg failed (one line).
    """
    images = frame_images(traj, title, footer, names, frames, size, events, ending)
    checked = check_frames(frames, size)[1]
    ffmpeg_exe()
    write_atomic(Path(path), lambda tmp: _encode(tmp, images, checked))


def mp4_bytes(traj: Any, title: str, footer: Sequence[str], names: Sequence[str] = ("A", "B"),
              frames: int = FRAMES, size: tuple[int, int] = SIZE,
              events: Sequence[tuple[int, str]] = (), ending: str = "") -> bytes:
    """The MP4 of :func:`run_mp4` as bytes, encoded in a private temporary folder.

    Raises:
        ValueError: ``frames`` or ``size`` out of bounds, or an empty trajectory (one line).
        VideoError: No ffmpeg (what to install), or ffmpeg failed (one line).
    """
    with tempfile.TemporaryDirectory(prefix="dyadsim-mp4-") as folder:
        target = Path(folder) / "run.mp4"
        run_mp4(target, traj, title, footer, names, frames, size, events, ending)
        return target.read_bytes()
