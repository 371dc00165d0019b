"""Every component id of the dashboard, written once.

Plain ids are string constants, grouped by the page that owns the component; ids of
generated components (one per parameter, page, lesson or sample run) are small functions
returning Dash pattern dicts (given ``dash.ALL``, the pattern matching all of them), and
the pattern's ``type`` is a constant too. No other module writes an id as a string
literal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Job:
    """The ids of a background job's Run and Cancel buttons, progress bar and status line."""

    name: str

    @property
    def run(self) -> str:
        """The Run button."""
        return f"{self.name}-run"

    @property
    def cancel(self) -> str:
        """The Cancel button."""
        return f"{self.name}-cancel"

    @property
    def progress(self) -> str:
        """The progress bar."""
        return f"{self.name}-progress"

    @property
    def status(self) -> str:
        """The status line."""
        return f"{self.name}-status"


class Shell:
    """The app's frame: location, navigation, message line, share link and stores."""

    URL = "url"
    MESSAGE = "message"
    SHARE_LINK = "share-link"
    VIEW = "view"
    SWEEP_SPEC = "sweep-spec"
    COMPARE_SPEC = "compare-spec"
    DOWNLOAD = "download"
    NAV = "nav"  # pattern type: one button per page

    @staticmethod
    def page(name: str) -> str:
        """The div that holds page ``name``."""
        return f"page-{name}"

    @staticmethod
    def nav(page: Any) -> dict[str, Any]:
        """The navigation button of ``page``."""
        return {"type": Shell.NAV, "page": page}


class Couple:
    """One couple: scenario, seed, sliders, playback, figures, exports."""

    SCENARIO = "scenario"
    UPLOAD = "upload"
    SEED = "seed"
    RESTORE = "restore"
    RESET = "reset"
    STEP = "step"
    PLAY = "play"
    SPEED = "speed"
    TICKER = "ticker"
    CURSOR = "cursor"
    RENDERED = "rendered"
    CAPTION = "caption"
    OUTCOME = "outcome"
    GRAPH = "couple-graph"
    PHASE = "phase-graph"
    WORLD = "world-graph"
    LESSON_PANEL = "lesson-panel"
    LESSON_STEP = "lesson-step"  # pattern type: the Back and Next buttons of a lesson
    NOTICE = "notice"  # pattern type: a lesson's "what to notice" item that shows its day
    EXPORT_PNG = "export-png"
    EXPORT_SVG = "export-svg"
    EXPORT_CSV = "export-csv"
    EXPORT_TOML = "export-toml"
    EXPORT_GIF = "export-gif"
    EXPORT_MP4 = "export-mp4"
    EXPORT_HTML = "export-html"
    PARAM = "param"  # pattern type: one control per registry parameter

    @staticmethod
    def param(name: Any) -> dict[str, Any]:
        """The control of registry parameter ``name``."""
        return {"type": Couple.PARAM, "name": name}

    @staticmethod
    def lesson_step(name: Any) -> dict[str, Any]:
        """A lesson panel's button that opens lesson (library scenario) ``name``."""
        return {"type": Couple.LESSON_STEP, "name": name}

    @staticmethod
    def notice(index: Any) -> dict[str, Any]:
        """The button of the lesson's ``index``-th notice: it moves playback to its start."""
        return {"type": Couple.NOTICE, "index": index}

    @staticmethod
    def legend(group: str) -> str:
        """The legend of a parameter group's fieldset."""
        return f"legend-{group}"


class Sweep:
    """Sweep two parameters: axes, size, heatmap, sample runs of a clicked cell."""

    X_NAME = "x-name"
    X_LOW = "x-low"
    X_HIGH = "x-high"
    Y_NAME = "y-name"
    Y_LOW = "y-low"
    Y_HIGH = "y-high"
    POINTS = "points"
    REPS = "reps"
    SHOW = "show"
    OVERLAY = "overlay"
    JOB = Job("sweep")
    MEANFIELD_STATUS = "meanfield-status"
    EXPORT_PNG = "sweep-export-png"
    EXPORT_CSV = "sweep-export-csv"
    HEATMAP = "heatmap"
    CELL_GRAPH = "cell-graph"
    CELL_RUNS = "cell-runs"
    RESULT = "sweep-result"
    MEANFIELD_RESULT = "meanfield-result"
    CELL_VIEWS = "cell-views"
    OPEN_RUN = "open-run"  # pattern type: one button per sample run

    @staticmethod
    def axis(key: str, part: str) -> str:
        """An axis control: ``key`` is ``x`` or ``y``, ``part`` is name, low or high."""
        return {("x", "name"): Sweep.X_NAME, ("x", "low"): Sweep.X_LOW,
                ("x", "high"): Sweep.X_HIGH, ("y", "name"): Sweep.Y_NAME,
                ("y", "low"): Sweep.Y_LOW, ("y", "high"): Sweep.Y_HIGH}[(key, part)]

    @staticmethod
    def open_run(index: Any) -> dict[str, Any]:
        """The button that opens sample run ``index`` on the couple page."""
        return {"type": Sweep.OPEN_RUN, "index": index}


class Compare:
    """Two scenarios or settings side by side."""

    A_SIDE = "a-side"
    A_WITHOUT = "a-without"
    B_SIDE = "b-side"
    B_WITHOUT = "b-without"
    REPS = "compare-reps"
    JOB = Job("compare")
    GRAPH = "compare-graph"

    @staticmethod
    def side(key: str) -> str:
        """The scenario picker of side ``a`` or ``b``."""
        return {"a": Compare.A_SIDE, "b": Compare.B_SIDE}[key]

    @staticmethod
    def without(key: str) -> str:
        """The left-out events of side ``a`` or ``b``."""
        return {"a": Compare.A_WITHOUT, "b": Compare.B_WITHOUT}[key]


class About:
    """The model's description and its lessons."""

    LESSON = "lesson"  # pattern type: one button per lesson

    @staticmethod
    def lesson(name: Any) -> dict[str, Any]:
        """The button that opens lesson (library scenario) ``name``."""
        return {"type": About.LESSON, "name": name}


class Life:
    """One person's life: the person, seed, bias and caregiver; the life's timeline."""

    PERSON = "life-person"
    SEED = "life-seed"
    BIAS = "life-bias"
    CAREGIVER = "life-caregiver"
    GRAPH = "life-graph"
    SUMMARY = "life-summary"


class Population:
    """A population of lives: the bias, size and seed; the pairing matrix and shares."""

    PEOPLE = "pop-people"
    YEARS = "pop-years"
    SEED = "pop-seed"
    BIAS = "pop-bias"
    ORIGIN = "pop-origin"
    SPEC = "pop-spec"
    JOB = Job("population")
    RESULT = "pop-result"
    MATRIX = "pop-matrix"
    SHARES = "pop-shares"
