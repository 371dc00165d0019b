"""The teacher's screen and the debrief for a class played in pairs (:mod:`.pairs`).

Everything is counted per couple: trapped, settled, apart (or waiting for its first week),
and under each side's most-played move, so the class sees which strategies of Sam (A) and
of Alex (B) led where. Where the model stood in for a side, that week's move counts as
:data:`~dashboard.classroom.game.MODEL`.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from typing import Any

from dashboard.classroom import game, pairs
from dashboard.classroom.store import Store

GROUPS = ("trapped", "settled", "apart")


def labels() -> dict[str, str]:
    """Each strategy key (``"a:press"``) in words for the teacher's table."""
    out = {}
    for side, who in (("a", "A (Sam)"), ("b", "B (Alex)")):
        for m in game.SIDES[side].values():
            out[f"{side}:{m.name}"] = f"{who}: {m.label}"
        out[f"{side}:{game.MODEL}"] = f"{who}: the model's own"
    return out


def _overdue(db: sqlite3.Connection, session: int) -> list[int]:
    """Couples with a move in for a week that has not run (a timeout or a leaver may be due)."""
    return [r[0] for r in db.execute(
        "SELECT DISTINCT couple FROM submits s WHERE session=? AND NOT EXISTS (SELECT 1 FROM "
        "couple_weeks w WHERE w.session=s.session AND w.couple=s.couple AND w.week=s.week)",
        (session,))]


def couples(store: Store, sess: sqlite3.Row) -> list[dict[str, Any]]:
    """Every couple of a session: its students, its weeks, outcome and strategies so far."""
    with store.connect() as db:
        due = _overdue(db, sess["id"])
    for couple in due:  # the teacher's screen polls too: it settles weeks nobody waits on
        pairs.settle(store, sess, couple)
    with store.connect() as db:
        students = db.execute("SELECT * FROM students WHERE session=? ORDER BY number",
                              (sess["id"],)).fetchall()
        weeks = db.execute("SELECT * FROM couple_weeks WHERE session=? ORDER BY couple, week",
                           (sess["id"],)).fetchall()
    by_couple: dict[int, dict[str, Any]] = {}
    for s in students:
        c = by_couple.setdefault(pairs.couple_of(s["number"]), {"weeks": []})
        c[pairs.side_of(s["number"])] = {"name": s["name"], "left": bool(s["left"])}
    for w in weeks:
        by_couple.setdefault(w["couple"], {"weeks": []})["weeks"].append(w)
    return [_couple_view(n, c) for n, c in sorted(by_couple.items())]


def _couple_view(number: int, c: dict[str, Any]) -> dict[str, Any]:
    weeks = c["weeks"]
    out: dict[str, Any] = {"couple": number, "a": c.get("a"), "b": c.get("b"),
                           "weeks": len(weeks), "outcome": None, "group": "waiting",
                           "stood_in": sum(bool(w["why_a"]) + bool(w["why_b"]) for w in weeks)}
    for side in ("a", "b"):
        played = [w[f"move_{side}"] for w in weeks]
        out[f"played_{side}"] = played
        out[f"strategy_{side}"] = Counter(played).most_common(1)[0][0] if played else None
    if weeks:
        rows: list[list[float]] = []
        for w in weeks:
            rows += json.loads(w["rows"])
        out["outcome"] = game.outcome(rows, bool(json.loads(weeks[-1]["now"])[4]))
        out["group"] = game.GROUPS[out["outcome"]]
    return out


def class_view(store: Store, sess: sqlite3.Row) -> dict[str, Any]:
    """The teacher's screen for pairs: counts per couple and both sides' strategies."""
    listed = couples(store, sess)
    with store.connect() as db:
        students = db.execute("SELECT COUNT(*) FROM students WHERE session=?",
                              (sess["id"],)).fetchone()[0]
        moves = db.execute("SELECT COUNT(*) FROM submits WHERE session=?",
                           (sess["id"],)).fetchone()[0]
    groups = Counter(c["group"] for c in listed)
    strategies: dict[str, Counter[str]] = {key: Counter() for key in labels()}
    for c in listed:
        if c["outcome"] is None:
            continue
        for side in ("a", "b"):
            strategies[f"{side}:{c[f'strategy_{side}']}"][c["group"]] += 1
    return {"code": sess["code"], "mode": "pairs", "closed": bool(sess["closed"]),
            "weeks": sess["weeks"], "students": students, "couples": len(listed),
            "moves": moves, "weeks_played": sum(c["weeks"] for c in listed),
            "now": {g: groups[g] for g in (*GROUPS, "waiting")},
            "strategies": {k: dict(v) for k, v in strategies.items()}, "labels": labels(),
            "list": listed}


def debrief(store: Store, sess: sqlite3.Row) -> dict[str, Any]:
    """The class's couples against the same couples with B reassuring, and as the model plays.

    ``antidote``: partner B reassures every week, partner A as the model has them;
    ``model``: both partners as the model has them. Same seeds, same number of weeks.
    """
    counts = {k: Counter() for k in ("class", "antidote", "model")}
    by_weeks: dict[int, list[int]] = {}
    for c in couples(store, sess):
        if c["outcome"] is None:
            continue
        counts["class"][c["group"]] += 1
        by_weeks.setdefault(c["weeks"], []).append(game.couple_seed(sess["seed"], c["couple"]))
    for weeks, seeds in by_weeks.items():
        for key, move in (("antidote", "reassure"), ("model", game.MODEL)):
            for outcome in game.engine_outcomes(seeds, weeks, move):
                counts[key][game.GROUPS[outcome]] += 1
    return {k: {g: c[g] for g in GROUPS} for k, c in counts.items()}
