"""Class mode in pairs: two classmates play one couple, partner A and partner B.

**Pairing.** Students are paired in join order: numbers 1 and 2 are couple 1, 3 and 4
couple 2, and so on. The first of a pair (an odd number) plays partner A, Sam, the anxious
side (:data:`~dashboard.classroom.game.MOVES_A`); the second plays partner B
(:data:`~dashboard.classroom.game.MOVES`). Couple ``k``'s seed is
:func:`~dashboard.classroom.game.couple_seed` of the class seed and ``k``, so a couple's
weeks are reproducible from the class seed, the couple and the two sides' moves
(:func:`~dashboard.classroom.game.run_pair`).

**The both-moved rule.** A side's move for a week is stored at once (``submits``, one row
per couple, week and side: no move is lost). The couple's week runs when both sides' moves
are in, inside the same ``BEGIN IMMEDIATE`` transaction that stored the second one: SQLite
lets one writer in at a time, so of two submits arriving together on two workers, the
later one finds the first one's move and the week not yet run, runs it and writes its row
(``couple_weeks``, primary key couple and week); the earlier one found only its own move.
The week runs once.

**When the model stands in.** The model plays a side (:data:`~dashboard.classroom.game.MODEL`)
for a week when that side's student:

* has left the class (at once: ``left``);
* has joined but not moved within :data:`PARTNER_TIMEOUT_S` of the other side's move
  (``late``);
* has not joined: the odd student out. For the couple's first week they wait up to
  :data:`PARTNER_TIMEOUT_S` for a classmate to join; after that the model plays the partner
  at once each week (``alone``), until a classmate joins and takes the side over from the
  couple's next week.

A week never runs without at least one student's move. The waiting student's page polls
(and so does the teacher's screen), and each poll settles an overdue week (:func:`settle`).
Both students are told, week by week, where the model played (``notes``).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping
from typing import Any

from dashboard.classroom import game
from dashboard.classroom.store import ClassError, Store

PARTNER_TIMEOUT_S = 60.0
"""Seconds a side waits for the partner's move before the model plays the partner's part."""

ROLES = {"a": "partner A (Sam, the anxious one)", "b": "partner B (Alex, the avoidant one)"}
WHY = {"left": "had left the class", "late": f"had not moved within {PARTNER_TIMEOUT_S:.0f} s",
       "alone": "had not joined yet"}
"""Why the model played a side, in words."""


def couple_of(number: int) -> int:
    """The couple of student ``number`` (join order: 1 and 2 are couple 1)."""
    return (number + 1) // 2


def side_of(number: int) -> str:
    """``"a"`` for the first of a pair (an odd number), ``"b"`` for the second."""
    return "a" if number % 2 else "b"


def other(side: str) -> str:
    """The other side."""
    return "b" if side == "a" else "a"


def decide(submits: Mapping[str, tuple[str, float]], present: Mapping[str, str],
           first_week: bool, now: float) -> dict[str, tuple[str, str]] | None:
    """Who plays each side of a couple's next week, or ``None`` while it must wait.

    Args:
        submits: Each side's stored move for the week and when it came (missing: none yet).
        present: Each side's student: ``"here"``, ``"left"`` or ``"absent"`` (not joined).
        first_week: Whether it is the couple's first week (an absent partner is waited for).
        now: The time (``time.time()``).

    Returns:
        ``{side: (move, why)}`` with ``why`` empty for a student's own move, else the key of
        :data:`WHY` the model stands in for; ``None`` if the week must still wait.
    """
    if not submits:
        return None
    waited = now - min(at for _, at in submits.values())
    out = {}
    for side in ("a", "b"):
        if side in submits:
            out[side] = (submits[side][0], "")
        elif present[side] == "left":
            out[side] = (game.MODEL, "left")
        elif waited < PARTNER_TIMEOUT_S and (present[side] == "here" or first_week):
            return None
        else:
            out[side] = (game.MODEL, "late" if present[side] == "here" else "alone")
    return out


def _read(db: sqlite3.Connection, session: int, couple: int) -> dict[str, Any]:
    """A couple's record: its students by side, its weeks, the next week's submits."""
    students = {side_of(r["number"]): r for r in db.execute(
        "SELECT * FROM students WHERE session=? AND number IN (?, ?)",
        (session, 2 * couple - 1, 2 * couple))}
    weeks = db.execute("SELECT * FROM couple_weeks WHERE session=? AND couple=? ORDER BY week",
                       (session, couple)).fetchall()
    submits = {r["side"]: (r["move"], r["at"]) for r in db.execute(
        "SELECT * FROM submits WHERE session=? AND couple=? AND week=?",
        (session, couple, len(weeks) + 1))}
    present = {side: "absent" if side not in students else
               "left" if students[side]["left"] else "here" for side in ("a", "b")}
    return {"students": students, "weeks": weeks, "submits": submits, "present": present}


def _try_run(db: sqlite3.Connection, sess: sqlite3.Row, couple: int) -> bool:
    """Run the couple's next week if :func:`decide` lets it (inside a write transaction)."""
    rec = _read(db, sess["id"], couple)
    weeks = rec["weeks"]
    cp = game.couple(game.couple_seed(sess["seed"], couple))
    now = game.Now.from_json(json.loads(weeks[-1]["now"])) if weeks else game.start(cp)
    if now.gone or len(weeks) >= sess["weeks"]:
        return False
    choice = decide(rec["submits"], rec["present"], not weeks, time.time())
    if choice is None:
        return False
    rows = [] if weeks else [game.series_row(now)]
    now, more = game.play(cp, now, choice["b"][0], move_a=choice["a"][0])
    db.execute("INSERT INTO couple_weeks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (sess["id"], couple, len(weeks) + 1, choice["a"][0], choice["b"][0],
                choice["a"][1], choice["b"][1], json.dumps(now.to_json()),
                json.dumps(rows + more), time.time()))
    return True


def settle(store: Store, sess: sqlite3.Row, couple: int) -> bool:
    """Run a couple's week that waits on nobody any more (a leaver, a timeout)."""
    with store.connect() as db:
        rec = _read(db, sess["id"], couple)
    if decide(rec["submits"], rec["present"], not rec["weeks"], time.time()) is None:
        return False  # a cheap read first: most polls find nothing to do
    with store.writing() as db:
        return _try_run(db, sess, couple)


def submit(store: Store, code: str, token: str, week: object, choice: object
           ) -> dict[str, Any]:
    """Store a side's move for ``week``; run the couple's week if both moves are in."""
    if isinstance(week, bool) or not isinstance(week, int) or not 1 <= week <= 10_000:
        raise ClassError(f"week {str(week)[:30]!r}: not allowed; allowed: a week number "
                         "from 1")
    message = ""
    with store.writing() as db:
        sess, stu = store.student(code, token, db)
        side, couple = side_of(stu["number"]), couple_of(stu["number"])
        moves = game.SIDES[side]
        if choice not in moves:
            raise ClassError(f"move {str(choice)[:30]!r}: unknown for {ROLES[side]}; "
                             f"allowed: {', '.join(moves)}")
        rec = _read(db, sess["id"], couple)
        played = len(rec["weeks"])
        if week <= played:
            row = rec["weeks"][week - 1]
            if row[f"why_{side}"]:
                raise ClassError(f"week {week}: already played; the model played your part "
                                 f"(you {WHY[row[f'why_{side}']]}); now week {played + 1}",
                                 409)
            if row[f"move_{side}"] != choice:
                raise ClassError(f"week {week}: already played ({row[f'move_{side}']}); a "
                                 "week's move cannot change", 409)
            message = f"week {week}: your move {moves[choice].label} is in; already played"
        elif week != played + 1:
            raise ClassError(f"week {week}: not yet; allowed: week {played + 1}", 409)
        elif week > sess["weeks"]:
            raise ClassError(f"week {week}: the game has {sess['weeks']} weeks", 409)
        elif rec["weeks"] and json.loads(rec["weeks"][-1]["now"])[4]:
            raise ClassError("the relationship is over: no more moves", 409)
        elif side in rec["submits"]:
            if rec["submits"][side][0] != choice:
                raise ClassError(f"week {week}: you already chose "
                                 f"{rec['submits'][side][0]}; a week's move cannot change",
                                 409)
            message = f"week {week}: your move {moves[choice].label} is already in"
        else:
            db.execute("INSERT INTO submits VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (sess["id"], couple, week, side, stu["id"], str(choice), time.time()))
            _try_run(db, sess, couple)
    out = status(store, code, token)
    if message:
        out["message"] = message
    return out


def _notes(weeks: list, side: str, partner: str) -> list[str]:
    """Where the model played a side, week by week, in words for the student on ``side``."""
    out = []
    for r in weeks:
        for who in ("a", "b"):
            why = r[f"why_{who}"]
            if why:
                name, part = ("you", "your") if who == side else (partner, "their")
                out.append(f"Week {r['week']}: {name} {WHY[why]}, so the model played "
                           f"{part} part.")
    return out


def status(store: Store, code: str, token: str) -> dict[str, Any]:
    """A paired student's game: week, the partner's state in words, waiting or not."""
    sess, stu = store.student(code, token)
    side, couple = side_of(stu["number"]), couple_of(stu["number"])
    settle(store, sess, couple)
    with store.connect() as db:
        rec = _read(db, sess["id"], couple)
    weeks = rec["weeks"]
    cp = game.couple(game.couple_seed(sess["seed"], couple))
    now = game.Now.from_json(json.loads(weeks[-1]["now"])) if weeks else game.start(cp)
    over = now.gone or len(weeks) >= sess["weeks"]
    mate = rec["students"].get(other(side))
    partner = mate["name"] if mate is not None else "a classmate"
    waiting = not over and side in rec["submits"]
    if mate is None:
        waiting_for = "a classmate to join" if not weeks else "the model"
    else:
        waiting_for = "the model" if mate["left"] else mate["name"]
    return {"code": sess["code"], "name": stu["name"], "number": stu["number"],
            "mode": "pairs", "side": side.upper(), "role": ROLES[side], "couple": couple,
            "partner_name": partner if mate is not None and not mate["left"] else None,
            "week": len(weeks) + 1, "weeks": sess["weeks"], "day": now.day,
            "partner": game.words(now, side), "over": over, "waiting": waiting,
            "waiting_for": waiting_for if waiting else None,
            "moves": [{"name": m.name, "label": m.label} for m in game.SIDES[side].values()],
            "played": [r[f"move_{side}"] if not r[f"why_{side}"] else game.MODEL
                       for r in weeks],
            "notes": _notes(weeks, side, partner)}
