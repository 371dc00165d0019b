"""The address students join at: ``DYADSIM_PUBLIC_URL`` if the server sets it.

By default the join link and its QR code use the address the teacher's browser reached the
server at. Behind a reverse proxy, or when the teacher's browser uses ``127.0.0.1``, the
server can name the address students should use instead: ``DYADSIM_PUBLIC_URL``, an
``http`` or ``https`` URL of scheme, host and optional port only (a trailing ``/`` is
allowed). Anything else (a path, a query, a fragment, a user name or password, spaces or
backslashes, a bad port) is refused at startup with one line naming the variable, the value
and what is allowed.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

ENV = "DYADSIM_PUBLIC_URL"
ALLOWED = ("an http:// or https:// URL of a host and optional port only, e.g. "
           "http://192.168.1.20:8050 (no path, query, fragment or user name)")
_HOST = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$")


def check(value: str) -> str:
    """``value`` as a base URL without a trailing slash, or a one-line :class:`ValueError`."""
    def refuse() -> ValueError:
        return ValueError(f"{ENV} = {value[:200]!r}: not allowed; allowed: {ALLOWED}")

    text = value.strip()
    if not text or any(ch.isspace() or ch == "\\" or not ch.isprintable() for ch in text):
        raise refuse()
    parts = urlsplit(text)
    if (parts.scheme not in ("http", "https") or parts.path not in ("", "/") or parts.query
            or parts.fragment or "@" in parts.netloc or "?" in text or "#" in text
            or parts.netloc.endswith(":")):
        raise refuse()
    host = parts.netloc.rsplit(":", 1)[0] if not parts.netloc.endswith("]") else parts.netloc
    try:
        port = parts.port
    except ValueError:
        raise refuse() from None
    if not _HOST.match(host) or (port is not None and not 1 <= port <= 65535):
        raise refuse()
    return f"{parts.scheme}://{parts.netloc}"


def public_url(environ: dict[str, str] | None = None) -> str | None:
    """The checked ``DYADSIM_PUBLIC_URL`` (no trailing slash), or ``None`` if it is unset."""
    value = (os.environ if environ is None else environ).get(ENV)
    return None if value is None or value == "" else check(value)
