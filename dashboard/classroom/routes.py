"""Class mode's HTTP routes on the dashboard's Flask server (``/class/...``).

Pages: ``/class/`` (start a class), ``/class/teach/<code>`` (the teacher's screen, with the
QR code), ``/class/join`` (a student's phone). JSON API under ``/class/api``: every refusal
is an HTTP 4xx with ``{"error": "<one line>"}``. Tokens travel in a cookie the server sets
(HttpOnly, SameSite=Strict) or, for scripts, the ``X-Class-Token`` header.

The join link and QR code use ``DYADSIM_PUBLIC_URL`` when the server sets it
(:mod:`.address`, checked when the routes are registered), else the address the teacher's
browser reached the server at.
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, make_response, redirect, request

from dashboard.classroom import address, pages, service
from dashboard.classroom.store import (
    MAX_MOVES,
    MODES,
    ClassError,
    Store,
    default_path,
    normal_code,
)

MAX_BODY = 2048
"""Bytes a class request body may have (a name, a week and a move fit in far less)."""
DEFAULT_WEEKS = 12
TEACHER_COOKIE = "dyadsim_teach_"
STUDENT_COOKIE = "dyadsim_play_"


def _body() -> dict[str, Any]:
    """The request's JSON or form fields, bounded before anything is read."""
    size = request.content_length
    if size is None or size > MAX_BODY:
        raise ClassError(f"request body = {size if size is not None else 'unknown'} bytes: "
                         f"not allowed; allowed: at most {MAX_BODY} bytes with a length", 413)
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ClassError("request body: not a JSON object; allowed: {\"key\": value}")
        return data
    return {k: v for k, v in request.form.items()}


def _token(prefix: str, code: str) -> str:
    return (request.headers.get("X-Class-Token") or request.cookies.get(prefix + code) or "")[:64]


def _cookie(resp: Response, prefix: str, code: str, token: str) -> Response:
    resp.set_cookie(prefix + code, token, httponly=True, samesite="Strict", max_age=12 * 3600,
                    path="/class/")
    return resp


def _int(value: object, name: str, low: int, high: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise ClassError(f"{name} = {str(value)[:20]!r}: not a whole number; allowed: "
                         f"{low} to {high}") from None
    if not low <= number <= high:
        raise ClassError(f"{name} = {number}: not allowed; allowed: {low} to {high}")
    return number


def register(server: Flask, db_path: str | Path | None = None,
             public_url: str | None = None) -> Store:
    """Add class mode's routes to ``server``; the database is ``db_path`` or the default.

    ``public_url`` is the address students join at (default: ``DYADSIM_PUBLIC_URL`` if set,
    else the address of each request); a bad value raises a one-line :class:`ValueError`.
    """
    public = address.check(public_url) if public_url else address.public_url()
    store = Store(db_path or default_path())
    server.extensions["dyadsim.classroom"] = store

    @server.errorhandler(ClassError)
    def _refused(err: ClassError) -> tuple[Response, int]:
        return jsonify({"error": str(err)}), err.status

    def join_url(code: str) -> str:
        base = public or request.host_url.rstrip("/")
        return f"{base}/class/join?code={code}"

    def new_session() -> tuple[str, str]:
        data = _body()
        weeks = _int(data.get("weeks", DEFAULT_WEEKS), "weeks", 1, MAX_MOVES)
        mode = str(data.get("mode", MODES[0]))[:20]
        return store.new_session(secrets.randbelow(2**31), weeks, mode)

    @server.get("/class/")
    def _start_page() -> Response:
        return pages.html(pages.start_page())

    @server.post("/class/new")
    def _new_from_form() -> Response:
        code, token = new_session()
        return _cookie(redirect(f"/class/teach/{code}", 303), TEACHER_COOKIE, code, token)

    @server.post("/class/api/sessions")
    def _new_from_api() -> Response:
        code, token = new_session()
        return _cookie(make_response(jsonify({"code": code, "teacher_token": token,
                                              "join_url": join_url(code)}), 201),
                       TEACHER_COOKIE, code, token)

    @server.get("/class/teach/<code>")
    def _teacher_page(code: str) -> Response:
        sess = store.teacher(code, _token(TEACHER_COOKIE, normal_code(code)))
        return pages.html(pages.teacher_page(sess["code"], join_url(sess["code"]),
                                             sess["mode"]))

    @server.get("/class/qr/<code>.svg")
    def _qr(code: str) -> Response:
        import segno

        sess = store.session(code)
        out = io.BytesIO()
        segno.make(join_url(sess["code"]), error="m").save(out, kind="svg", scale=10,
                                                            border=2)
        return Response(out.getvalue(), mimetype="image/svg+xml")

    @server.get("/class/api/<code>/class")
    def _class(code: str) -> Response:
        code = normal_code(code)
        return jsonify(service.class_view(store, code, _token(TEACHER_COOKIE, code)))

    @server.get("/class/api/<code>/debrief")
    def _debrief(code: str) -> Response:
        code = normal_code(code)
        return jsonify(service.debrief(store, code, _token(TEACHER_COOKIE, code)))

    @server.post("/class/api/<code>/close")
    def _close(code: str) -> Response:
        code = normal_code(code)
        store.close(code, _token(TEACHER_COOKIE, code))
        return jsonify({"closed": code})

    @server.get("/class/join")
    def _join_page() -> Response:
        return pages.html(pages.join_page(str(request.args.get("code", ""))[:16]))

    @server.post("/class/api/<code>/join")
    def _join(code: str) -> Response:
        code = normal_code(code)
        number, token = store.join(code, _body().get("name", ""))
        resp = make_response(jsonify({"code": code, "number": number, "token": token}), 201)
        return _cookie(resp, STUDENT_COOKIE, code, token)

    @server.get("/class/api/<code>/me")
    def _me(code: str) -> Response:
        code = normal_code(code)
        return jsonify(service.status(store, code, _token(STUDENT_COOKIE, code)))

    @server.post("/class/api/<code>/move")
    def _move(code: str) -> Response:
        code = normal_code(code)
        data = _body()
        return jsonify(service.move(store, code, _token(STUDENT_COOKIE, code),
                                    data.get("week"), data.get("move")))

    @server.post("/class/api/<code>/leave")
    def _leave(code: str) -> Response:
        code = normal_code(code)
        store.leave(code, _token(STUDENT_COOKIE, code))
        return jsonify({"left": code})

    return store
