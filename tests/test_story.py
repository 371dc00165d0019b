"""The story the captions tell: phases cut by the classifier's own rule, what began each,
how long it has lasted, how often the loop came back, and the relationship's end."""

from __future__ import annotations

import itertools
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from test_dashboard import synthetic  # the same calm couple as the caption tests

from dashboard import compute, story
from dashboard import view as views
from dashboard.caption import caption, captions
from dyadsim import outcomes
from dyadsim.timeunits import describe

NAMES = ("Sam", "Alex")


def looping(n: int, spells: list[tuple[int, int]], level: float = 0.6,
            after: float = 0.3) -> pd.DataFrame:
    """Sam pursues and Alex withdraws at ``level`` on the days of each ``[start, end)`` spell;
    between spells both sides sit at ``after`` (``after**2`` is below ``PW_OFF``)."""
    side = np.full(n, 0.1)
    for start, end in spells:
        side[start:end] = level
        side[end:] = after
    return synthetic(n, partner_a__pursuit=side, partner_b__withdrawal=side,
                     partner_a__activation=0.3 + 0.5 * side)


def first_on(traj: pd.DataFrame) -> int:
    """The first day (from day 1) the classifier's signal reaches ``PW_ON``."""
    pw = outcomes.pursue_withdraw(traj)
    return 1 + int(np.flatnonzero(pw[1:] >= outcomes.PW_ON)[0])


def loops_from_signal(traj: pd.DataFrame) -> tuple[list[int], list[int]]:
    """The loops' first days and the calms' first days, read from the classifier's episode
    mask the way the classifier merges episodes (a quiet gap under ``MIN_GAP`` days joins
    two), with the calms that the run lived through for ``MIN_GAP`` days."""
    mask = np.concatenate([[False], outcomes.episode_mask(outcomes.pursue_withdraw(traj)[1:])])
    on = np.flatnonzero(mask)
    loops, calms = [int(on[0])], []
    for prev, day in itertools.pairwise(on):
        if day - prev - 1 >= outcomes.MIN_GAP:
            calms.append(int(prev) + 1)
            loops.append(int(day))
    if len(mask) - 1 - on[-1] >= outcomes.MIN_GAP:
        calms.append(int(on[-1]) + 1)
    return loops, calms


# --- synthetic runs ------------------------------------------------------------------------


def test_the_loop_starts_on_the_day_the_signal_first_reaches_pw_on():
    n = 40
    t = synthetic(n, partner_a__pursuit=np.full(n, 0.5),
                  partner_b__withdrawal=np.linspace(0.0, 0.8, n))
    day = first_on(t)
    assert 1 < day < n - 1
    assert "No pursue-withdraw loop so far" in caption(t, day - 1, NAMES)
    assert "The pursue-withdraw loop starts: Sam pursues and Alex withdraws" in caption(
        t, day, NAMES)
    assert f"The pursue-withdraw loop has held for 2 days, since day {day}" in caption(
        t, day + 1, NAMES)


def test_the_trigger_names_unanswered_bids_and_a_scenario_event():
    n = 30
    availability = np.full(n, 0.9)
    availability[16:] = 0.2  # Alex stops answering on day 16
    withdrawal = np.full(n, 0.1)
    withdrawal[20:] = 0.6  # and the loop starts on day 20, after five missed bids
    t = synthetic(n, partner_a__pursuit=np.full(n, 0.5), partner_b__availability=availability,
                  partner_b__withdrawal=withdrawal)
    assert first_on(t) == 20
    assert "after Sam's bids went unanswered five times in a row" in caption(t, 20, NAMES)
    events = [{"step": 15, "end": 21, "label": "a silent week"}]
    assert "soon after “a silent week” began" in caption(t, 20, NAMES, events)
    assert "began" not in caption(t, 20, NAMES)


def test_a_repair_ends_the_loop_and_the_calm_says_since_when():
    t = looping(60, [(5, 26)])  # both sides halve on day 26: a repair's signature
    assert "The pursue-withdraw loop has held for 3 weeks, since day 5" in caption(t, 25, NAMES)
    assert "The loop lets up after 3 weeks: a repair calmed them both." in caption(t, 26, NAMES)
    assert "The loop has eased for 2 days, since day 26" in caption(t, 27, NAMES)
    calm = 26 + outcomes.MIN_GAP - 1  # the classifier's gap: the loop has broken
    assert "The loop has eased" in caption(t, calm - 1, NAMES)
    assert ("Out of the loop for 5 days, since day 26 (after 3 weeks in it): a repair "
            "calmed them both.") in caption(t, calm, NAMES)
    assert "Out of the loop for 4 weeks, since day 26" in caption(t, 59, NAMES)


def test_a_slow_easing_is_not_called_a_repair():
    n = 60
    withdrawal = np.full(n, 0.1)
    withdrawal[5:26] = 0.6
    withdrawal[26:] = np.maximum(0.6 - 0.1 * np.arange(1, n - 25), 0.1)  # Alex comes back
    t = synthetic(n, partner_a__pursuit=np.where(np.arange(n) >= 5, 0.6, 0.1),
                  partner_b__withdrawal=withdrawal)
    text = [c for c in captions(t, NAMES) if "The loop lets up" in c]
    assert len(text) == 1 and "repair" not in text[0], text
    assert "Alex came back towards Sam" in text[0]


def test_a_let_up_shorter_than_the_classifiers_gap_is_one_loop():
    short = outcomes.MIN_GAP - 2
    t = looping(60, [(5, 20), (20 + short, 40)], after=0.2)
    assert len(outcomes.waves(outcomes.pursue_withdraw(t)[1:])) == 1  # the classifier: one
    told = story.read(t, NAMES)
    assert [p.kind for p in told.phases] == ["before", "loop", "calm"]
    back = caption(t, 20 + short, NAMES)
    assert back.startswith(f"Day {20 + short} (week 4): Back after a short let-up: the "
                           "pursue-withdraw loop has held for 2 weeks, since day 5")  # 19 days
    long_gap = looping(60, [(5, 20), (20 + outcomes.MIN_GAP, 40)], after=0.2)
    assert len(outcomes.waves(outcomes.pursue_withdraw(long_gap)[1:])) == 2
    assert "The loop is back after 5 days out of it" in caption(
        long_gap, 20 + outcomes.MIN_GAP, NAMES)
    assert "This is the second time it has taken hold (cycling)." in caption(long_gap, 30, NAMES)


def test_a_dissolution_is_said_with_its_time():
    n, end = 400, 312
    t = looping(n, [(200, n)], level=0.7)
    t["dyad.dissolved"] = (np.arange(n) >= end).astype(float)
    text = caption(t, end, NAMES)
    assert text.startswith(f"Day {end} (week 45): Sam and Alex separate: the relationship "
                           f"lasted {describe(end)}; the loop had held for {describe(end - 200)}.")
    assert "distress" not in text  # no day's sentence once they have separated
    later = caption(t, end + 30, NAMES)
    assert f"Sam and Alex have separated (on day {end}): the relationship lasted" in later
    assert "separate" not in caption(t, end - 1, NAMES)


def test_moments_never_speak_in_weeks():
    n = 200
    t = looping(n, [(20, 60), (90, 150)])
    t["dyad.dissolved"] = (np.arange(n) >= 180).astype(float)
    text = captions(t, ("Kim", "Caregiver"), unit="moment")
    assert text[45].startswith("Moment 45: The pursue-withdraw loop has held for 26 moments, "
                               "since moment 20")
    assert text[0].startswith("Moment 0 (the start): ")
    assert "the relationship lasted 180 moments" in text[180]
    for line in text:
        assert not re.search(r"\b(week|month|year|day)s?\b", line, re.IGNORECASE), line
    assert re.search(r"\bweeks?\b", " ".join(captions(t, ("Kim", "Caregiver"))))


# --- the default trap run ------------------------------------------------------------------


@pytest.fixture(scope="module")
def trap() -> dict[str, Any]:
    view, msg = views.choose_scenario(views.default_view(), "anxious_avoidant_trap")
    assert msg == ""
    return compute.couple_run(compute.couple_key(view))


def test_the_trap_run_loop_starts_on_the_signals_first_crossing(trap):
    t = trap["traj"]
    day = first_on(t)
    text = captions(t, trap["names"], trap["events"])
    assert "The pursue-withdraw loop starts: Sam pursues and Alex withdraws" in text[day]
    assert all("No pursue-withdraw loop so far" in line for line in text[1:day])
    assert not any("loop starts" in line for line in text[day + 1:])


def test_the_trap_run_tells_one_beat_for_every_phase_of_its_signal(trap):
    """Every loop (episodes merged as the classifier merges them) and every calm between
    loops that lasted the classifier's gap opens with its own beat, so the run has at least
    1 + loops + calms distinct story sentences (the first phase: no loop yet). The default
    couple cycles in and out of the loop all year, so that is many beats, not one."""
    t, names = trap["traj"], trap["names"]
    loops, calms = loops_from_signal(t)
    told = story.read(t, names, trap["events"])
    assert [p.start for p in told.phases if p.kind == "loop"] == loops
    assert [p.start for p in told.phases if p.kind == "calm"] == calms
    lines = [story.sentence(told, i, names) for i in range(1, len(t))]
    beats = 1 + len(loops) + len(calms)
    assert len(set(lines)) >= beats >= 10, (beats, len(set(lines)))
    text = captions(t, names, trap["events"])
    for day in loops[1:]:
        assert "The loop is back after" in text[day], day
    for day in calms:
        declared = day + outcomes.MIN_GAP - 1
        assert f"Out of the loop for 5 days, since day {day} (after " in text[declared], day


def test_within_a_phase_the_sentence_holds_and_its_time_advances(trap):
    t, names = trap["traj"], trap["names"]
    told = story.read(t, names, trap["events"])
    loops = [p for p in told.phases if p.kind == "loop"]
    ends = [told.phases[k + 1].start for k, p in enumerate(told.phases) if p.kind == "loop"]
    start, end = max(zip((p.start for p in loops), ends, strict=True), key=lambda s: s[1] - s[0])
    assert end - start >= 28  # the longest loop of the year lasts weeks
    lines = [story.sentence(told, i, names) for i in range(start + 1, end)
             if told.days[i].kind == "loop"]
    forms = {re.sub(r"held for [^,]+,", "held for #,", line) for line in lines}
    assert len(forms) <= 2, forms  # the same sentence (with the wave count once it is a wave)
    held = [re.search(r"held for ([^,]+),", line).group(1) for line in lines]
    assert len(set(held)) >= 5  # days, then weeks: the time advances


def test_the_trap_run_counts_the_waves_the_classifier_counts(trap):
    t, names = trap["traj"], trap["names"]
    waves = outcomes.waves(outcomes.pursue_withdraw(t)[1:])
    assert len(waves) >= outcomes.CYCLING_EPISODES  # the default couple cycles
    told = story.read(t, names, trap["events"])
    assert told.days[-1].waves == len(waves)
    second = next(i for i, d in enumerate(told.days) if d.wave == 2)
    assert "This is the second time it has taken hold (cycling)." in story.sentence(
        told, second, names)
    assert second == waves[1][0] + 1 + outcomes.MIN_EPISODE - 1  # the day it became a wave


def test_the_story_is_told_as_it_happens(trap):
    """A day's caption reads no later day: it is the same when the run is cut there, and
    the captions of the whole run at once are each day's caption."""
    t, names, events = trap["traj"], trap["names"], trap["events"]
    whole = captions(t, names, events)
    assert len(whole) == len(t)
    for i in range(len(t)):
        assert whole[i] == caption(t.iloc[: i + 1], i, names, events), i
    for i in (1, 20, 36, 40, 100, 137, 200, len(t) - 1):
        assert whole[i] == caption(t, i, names, events), i
    assert "They are caught in the pursue-withdraw loop." not in " ".join(whole)
