"""What a class request does: join, move, a student's status, the teacher's class view.

Each function takes the :class:`~dashboard.classroom.store.Store` and plain values already
read from the request; the routes (:mod:`dashboard.classroom.routes`) only parse and answer.
A class played in pairs is handed to :mod:`.pairs` (the students) and :mod:`.pairview` (the
teacher).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from dashboard.classroom import game, pairs, pairview
from dashboard.classroom.store import ClassError, Store


def status(store: Store, code: str, token: str) -> dict[str, Any]:
    """A student's game so far: week, partner's state in words, whether it is over."""
    sess, stu = store.student(code, token)
    if sess["mode"] == "pairs":
        return pairs.status(store, code, token)
    moves = store.moves(stu["id"])
    cp = game.couple(game.couple_seed(sess["seed"], stu["number"]))
    now = game.Now.from_json(json.loads(moves[-1]["now"])) if moves else game.start(cp)
    done = now.gone or len(moves) >= sess["weeks"]
    return {"code": sess["code"], "name": stu["name"], "number": stu["number"],
            "mode": "model", "side": "B", "role": "partner B, against the model's partner A",
            "week": len(moves) + 1, "weeks": sess["weeks"], "day": now.day,
            "partner": game.words(now), "over": done,
            "moves": [{"name": m.name, "label": m.label} for m in game.MOVES.values()],
            "played": [m["move"] for m in moves]}


def move(store: Store, code: str, token: str, week: object, choice: object) -> dict[str, Any]:
    """Play ``choice`` for ``week``; the same move for the same week again is answered alike."""
    if store.session(code)["mode"] == "pairs":
        return pairs.submit(store, code, token, week, choice)
    if choice not in game.MOVES:
        raise ClassError(f"move {str(choice)[:30]!r}: unknown; allowed: "
                         f"{', '.join(game.MOVES)}")
    if isinstance(week, bool) or not isinstance(week, int) or not 1 <= week <= 10_000:
        raise ClassError(f"week {str(week)[:30]!r}: not allowed; allowed: a week number "
                         "from 1")
    sess, stu = store.student(code, token)
    moves = store.moves(stu["id"])
    if week <= len(moves):
        if moves[week - 1]["move"] != choice:
            raise ClassError(f"week {week}: already played ({moves[week - 1]['move']}); "
                             "a week's move cannot change", 409)
        return status(store, code, token)  # a double submit: the same answer
    if week != len(moves) + 1:
        raise ClassError(f"week {week}: not yet; allowed: week {len(moves) + 1}", 409)
    if week > sess["weeks"]:
        raise ClassError(f"week {week}: the game has {sess['weeks']} weeks", 409)
    cp = game.couple(game.couple_seed(sess["seed"], stu["number"]))
    now = game.Now.from_json(json.loads(moves[-1]["now"])) if moves else game.start(cp)
    if now.gone:
        raise ClassError("the relationship is over: no more moves", 409)
    rows = [] if moves else [game.series_row(now)]
    now, more = game.play(cp, now, str(choice))
    if not store.add_move(stu["id"], week, str(choice), now.to_json(), rows + more):
        # another request stored this week first: same move, same answer; else refused
        return move(store, code, token, week, choice)
    return status(store, code, token)


def _student_view(moves: list) -> dict[str, Any]:
    rows: list[list[float]] = []
    for m in moves:
        rows += json.loads(m["rows"])
    gone = bool(json.loads(moves[-1]["now"])[4]) if moves else False
    if not moves:
        return {"outcome": None, "group": "waiting", "strategy": None}
    played = Counter(m["move"] for m in moves)
    outcome = game.outcome(rows, gone)
    return {"outcome": outcome, "group": game.GROUPS[outcome],
            "strategy": played.most_common(1)[0][0], "weeks": len(moves),
            "played": [m["move"] for m in moves]}


def class_view(store: Store, code: str, token: str) -> dict[str, Any]:
    """The teacher's screen: counts now, strategies by outcome, and the debrief."""
    sess = store.teacher(code, token)
    if sess["mode"] == "pairs":
        return pairview.class_view(store, sess)
    students = store.class_rows(sess["id"])
    groups: Counter[str] = Counter()
    by_strategy: dict[str, Counter[str]] = {m: Counter() for m in game.MOVES}
    listed = []
    for s in students:
        view = _student_view(s["moves"])
        groups[view["group"]] += 1
        listed.append({"number": s["number"], "name": s["name"], "left": s["left"], **view})
        if view["outcome"] is None:
            continue
        by_strategy[view["strategy"]][view["group"]] += 1
    return {"code": sess["code"], "mode": "model", "closed": bool(sess["closed"]),
            "weeks": sess["weeks"], "students": len(students),
            "moves": sum(len(s["moves"]) for s in students),
            "now": {g: groups[g] for g in ("trapped", "settled", "apart", "waiting")},
            "strategies": {m: dict(c) for m, c in by_strategy.items()},
            "labels": {m.name: m.label for m in game.MOVES.values()}, "list": listed}


def debrief(store: Store, code: str, token: str) -> dict[str, Any]:
    """The class's couples against the same couples (same seeds, same weeks) played two ways.

    ``antidote``: partner B reassures every week; ``model``: partner B as the model's own
    rules have them. Each is counted as trapped, settled or apart.
    """
    sess = store.teacher(code, token)
    if sess["mode"] == "pairs":
        return pairview.debrief(store, sess)
    counts = {k: Counter() for k in ("class", "antidote", "model")}
    by_weeks: dict[int, list[int]] = {}
    for s in store.class_rows(sess["id"]):
        view = _student_view(s["moves"])
        if view["outcome"] is None:
            continue
        counts["class"][view["group"]] += 1
        seed = game.couple_seed(sess["seed"], s["number"])
        by_weeks.setdefault(len(view["played"]), []).append(seed)
    for weeks, seeds in by_weeks.items():  # the batch engine: one run per distinct length
        for key, move in (("antidote", "reassure"), ("model", game.MODEL)):
            for outcome in game.engine_outcomes(seeds, weeks, move):
                counts[key][game.GROUPS[outcome]] += 1
    return {k: {g: c[g] for g in ("trapped", "settled", "apart")} for k, c in counts.items()}
