"""What an episode is in real time: one day of a couple's interactions.

One step of the model is one day: the texts, calls, meals and evenings of a day between two
partners, read as one interaction episode (daily-diary studies of couples sample at this
grain, for example Campbell, Simpson, Boldry & Kashy 2005). Every rate with the unit "per
episode" is therefore a rate per day, and every count of steps is a count of days. This
module holds the conversions, so the command line, the plots and the dashboard say weeks
and months the same way.
"""

from __future__ import annotations

from typing import Any

DAYS_PER_EPISODE = 1
"""An episode is one day."""
DAYS_PER_WEEK = 7
DAYS_PER_MONTH = 365.25 / 12
"""An average calendar month, 30.44 days."""
DAYS_PER_YEAR = 365.25

MONTH_MARKS: dict[str, int] = {"1 month": 30, "3 months": 91, "12 months": 365}
"""The days at which reports give a couple's state: one, three and twelve months in."""


def weeks(days: float) -> float:
    """Days as weeks."""
    return days / DAYS_PER_WEEK


def months(days: float) -> float:
    """Days as (average) months."""
    return days / DAYS_PER_MONTH


def describe(days: float) -> str:
    """A span of days in the unit a person would use.

    For example ``"5 days"``, ``"3 weeks"``, ``"4.5 months"`` or ``"2.0 years"``.
    """
    if days != days:  # NaN
        return "never"
    if days < 14:
        n = round(days)
        return f"{n} day" if n == 1 else f"{n} days"
    if days < 2 * DAYS_PER_MONTH:
        w = days / DAYS_PER_WEEK
        return f"{w:.0f} weeks" if abs(w - round(w)) < 0.05 else f"{w:.1f} weeks"
    if days < 2 * DAYS_PER_YEAR:
        m = days / DAYS_PER_MONTH
        return f"{m:.0f} months" if abs(m - round(m)) < 0.05 else f"{m:.1f} months"
    y = days / DAYS_PER_YEAR
    return f"{y:.1f} years"


def span(days: float) -> str:
    """A number of days, with weeks, months or years beside it where that helps.

    For example ``"5 days"``, ``"23 days (3.3 weeks)"``, ``"365 days (12 months)"``;
    ``"never"`` for NaN.
    """
    if days != days:  # NaN
        return "never"
    n = round(days)
    whole = f"{n} day" if n == 1 else f"{n} days"
    if abs(days - n) >= 0.05:
        whole = f"{days:.1f} days"
    return whole if days < 14 else f"{whole} ({describe(days)})"


def week_of(day: int) -> int:
    """The week a day falls in: days 1-7 are week 1, days 8-14 week 2 (day 0 is week 0)."""
    return -(-int(day) // DAYS_PER_WEEK)


def day_label(day: int) -> str:
    """A day as a reader would place it: ``"day 45 (week 7)"``; day 0 is ``"day 0 (the start)"``.

    Days count from 1 (the first episode); day 0 is the state before it.
    """
    if day <= 0:
        return f"day {day} (the start)"
    return f"day {day} (week {week_of(day)})"


UNIT_WORDS: dict[str, str] = {"per episode": "per day", "episodes": "days", "episode": "day"}
"""A parameter's unit as the reports say it (a rate per episode is a rate per day)."""


def unit_label(unit: str) -> str:
    """A registry unit in days: ``"per episode"`` is ``"per day"``, ``"episodes"`` ``"days"``."""
    return UNIT_WORDS.get(unit, unit)


#: The longest run whose time axis is ticked every week (about three months).
WEEKLY_TICKS_UNTIL = 91
#: Tick spacings beyond a week, in days, with the elapsed-time word of each.
_SPACINGS: tuple[tuple[float, int, str], ...] = (
    (DAYS_PER_MONTH, 1, "mo"), (3 * DAYS_PER_MONTH, 3, "mo"), (DAYS_PER_YEAR, 1, "yr"),
    (5 * DAYS_PER_YEAR, 5, "yr"), (10 * DAYS_PER_YEAR, 10, "yr"), (50 * DAYS_PER_YEAR, 50, "yr"),
)
MAX_TICKS = 26


def time_ticks(last_day: float) -> tuple[list[int], list[str]]:
    """Tick days and labels for a time axis from day 0 to ``last_day``.

    Every week for runs up to :data:`WEEKLY_TICKS_UNTIL` days (``"14<br>2 wk"``), every
    month beyond (``"61<br>2 mo"``), and every quarter, year or more for runs so long that
    monthly ticks would crowd (at most :data:`MAX_TICKS` ticks). Each label is the day and
    the time elapsed since day 0.
    """
    last = max(float(last_day), 0.0)
    if last <= WEEKLY_TICKS_UNTIL:
        count = int(last // DAYS_PER_WEEK)
        days = [DAYS_PER_WEEK * k for k in range(count + 1)]
        return days, ["0"] + [f"{d}<br>{k} wk" for k, d in enumerate(days) if k]
    size, per, word = next((s for s in _SPACINGS if last / s[0] <= MAX_TICKS), _SPACINGS[-1])
    days = [round(size * k) for k in range(int(last // size) + 2)]
    days = [d for d in days if d <= last]
    return days, ["0"] + [f"{d}<br>{per * k} {word}" for k, d in enumerate(days) if k]


def steps_span(steps: int, unit: str = "day") -> str:
    """A run's length in its unit: :func:`span` for days, ``"80 moments"`` otherwise."""
    if unit == "day":
        return span(steps)
    n = int(steps)
    return f"{n} {unit}{'' if n == 1 else 's'}"


def time_axis(last_day: float, title: str = "day", unit: str = "day") -> dict[str, Any]:
    """A Plotly axis (a plain dict) in days with week or month ticks (:func:`time_ticks`).

    A run whose steps are not days (``unit="moment"``) is ticked every 10 steps, titled
    with its unit, and never in weeks.
    """
    if unit != "day":
        return {"title": {"text": unit if title == "day" else title}, "tickmode": "linear",
                "tick0": 0, "dtick": 10}
    values, labels = time_ticks(last_day)
    return {"title": {"text": title}, "tickmode": "array", "tickvals": values,
            "ticktext": labels}
