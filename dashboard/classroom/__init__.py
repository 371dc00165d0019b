"""Class mode (a modern HubNet): students play partner B of a couple from their phones.

:func:`register` adds the routes to the dashboard's Flask server (:mod:`.routes`); the rules
of play are :mod:`.game`, the SQLite record :mod:`.store`, what a request does :mod:`.service`
and the pages :mod:`.pages`.
"""

from __future__ import annotations

from dashboard.classroom.routes import register

__all__ = ["register"]
