"""Class mode (a modern HubNet): students play a partner of a couple from their phones.

Each student plays partner B against the model's partner A, or, in pairs, classmates play
A and B of one couple. :func:`register` adds the routes to the dashboard's Flask server
(:mod:`.routes`); the rules of play are :mod:`.game` (and :mod:`.pairs` for pairs), the
SQLite record :mod:`.store`, what a request does :mod:`.service`, the teacher's view of
pairs :mod:`.pairview`, the join address :mod:`.address` and the pages :mod:`.pages`.
"""

from __future__ import annotations

from dashboard.classroom.routes import register

__all__ = ["register"]
