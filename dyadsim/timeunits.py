"""What an episode is in real time: one day of a couple's interactions.

One step of the model is one day: the texts, calls, meals and evenings of a day between two
partners, read as one interaction episode (daily-diary studies of couples sample at this
grain, for example Campbell, Simpson, Boldry & Kashy 2005). Every rate with the unit "per
episode" is therefore a rate per day, and every count of steps is a count of days. This
module holds the conversions, so the command line, the plots and the dashboard say weeks
and months the same way.
"""

from __future__ import annotations

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


def day_label(day: int) -> str:
    """A day as a reader would place it: ``"day 45 (week 7)"``."""
    return f"day {day} (week {day // DAYS_PER_WEEK + 1})"
