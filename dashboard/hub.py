"""The view hub: the one callback that owns the view and the controls that show it.

Every control that changes the view, and the URL, go through :func:`update_view`: the
change is checked, and the new view comes back with the value of every control that shows
a part of it (so a refused value snaps back) and a message. The hub knows no control
itself: each page module declares its inputs and outputs and applies its own changes
(:mod:`dashboard.pages`); the hub adds the URL and the navigation.

Why one callback and not one per page: a control whose value must snap back is both an
input and an output of the callback that checks it, and the couple page's controls are
also written by the URL, a lesson and a sample run of the sweep. Split over several
callbacks, these would form a dependency cycle through the view store, which Dash does
not allow (only a callback's loop on itself is allowed).

Expected bad input (a parameter out of range, a malformed file, a bad URL) never raises
out of a callback: it becomes a one-line message in the page, and the server logs nothing.
"""

from __future__ import annotations

from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard import guard, ids, urlcodec, view
from dashboard.pages import PAGES

Shell = ids.Shell

#: Hub key -> (component id, property) of the shell's inputs to the view.
SHELL_INPUTS: dict[str, tuple[Any, str]] = {
    "url": (Shell.URL, "search"),
    "nav": (Shell.nav(ALL), "n_clicks"),
}
#: Pattern types of buttons: a trigger with no clicks is a button rendered, not clicked.
CLICKS: tuple[str, ...] = (Shell.NAV, *(c for page in PAGES for c in page.CLICKS))


def inputs() -> dict[str, tuple[Any, str]]:
    """Every input of the hub, by key: the shell's, then each page's."""
    merged = dict(SHELL_INPUTS)
    for page in PAGES:
        merged.update(page.INPUTS)
    return merged


def controls(current: dict[str, Any]) -> dict[str, Any]:
    """The value of every control that shows a part of ``current``, by key."""
    merged: dict[str, Any] = {}
    for page in PAGES:
        merged.update(page.controls(current))
    return merged


def apply_trigger(current: dict[str, Any], trigger: Any, value: Any,
                  extra: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The view after one control changed; messages for anything not allowed.

    ``trigger`` is the hub key of a control (a string) or a pattern id (a dict), ``value``
    its new value, and ``extra`` holds the states some triggers need (``filename``,
    ``cell_views``).
    """
    kind = trigger.get("type") if isinstance(trigger, dict) else trigger
    if kind in (None, "url"):
        if value is not None and not isinstance(value, str):
            return current, [f"url = {view.short(value)}: not allowed; allowed: a query"]
        new, errors = urlcodec.from_query(value)
        return new, [f"In the link: {e}" for e in errors]
    if kind == Shell.NAV:
        page = trigger.get("page")
        if page not in view.PAGES:
            return current, [f"page = {view.short(page)}: not a page; allowed: "
                             + ", ".join(view.PAGES)]
        return {**current, "page": page}, []
    for page in PAGES:
        applied = page.apply(current, kind, trigger, value, extra)
        if applied is not None:
            return applied
    return current, [f"unknown control {trigger!r}"]


#: The longest message line the hub shows (a quoted value is cut, never echoed whole).
MESSAGE_LIMIT = 400
#: The most messages shown at once (a link with many bad keys).
MESSAGES = 5


def update_view(current: Any, trigger: Any, value: Any, extra: dict[str, Any]
                ) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The hub: apply a change, then give every control's value and the message.

    The view store comes from the browser: it is checked first (:func:`guard.check_view`);
    a view that is not allowed is replaced by the default one, with its one-line message.
    """
    errors: list[str] = []
    try:
        current = guard.check_view(current)
    except guard.Refused as err:
        current, errors = view.default_view(), [f"The page's view was reset: {err}"]
    kind = trigger.get("type") if isinstance(trigger, dict) else trigger
    if not isinstance(kind, str | None):
        kind = trigger = repr(kind)
    if kind in CLICKS and not value and not errors:  # a button rendered, not clicked
        return current, {}, no_update
    if not (kind in CLICKS and not value):
        new, more = apply_trigger(current, trigger, value, extra)
        errors += more
    else:
        new = current
    return new, controls(new), message_line(errors)


def message_line(errors: list[str]) -> str:
    """The page's message: the first few errors, each cut to a short line."""
    shown = [e if len(e) <= MESSAGE_LIMIT else e[:MESSAGE_LIMIT - 3] + "..."
             for e in errors[:MESSAGES]]
    if len(errors) > MESSAGES:
        shown.append(f"({len(errors) - MESSAGES} more not shown)")
    return " ".join(shown)


def page_parts(current: Any, href: Any) -> dict[str, Any]:
    """What follows from the view alone: page visibility, the link, each page's parts.

    A view store that is not allowed (:func:`guard.check_view`) counts as the default view.
    """
    try:
        current = guard.check_view(current)
    except guard.Refused:
        current = view.default_view()
    href = href if isinstance(href, str) and len(href) <= 8192 else None
    base = (href or "http://127.0.0.1:8050/").split("?", 1)[0]
    hide, show = {"display": "none"}, {}
    parts = {
        "styles": [show if current["page"] == p else hide for p in view.PAGES],
        "nav": ["nav active" if current["page"] == p else "nav" for p in view.PAGES],
        "link": base + urlcodec.to_query(current),
    }
    for page in PAGES:
        parts.update(page.derived(current))
    return parts


def _param_name(output: Any) -> Any:
    """The parameter name of one pattern-matched output (``None`` if malformed)."""
    cid = output.get("id") if isinstance(output, dict) else None
    name = cid.get("name") if isinstance(cid, dict) else None
    return name if isinstance(name, str) else None


def register(app: Dash) -> None:
    """Register the hub and the view's derived parts on ``app``."""
    hub_inputs = inputs()
    plain = {cid: key for key, (cid, _) in hub_inputs.items() if isinstance(cid, str)}
    outputs = {key: Output(*spec) for page in PAGES for key, spec in page.CONTROLS.items()}
    outputs.update(view=Output(Shell.VIEW, "data"), message=Output(Shell.MESSAGE, "children"))
    states = {key: State(*spec) for page in PAGES for key, spec in page.STATES.items()}

    @app.callback(output=outputs, inputs={k: Input(*v) for k, v in hub_inputs.items()},
                  state={"view": State(Shell.VIEW, "data"), **states})
    def _view(**kw: Any) -> dict[str, Any]:
        trigger = ctx.triggered_id
        if trigger is None:  # the first call, on page load: the URL
            trigger, value = "url", kw["url"]
        elif isinstance(trigger, dict):
            value = ctx.triggered[0]["value"]
        else:
            trigger = plain.get(trigger, trigger)
            value = kw.get(trigger)
        new, values, message = update_view(kw.get("view"), trigger, value, kw)
        if not values:
            raise PreventUpdate
        listed = ctx.outputs_list["params"] if isinstance(ctx.outputs_list, dict) else next(
            o for o in ctx.outputs_list if isinstance(o, list))
        values["params"] = [values["params"].get(_param_name(o), no_update) for o in listed]
        return {**values, "view": new, "message": message}

    derived = {key: Output(*spec) for page in PAGES for key, spec in page.DERIVED.items()}

    @app.callback(
        output={"styles": [Output(Shell.page(p), "style") for p in view.PAGES],
                "nav": Output(Shell.nav(ALL), "className"),
                "link": Output(Shell.SHARE_LINK, "value"), **derived},
        inputs={"current": Input(Shell.VIEW, "data")},
        state={"href": State(Shell.URL, "href")})
    def _page(current: dict[str, Any], href: str | None) -> dict[str, Any]:
        return page_parts(current, href)
