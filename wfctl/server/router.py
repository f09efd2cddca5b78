"""serve's route table, matched by Starlette's router (``starlette.routing.Route``).

Each entry is a Starlette ``Route`` (its path template, path parameters and methods) with the
handler that answers it. :meth:`RouteTable.find` matches a request's path the way Starlette's
``Router`` does (first full match wins; a path that matches with another method is a 405 with
``Allow``), but returns the handler instead of sending an answer: the app keeps daprd's error
bodies, the access log and HEAD (GET's headers alone) in one place.

Paths are matched *decoded*, as daprd does: each segment is percent-decoded (``+`` is a space)
before matching, then ``%`` and ``/`` inside a segment are escaped again so that a segment stays
one segment; handlers receive the decoded values. A segment may be empty (``{id:wfctl_seg}``): the
handler then answers daprd's "missing" error rather than a 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from starlette.convertors import Convertor, register_url_convertor
from starlette.routing import Match, Route

from wfctl.server.request import HttpError, Request, Response, decode_segment, split_path

#: A handler: the request, then the route's path parameters (decoded) by name.
Handler = Callable[..., Awaitable[Response]]


class _Segment(Convertor[str]):
    """One path segment, possibly empty (Starlette's ``str`` needs one character)."""

    regex = "[^/]*"

    def convert(self, value: str) -> str:
        return unquote(value)  # undo the escaping of '%' and '/' (see routing_path)

    def to_string(self, value: str) -> str:
        return value.replace("%", "%25").replace("/", "%2F")


class _DaprVersion(Convertor[str]):
    """The API versions daprd serves its workflow routes under."""

    regex = r"v1\.0-beta1|v1\.0-alpha1|v1\.0"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("wfctl_seg", _Segment())
register_url_convertor("wfctl_dapr", _DaprVersion())


@dataclass(frozen=True)
class Entry:
    """A route, what it allows (for ``Allow`` and the 405's message) and its handler.

    ``raw`` (when given) must also accept the request's raw path: the health and page routes
    are matched on the path as sent, not decoded.
    """

    route: Route
    allow: str
    handler: Handler
    raw: Callable[[bytes], bool] | None = None


def entry(
    path: str,
    methods: list[str],
    handler: Handler,
    *,
    allow: str | None = None,
    raw: Callable[[bytes], bool] | None = None,
) -> Entry:
    """An :class:`Entry`; ``allow`` defaults to ``"GET, HEAD"`` for GET routes."""
    route = Route(path, _unused, methods=methods)
    if allow is None:
        allow = "GET, HEAD" if "GET" in methods else ", ".join(methods)
    return Entry(route, allow, handler, raw)


async def _unused(request: Any) -> Any:  # pragma: no cover - Starlette never calls it here
    raise AssertionError("the route table answers through its handlers")


def routing_path(raw_path: bytes) -> str:
    """The path to match: each segment decoded, then '%' and '/' escaped again.

    Raises the 400 of :func:`~wfctl.server.request.decode_segment` for a segment that is not
    UTF-8 once decoded, whatever the route (as before any route is looked at).
    """
    segments = split_path(raw_path)
    decoded = (decode_segment(s, i) for i, s in enumerate(segments, start=1))
    return "/" + "/".join(d.replace("%", "%25").replace("/", "%2F") for d in decoded)


def not_allowed(allowed: str) -> HttpError:
    return HttpError(
        405,
        "ERR_METHOD_NOT_ALLOWED",
        f"this route only accepts {allowed}",
        [(b"allow", allowed.encode())],
    )


class RouteTable:
    """Routes in order; :meth:`find` answers which handler serves a request."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = tuple(entries)

    def find(self, req: Request) -> tuple[Handler, dict[str, Any]] | None:
        """The handler and path parameters for ``req``; None when no route has its path.

        Raises the 405 when a route has the path but not the method.
        """
        scope = {"type": "http", "path": routing_path(req.raw_path), "method": req.method}
        partial: Entry | None = None
        for e in self.entries:
            if e.raw is not None and not e.raw(req.raw_path):
                continue
            match, child = e.route.matches(scope)
            if match is Match.FULL:
                return e.handler, child["path_params"]
            if match is Match.PARTIAL and partial is None:
                partial = e
        if partial is not None:
            raise not_allowed(partial.allow)
        return None
