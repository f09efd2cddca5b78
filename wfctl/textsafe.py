"""Text that came from outside (a server, the store, a client) made safe to show or parse.

* :func:`escape_control` — for anything written to a terminal or a log line: control
  characters (C0, DEL, C1, and the Unicode line/paragraph separators and bidi overrides)
  become visible escapes, so stored data can never move the cursor, retitle the window or
  clear the screen. JSON output does not use it: ``json.dumps`` already escapes C0.
* :func:`json_depth_ok` / :func:`loads_bounded` — refuse JSON nested deeper than
  :data:`MAX_JSON_DEPTH` *before* a recursive parser or printer meets it.
* :func:`redact_url` — a URL or gRPC endpoint with its ``user:password@`` and query values
  hidden, for every message and log line.
"""

from __future__ import annotations

import json
from typing import Any

#: The deepest nesting of arrays/objects accepted anywhere (CLI flags, serve bodies, config).
MAX_JSON_DEPTH = 64

# Format characters that reorder or hide text on a terminal (bidi overrides, isolates).
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_unsafe(c: str) -> bool:
    """True for a character :func:`escape_control` escapes (tab and newline included)."""
    o = ord(c)
    return (
        o < 0x20
        or 0x7F <= o < 0xA0
        or c in "\u2028\u2029"
        or c in _BIDI
        or 0xD800 <= o < 0xE000  # a lone surrogate (from JSON "\ud800") cannot even be encoded
    )


_is_unsafe = is_unsafe  # the name it had first


def escape_control(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character replaced by a visible escape (``\\x1b``,
    ``\\u202e``); tabs and, with ``keep_newlines``, newlines are kept."""
    if text.isprintable() and not any(c in _BIDI for c in text):  # the common case, fast
        return text
    out = []
    for c in text:
        if c == "\t" or (keep_newlines and c == "\n"):
            out.append(c)
        elif is_unsafe(c):
            o = ord(c)
            out.append(f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}")
        else:
            out.append(c)
    return "".join(out)


def json_depth_ok(text: str | bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when ``text`` (JSON) nests arrays/objects at most ``limit`` deep.

    A linear scan that skips strings; it does not validate the JSON (the parser does that
    afterwards, safely, because the depth is bounded).
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if text.count("[") + text.count("{") <= limit:
        return True
    depth = 0
    in_str = False
    escaped = False
    for c in text:
        if in_str:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c in "[{":
            depth += 1
            if depth > limit:
                return False
        elif c in "]}":
            depth -= 1
    return True


class TooDeepError(ValueError):
    """JSON nested deeper than :data:`MAX_JSON_DEPTH`."""


def loads_bounded(text: str | bytes, limit: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that raises :class:`TooDeepError` (a ValueError) for over-deep input
    instead of a RecursionError."""
    if not json_depth_ok(text, limit):
        raise TooDeepError(f"JSON nested deeper than {limit} levels")
    return json.loads(text)


#: Query parameters whose values are shown: the gRPC endpoint's ``?tls=true``, nothing secret.
SHOWN_QUERY_KEYS = frozenset({"tls"})
# "scheme:rest" forms of a gRPC endpoint whose rest is a socket path or name, never userinfo.
_SOCKET_SCHEMES = ("unix:", "unix-abstract:", "vsock:")


def _userinfo_split(url: str) -> tuple[str, str | None, str]:
    """(everything before the authority, userinfo or None, the rest from the host on), for a
    URL (``scheme://``), a gRPC endpoint (``dns:``, ``dns://``, or none: ``user@host:port``)."""
    scheme, sep, rest = url.partition("://")
    if sep:
        head = scheme + sep
    elif url.lower().startswith(_SOCKET_SCHEMES):
        return url, None, ""
    elif url.lower().startswith("dns:"):
        head, rest = url[:4], url[4:]
    else:
        head, rest = "", url
    end = min([i for i in (rest.find(c) for c in "/?#") if i != -1] or [len(rest)])
    userinfo, at, host = rest[:end].rpartition("@")
    if not at or head.lower() in ("unix://", "unix-abstract://", "vsock://"):
        return head, None, rest
    return head, userinfo, host + rest[end:]


def _redact_query(query: str) -> str:
    out = []
    for item in query.split("&"):
        key, eq, value = item.partition("=")
        if key.lower() in SHOWN_QUERY_KEYS and eq:
            out.append(item)
        elif eq:
            out.append(f"{key}=****" if value else item)
        else:
            out.append("****" if item else item)  # a bare value may be a token itself
    return "&".join(out)


def redact_url(url: str) -> str:
    """``url`` as it may be printed — in a message, a log line, `config show`: the one place
    wfctl hides what an address may carry. A URL or a gRPC endpoint in any form the Dapr SDKs
    accept; its userinfo (``user:password@``) becomes ``****@``, every query value but
    ``tls``'s becomes ``****`` (``?token=****``), a fragment ``#****``; the rest is kept."""
    text, hash_, fragment = url.partition("#")
    base, q, query = text.partition("?")
    head, userinfo, rest = _userinfo_split(base)
    shown = base if userinfo is None else f"{head}****@{rest}"
    if q:
        shown += "?" + _redact_query(query)
    if hash_:
        shown += "#****" if fragment else "#"
    return shown


def url_userinfo(url: str) -> str | None:
    """The ``user:password`` part of ``url`` as written there, or None."""
    return _userinfo_split(url.partition("#")[0].partition("?")[0])[1] or None
