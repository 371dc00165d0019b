"""Time in days, weeks and months, and the continuous indices beside the classes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dyadsim import outcomes, readout, timeunits
from dyadsim.timeunits import day_label, describe, span, time_axis, time_ticks, unit_label


@pytest.mark.parametrize("days,text", [
    (1, "1 day"), (5, "5 days"), (14, "2 weeks"), (23, "3.3 weeks"), (100, "3.3 months"),
    (365, "12 months"), (800, "2.2 years"),
])
def test_describe_picks_the_unit_a_person_would_use(days, text):
    assert describe(days) == text


@pytest.mark.parametrize("days,text", [
    (5, "5 days"), (1, "1 day"), (23, "23 days (3.3 weeks)"), (365, "365 days (12 months)"),
    (7.5, "7.5 days"), (float("nan"), "never"),
])
def test_span_gives_days_with_weeks_or_months_beside(days, text):
    assert span(days) == text


@pytest.mark.parametrize("day,text", [
    (0, "day 0 (the start)"), (1, "day 1 (week 1)"), (7, "day 7 (week 1)"),
    (8, "day 8 (week 2)"), (45, "day 45 (week 7)"),
])
def test_day_label_counts_weeks_from_day_one(day, text):
    assert day_label(day) == text


def test_units_per_episode_are_said_per_day():
    assert unit_label("per episode") == "per day"
    assert unit_label("episodes") == "days"
    assert unit_label("sd") == "sd"


def test_short_runs_are_ticked_every_week_and_longer_ones_every_month():
    days, labels = time_ticks(60)
    assert days == list(range(0, 57, 7)) and labels[2] == "14<br>2 wk"
    days, labels = time_ticks(365)
    assert len(days) == 13 and days[-1] == 365 and labels[-1] == "365<br>12 mo"
    gaps = np.diff(days)
    assert gaps.min() >= 30 and gaps.max() <= 31  # calendar months, on whole days


@pytest.mark.parametrize("last", [0, 1, 13, 91, 92, 700, 2000, 5000, 100_000])
def test_ticks_stay_few_and_inside_the_run(last):
    days, labels = time_ticks(last)
    assert days[0] == 0 and days[-1] <= last and len(days) == len(labels)
    assert len(days) <= timeunits.MAX_TICKS + 1
    assert last < 2 * timeunits.DAYS_PER_WEEK or len(days) >= 2


def test_time_axis_is_a_plain_plotly_axis_named_day():
    axis = time_axis(100)
    assert axis["title"] == {"text": "day"} and axis["tickmode"] == "array"
    assert axis["tickvals"][:2] == [0, 30] and axis["ticktext"][1] == "30<br>1 mo"


def test_every_reported_index_is_a_classifier_metric():
    assert set(readout.index_names()) <= set(outcomes.METRIC_NAMES)
    assert "pursue_withdraw_index" in readout.index_names()


def test_indices_text_names_each_index_with_its_value():
    means = {"pursue_withdraw_index": 0.1834, "mean_activation": 0.5, "closeness": math.nan,
             "satisfaction": 0.25, "episodes": 3.0}
    text = readout.indices_text(means)
    assert text == ("pursue-withdraw index 0.183, activation 0.500, closeness n/a, "
                    "satisfaction 0.250")
    assert readout.indices_text(means, 2).startswith("pursue-withdraw index 0.18,")


def test_time_metrics_are_said_in_days():
    names = readout.time_metrics()
    assert "time_to_escalation" in names and "dissolved_at" in names
    assert "satisfaction" not in names and "episodes" not in names
    assert readout.metric_unit("time_to_escalation") == "days"
    assert readout.metric_unit("episodes") == "waves"
    assert readout.is_time_metric("time_to_repair") and readout.is_time_metric("repaired_at")
    assert readout.time_label("time_to_escalation") == "time to the trap"


def test_times_over_runs_give_the_median_and_how_many_runs_had_it():
    assert readout.times_text([20, 26, np.nan]) == "median 23 days (3.3 weeks), in 2 of 3 runs"
    assert readout.times_text([np.nan, np.nan]) == "never, in 2 runs"
    assert readout.times_text([9.0]) == "9 days"
    data = readout.times_json([7, 14, 21, np.nan])
    assert data["runs"] == 3 and data["of"] == 4 and data["median_days"] == 14
    assert data["median_weeks"] == pytest.approx(2.0)
    assert readout.times_json([np.nan])["median_days"] is None
