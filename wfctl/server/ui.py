"""The web view: static files from ``wfctl/server/ui/`` and the JSON routes only it needs.

Pages (``GET``, served without the API token: they hold no data, only code)::

    /                      the instances page      (ui/index.html)
    /instances/{id}        one instance's page     (ui/index.html; app.js reads the path)
    /ui/{file}             app.js, app.css, icon.svg

Data routes (need the token like every other ``/wfctl/v1`` route)::

    GET /wfctl/v1/counts[?name=N]            {"counts": {"RUNNING": 3, ...}, "total": 5}
    GET /wfctl/v1/page?status=&name=&idPrefix=&maxAge=&limit=&cursor=
                                             {"instances": [<get shape>...], "next": cursor}
    GET /wfctl/v1/instances/{id}/waiting     {"events": [...], "timers": [...],
                                              "activities": [...], "children": [...]}

Every page answer carries a Content-Security-Policy that allows only this server's own
script and style files (no inline script or style, no other origin), and no cookie is ever
set: the token lives in the tab's sessionStorage and travels in the ``dapr-api-token``
header, so a cross-site page can neither read the data nor send a change.
"""

from __future__ import annotations

from pathlib import Path

from wfctl.model import RuntimeStatus
from wfctl.server.request import HttpError, Request, Response, json_response
from wfctl.server.routes import Handlers, number_param, statuses_param
from wfctl.wire import format_time, state_to_dapr

UI_DIR = Path(__file__).with_name("ui")
_TYPES = {
    ".html": b"text/html; charset=utf-8",
    ".js": b"text/javascript; charset=utf-8",
    ".css": b"text/css; charset=utf-8",
    ".svg": b"image/svg+xml",
}
CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    b"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = [
    (b"content-security-policy", CSP),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-cache"),
]
MAX_PAGE = 500
_cache: dict[str, bytes] = {}


def is_page_path(raw_path: bytes) -> bool:
    """Whether ``raw_path`` is one of the web view's static pages or files."""
    if raw_path == b"/" or raw_path.startswith(b"/ui/"):
        return True
    parts = raw_path.split(b"/")
    return len(parts) == 3 and parts[1] == b"instances" and parts[2] != b""


def _file(name: str) -> bytes:
    data = _cache.get(name)
    if data is None:
        data = (UI_DIR / name).read_bytes()
        _cache[name] = data
    return data


def page(method: str, raw_path: bytes) -> Response | None:
    """The static answer for a page path (None: not a file of ours, so a 404)."""
    if method not in ("GET", "HEAD"):
        raise HttpError(
            405, "ERR_METHOD_NOT_ALLOWED", "this route only accepts GET", [(b"allow", b"GET")]
        )
    name = "index.html"
    if raw_path.startswith(b"/ui/"):
        name = raw_path[4:].decode("latin-1")
        if "/" in name or name.startswith(".") or Path(name).suffix not in _TYPES:
            return None
        if not (UI_DIR / name).is_file():
            return None
    body = _file(name)
    return Response(200, body, _TYPES[Path(name).suffix], list(PAGE_HEADERS))


async def counts(h: Handlers, req: Request) -> Response:
    name = req.query_one("name") or None
    found: dict[RuntimeStatus, int] = await h._run("list", "", h._reads.count_by_status, name=name)
    by_name = {s.value: n for s, n in sorted(found.items(), key=lambda kv: kv[0].value)}
    return json_response(200, {"counts": by_name, "total": sum(by_name.values())})


async def page_of_instances(h: Handlers, req: Request) -> Response:
    limit = number_param(req, "limit", integer=True, minimum=1)
    states, nxt = await h._run(
        "list",
        "",
        h._reads.page_instances,
        statuses=statuses_param(req),
        name=req.query_one("name") or None,
        id_prefix=req.query_one("idPrefix") or None,
        max_age=number_param(req, "maxAge", integer=False),
        limit=min(int(limit or 50), MAX_PAGE),
        after=req.query_one("cursor") or None,  # a bad cursor: UsageError, 400
    )
    return json_response(200, {"instances": [state_to_dapr(s) for s in states], "next": nxt})


async def waiting(h: Handlers, req: Request, instance_id: str) -> Response:
    """What the instance waits for, by :func:`wfctl.waiting.derive` (as `wfctl status`)."""
    from wfctl.waiting import derive

    h._existing_id(instance_id, "history")
    entries, events = await h._run("history", instance_id, h._reads.history_with_waits, instance_id)
    w = derive(entries, events)
    body = {
        "events": list(w.events),
        "timers": [None if t is None else format_time(t) for t in w.timers],
        "activities": list(w.activities),
        "children": [{"instanceID": cid, "name": name} for cid, name in w.children],
    }
    return json_response(200, body)
