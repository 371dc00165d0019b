"""Class sessions, students and moves in SQLite (WAL): shared by every worker, kept over restarts.

Nothing about a class lives in a process: each request opens the database, reads or writes,
and closes it, so any gunicorn worker can answer any student, and a restarted server finds
every session where it was. The database path comes from the server (``DYADSIM_CLASS_DB``, or
``dyadsim-class.sqlite3`` in the system's temp folder), never from a browser.

Tokens (a teacher's, a student's) are random; only their SHA-256 is stored. A move is one row
keyed by (student, week): a second submit of the same move for the same week finds that row
and gets the same answer; a different move for a week already played is refused.

A class played in pairs (``mode = 'pairs'``, :mod:`.pairs`) keeps each side's move for a week
in ``submits`` (one row per couple, week and side) and each week the couple has played in
``couple_weeks`` (one row per couple and week, written once, inside the write transaction
that found both sides' moves in).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ALPHABET = "ACDEFHJKMNPRTUVWXY"
"""Join-code letters: no I/1, O/0, B/8, S/5, G/6, Z/2, L, Q."""
CODE_LENGTH = 5
MAX_STUDENTS = 200
MAX_MOVES = 52
"""Weeks a student can play (a year)."""
MAX_NAME = 24
SESSION_HOURS = 12
"""A session older than this is stale: nobody can join or move any more."""
MAX_LIVE_SESSIONS = 500
"""Classes open at once (started in the last :data:`SESSION_HOURS` and not ended)."""
MODES = ("model", "pairs")
"""How students play: each against the model's partner A, or in pairs (A and B)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, teacher TEXT NOT NULL,
    seed INTEGER NOT NULL, weeks INTEGER NOT NULL, created REAL NOT NULL,
    closed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS students (
    id INTEGER PRIMARY KEY, session INTEGER NOT NULL REFERENCES sessions(id),
    number INTEGER NOT NULL, name TEXT NOT NULL, token TEXT NOT NULL UNIQUE,
    joined REAL NOT NULL, left INTEGER NOT NULL DEFAULT 0,
    UNIQUE (session, number), UNIQUE (session, name));
CREATE TABLE IF NOT EXISTS moves (
    student INTEGER NOT NULL REFERENCES students(id), week INTEGER NOT NULL,
    move TEXT NOT NULL, now TEXT NOT NULL, rows TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (student, week));
CREATE TABLE IF NOT EXISTS submits (
    session INTEGER NOT NULL REFERENCES sessions(id), couple INTEGER NOT NULL,
    week INTEGER NOT NULL, side TEXT NOT NULL, student INTEGER NOT NULL REFERENCES students(id),
    move TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (session, couple, week, side));
CREATE TABLE IF NOT EXISTS couple_weeks (
    session INTEGER NOT NULL REFERENCES sessions(id), couple INTEGER NOT NULL,
    week INTEGER NOT NULL, move_a TEXT NOT NULL, move_b TEXT NOT NULL,
    why_a TEXT NOT NULL, why_b TEXT NOT NULL, now TEXT NOT NULL, rows TEXT NOT NULL,
    at REAL NOT NULL, PRIMARY KEY (session, couple, week));
"""


class ClassError(Exception):
    """A request the class cannot take; ``status`` is its HTTP status, the text one line."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def default_path() -> Path:
    """The database the server uses: ``DYADSIM_CLASS_DB`` or one in the temp folder."""
    env = os.environ.get("DYADSIM_CLASS_DB")
    return Path(env) if env else Path(tempfile.gettempdir()) / "dyadsim-class.sqlite3"


def digest(token: str) -> str:
    """What is stored of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


class Store:
    """The class database at ``path`` (created on first use)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        with self.connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
        with self.writing() as db:  # a database from before pairs: add the mode column once
            columns = {r["name"] for r in db.execute("PRAGMA table_info(sessions)")}
            if "mode" not in columns:
                db.execute("ALTER TABLE sessions ADD COLUMN mode TEXT NOT NULL "
                           "DEFAULT 'model'")

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """One connection for one request; committed on success, rolled back on error."""
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout=30000")
        db.execute("PRAGMA synchronous=NORMAL")
        try:
            yield db
        finally:
            db.close()

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken at once (``BEGIN IMMEDIATE``), so counts cannot race."""
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # --- sessions ---------------------------------------------------------------------

    def new_session(self, seed: int, weeks: int, mode: str = "model") -> tuple[str, str]:
        """Start a session played in ``mode``; returns its join code and the teacher's token."""
        if not 1 <= weeks <= MAX_MOVES:
            raise ClassError(f"weeks = {weeks}: not allowed; allowed: 1 to {MAX_MOVES}")
        if mode not in MODES:
            raise ClassError(f"mode = {str(mode)[:20]!r}: not allowed; allowed: "
                             f"{', '.join(MODES)}")
        token = secrets.token_urlsafe(24)
        with self.writing() as db:
            live = db.execute("SELECT COUNT(*) FROM sessions WHERE closed=0 AND created>?",
                              (time.time() - SESSION_HOURS * 3600,)).fetchone()[0]
            if live >= MAX_LIVE_SESSIONS:
                raise ClassError(f"{live} classes are open: no more; allowed: "
                                 f"{MAX_LIVE_SESSIONS} at once (end old ones first)", 429)
            for _ in range(20):
                code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
                if db.execute("SELECT 1 FROM sessions WHERE code=?", (code,)).fetchone():
                    continue
                db.execute("INSERT INTO sessions (code, teacher, seed, weeks, created, mode) "
                           "VALUES (?, ?, ?, ?, ?, ?)", (code, digest(token), seed, weeks,
                                                         time.time(), mode))
                return code, token
        raise ClassError("no free join code: close old sessions first", 503)

    def session(self, code: str, db: sqlite3.Connection | None = None,
                live: bool = True) -> sqlite3.Row:
        """The session with this code; with ``live``, refused if closed or stale."""
        code = normal_code(code)
        if db is None:
            with self.connect() as own:
                return self.session(code, own, live)
        row = db.execute("SELECT * FROM sessions WHERE code=?", (code,)).fetchone()
        if row is None:
            raise ClassError(f"class code {code!r}: no such class; check the code on the "
                             "teacher's screen", 404)
        if live and row["closed"]:
            raise ClassError(f"class code {code!r}: this class has ended", 410)
        if live and time.time() - row["created"] > SESSION_HOURS * 3600:
            raise ClassError(f"class code {code!r}: this class is more than "
                             f"{SESSION_HOURS} hours old and has ended", 410)
        return row

    def teacher(self, code: str, token: str) -> sqlite3.Row:
        """The session, if ``token`` is its teacher's (any state: the debrief stays)."""
        row = self.session(code, live=False)
        if not token or not secrets.compare_digest(digest(token), row["teacher"]):
            raise ClassError(f"class code {row['code']!r}: only the teacher who started it "
                             "can see this", 403)
        return row

    def close(self, code: str, token: str) -> None:
        """End the session: no more joins or moves; the record stays."""
        row = self.teacher(code, token)
        with self.writing() as db:
            db.execute("UPDATE sessions SET closed=1 WHERE id=?", (row["id"],))

    # --- students ---------------------------------------------------------------------

    def join(self, code: str, name: str) -> tuple[int, str]:
        """A student joins; returns their number in the class and their token."""
        name = check_name(name)
        token = secrets.token_urlsafe(24)
        with self.writing() as db:
            sess = self.session(code, db)
            count = db.execute("SELECT COUNT(*) FROM students WHERE session=?",
                               (sess["id"],)).fetchone()[0]
            if count >= MAX_STUDENTS:
                raise ClassError(f"class {sess['code']!r} is full: {MAX_STUDENTS} students "
                                 "at most", 409)
            if db.execute("SELECT 1 FROM students WHERE session=? AND name=?",
                          (sess["id"], name)).fetchone():
                raise ClassError(f"name {name!r}: already taken in this class; "
                                 "pick another", 409)
            db.execute("INSERT INTO students (session, number, name, token, joined) "
                       "VALUES (?, ?, ?, ?, ?)",
                       (sess["id"], count + 1, name, digest(token), time.time()))
            return count + 1, token

    def student(self, code: str, token: str, db: sqlite3.Connection | None = None,
                live: bool = True) -> tuple[sqlite3.Row, sqlite3.Row]:
        """(session, student) for a student's token; refused if they left."""
        if db is None:
            with self.connect() as own:
                return self.student(code, token, own, live)
        sess = self.session(code, db, live)
        row = db.execute("SELECT * FROM students WHERE token=? AND session=?",
                         (digest(token or ""), sess["id"])).fetchone()
        if row is None:
            raise ClassError(f"class code {sess['code']!r}: you have not joined this class "
                             "(join again with the code)", 403)
        if row["left"]:
            raise ClassError(f"{row['name']!r} has left this class; join again to play", 410)
        return sess, row

    def leave(self, code: str, token: str) -> None:
        """A student leaves: their moves stay in the class record."""
        _, row = self.student(code, token, live=False)
        with self.writing() as db:
            db.execute("UPDATE students SET left=1 WHERE id=?", (row["id"],))

    # --- moves ------------------------------------------------------------------------

    def moves(self, student_id: int, db: sqlite3.Connection | None = None) -> list[sqlite3.Row]:
        """A student's moves, week by week."""
        if db is None:
            with self.connect() as own:
                return self.moves(student_id, own)
        return db.execute("SELECT * FROM moves WHERE student=? ORDER BY week",
                          (student_id,)).fetchall()

    def add_move(self, student_id: int, week: int, move: str, now: list, rows: list) -> bool:
        """Store a week's move; False if that week already has one (nothing changes)."""
        with self.writing() as db:
            cur = db.execute("INSERT OR IGNORE INTO moves VALUES (?, ?, ?, ?, ?, ?)",
                             (student_id, week, move, json.dumps(now), json.dumps(rows),
                              time.time()))
            return cur.rowcount == 1

    def class_rows(self, session_id: int) -> list[dict[str, Any]]:
        """Every student of a session with their moves (for the teacher's view)."""
        with self.connect() as db:
            students = db.execute("SELECT * FROM students WHERE session=? ORDER BY number",
                                  (session_id,)).fetchall()
            out = []
            for s in students:
                out.append({"number": s["number"], "name": s["name"], "left": bool(s["left"]),
                            "moves": self.moves(s["id"], db)})
            return out


def normal_code(code: object) -> str:
    """A join code as typed (any case, spaces) checked against the alphabet."""
    text = str(code or "").strip().upper().replace(" ", "")[:16]
    if len(text) != CODE_LENGTH or any(ch not in ALPHABET for ch in text):
        raise ClassError(f"class code {text!r}: not a class code; allowed: {CODE_LENGTH} "
                         f"letters from {ALPHABET}", 404 if len(text) == CODE_LENGTH else 400)
    return text


def check_name(name: object) -> str:
    """A student's display name: 1 to :data:`MAX_NAME` printable characters."""
    text = " ".join(str(name or "").split())
    if not 1 <= len(text) <= MAX_NAME or not text.isprintable():
        raise ClassError(f"name {text[:MAX_NAME + 1]!r}: not allowed; allowed: 1 to "
                         f"{MAX_NAME} printable characters")
    return text
