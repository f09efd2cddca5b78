"""The ASGI application: daprd's workflow HTTP API over any :class:`~wfctl.backend.Backend`.

Routes (``{p}`` is ``/v1.0-beta1``, ``/v1.0`` or ``/v1.0-alpha1``; ``{c}`` is ignored)::

    POST {p}/workflows/{c}/{name}/start[?instanceID=ID]   202 {"instanceID": ...}
    GET  {p}/workflows/{c}/{id}                           200 the get shape
    POST {p}/workflows/{c}/{id}/terminate|pause|resume|purge        202 {}
    POST {p}/workflows/{c}/{id}/raiseEvent/{event}                  202 {}
    GET  /v1.0/healthz                                    204 (never needs the token)
    GET  /wfctl/v1/instances, GET /wfctl/v1/instances/{id}/history, POST /wfctl/v1/purge,
    POST /wfctl/v1/instances/{id}/rerun                   202 {"instanceID": ...}
    GET  /, /instances/{id}, /ui/*: the web view (with ``ui=True``; see wfctl.server.ui)

Every GET route answers HEAD too (no body). Before anything else, :mod:`wfctl.server.guard`
refuses (403) a Host that is not this server's and a state-changing request a browser sent
from another origin. The Backend's blocking calls run on a thread pool, never on the event
loop. With a token, every other path needs the header ``dapr-api-token`` (compared in
constant time), else 401 with the plain-text body ``invalid api token\\n`` (the web view's
static files excepted); a header sent twice is refused the same way.
Each request writes one access-log line.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl, urlencode

from wfctl.model import WfctlError
from wfctl.server import ui
from wfctl.server.guard import Guard
from wfctl.server.request import HttpError, Receive, Request, Response, Send, error_response
from wfctl.server.router import RouteTable, entry
from wfctl.server.routes import Handlers
from wfctl.wire import SERVE_HEADER, SERVE_HEADER_VALUE

HEALTH_PATHS = (b"/v1.0/healthz", b"/v1.0/healthz/outbound")
TOKEN_HEADER = b"dapr-api-token"
#: On every response: tells a client this is `wfctl serve` (see wfctl.wire.SERVE_HEADER).
_SERVE_HEADER = (SERVE_HEADER.encode(), SERVE_HEADER_VALUE.encode())
UNAUTHORIZED = Response(401, b"invalid api token\n", b"text/plain; charset=utf-8")
DUPLICATE_TOKEN = Response(
    401,
    b"invalid api token: the dapr-api-token header is given more than once; send it once\n",
    b"text/plain; charset=utf-8",
)
_SECRET_WORDS = ("token", "secret", "key", "password", "auth")

LogFn = Callable[[str], None]


def _stderr_log(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class WorkflowServerApp:
    """An ASGI 3 application; see the module docstring for what it serves.

    ``backend`` is used from ``max_workers`` threads at once, so it must be thread-safe
    (EmbeddedBackend is). ``log`` receives one line per request and one per unexpected error.
    ``reader``, when given, answers get/list/history (a second connection to the same file).
    ``guard`` checks every request's Host and Origin first (default: the loopback names; see
    :mod:`wfctl.server.guard`).
    """

    def __init__(
        self,
        backend: Any,
        *,
        api_token: str | None = None,
        log: LogFn | None = None,
        max_workers: int = 16,
        reader: Any = None,
        ui: bool = False,
        guard: Guard | None = None,
    ) -> None:
        self.backend = backend
        self.guard = guard or Guard()
        self._token = api_token.encode("utf-8") if api_token else None
        self.log: LogFn = log or _stderr_log
        self.verbose = False
        self._max_workers = max_workers
        self._executor: ThreadPoolExecutor | None = None
        self.handlers = Handlers(backend, self.call, reader)
        self.ui = ui
        self._routes = _route_table(self.handlers, ui)

    # -------------------------------------------------------------------- plumbing

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=self._max_workers, thread_name_prefix="wfctl-serve"
            )
        return self._executor

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a blocking call on the server's thread pool; the event loop stays free."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool(), functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        """Wait for calls in flight and stop the thread pool (the backend stays open)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "http":
            await self._http(scope, receive, send)
        # Anything else (websocket) is not served: returning closes it.

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._pool()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await asyncio.get_running_loop().run_in_executor(None, self.close)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        began = time.perf_counter()
        req = Request(scope, receive)
        try:
            resp = await self._dispatch(req)
        except HttpError as err:
            cause = err.__cause__
            if cause is not None and not isinstance(cause, WfctlError):
                self._log_unexpected(req, cause)
            elif err.status >= 500 and isinstance(cause, WfctlError):
                # e.g. the database went read-only: the operator must see it, not only curl.
                self.log(f"wfctl serve: {err.error_code}: {_one_line(err.message)}")
            resp = error_response(err)
        except Exception as exc:  # a bug of ours: answer 500, log one line, keep serving
            self._log_unexpected(req, exc)
            resp = error_response(HttpError(500, "ERR_INTERNAL", "internal server error"))
        headers = [(b"content-length", str(len(resp.body)).encode()), _SERVE_HEADER]
        if resp.content_type is not None:
            headers.append((b"content-type", resp.content_type))
        headers.extend(resp.headers)
        try:
            await send({"type": "http.response.start", "status": resp.status, "headers": headers})
            body = b"" if req.method == "HEAD" else resp.body  # HEAD: GET's headers alone
            await send({"type": "http.response.body", "body": body})
        finally:
            elapsed = (time.perf_counter() - began) * 1000
            self.log(self._access_line(req, resp.status, elapsed))

    def _log_unexpected(self, req: Request, exc: BaseException) -> None:
        where = f"{req.method} {_printable(req.raw_path)}"
        if self.verbose:
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            self.log(f"wfctl serve: internal error on {where}:\n{text.rstrip()}")
        else:
            self.log(
                f"wfctl serve: internal error on {where}: {type(exc).__name__}: {_one_line(exc)}"
            )

    def _access_line(self, req: Request, status: int, elapsed_ms: float) -> str:
        client = req.scope.get("client")
        host = client[0] if client else "-"
        target = _printable(req.raw_path)
        if req.query_string:
            target += "?" + _redacted_query(req.query_string)
        return f'{host} "{req.method} {target}" {status} {elapsed_ms:.1f}ms'

    def _refusal(self, req: Request) -> Response | None:
        """None when the token check passes, else the 401 to answer."""
        if self._token is None or req.raw_path in HEALTH_PATHS:
            return None
        if self.ui and req.method in ("GET", "HEAD") and ui.is_page_path(req.raw_path):
            return None  # code only, no data: the page then asks for the token
        given = req.headers(TOKEN_HEADER)
        if len(given) > 1:  # first-wins here, last-wins elsewhere: never guess which
            return DUPLICATE_TOKEN
        if hmac.compare_digest(given[0] if given else b"", self._token):
            return None
        return UNAUTHORIZED

    # -------------------------------------------------------------------- routing

    async def _dispatch(self, req: Request) -> Response:
        self.guard.check(req.method, req.scope.get("headers") or ())  # Host, then Origin
        refused = self._refusal(req)
        if refused is not None:
            return refused
        found = self._routes.find(req)
        if found is None:
            raise HttpError(
                404,
                "ERR_NOT_FOUND",
                f"no route for {req.method} {_printable(req.raw_path)}: "
                "see the Dapr workflow HTTP API",
            )
        handler, params = found
        return await handler(req, **params)


def _route_table(h: Handlers, with_ui: bool) -> RouteTable:
    """Every route serve answers, in the order they are tried."""
    wf = "/{p:wfctl_dapr}/workflows/{c:wfctl_seg}/{id:wfctl_seg}"
    ext = "/wfctl/v1"
    get, post = ["GET"], ["POST"]

    def action(fn: Callable[[Request, str], Awaitable[Response]]) -> Any:
        return lambda req, p, c, id: fn(req, id)

    entries = [
        entry(wf, get, action(h.get)),
        entry(wf + "/start", post, action(h.start)),
        entry(wf + "/terminate", post, action(h.terminate)),
        entry(wf + "/pause", post, action(h.pause)),
        entry(wf + "/resume", post, action(h.resume)),
        entry(wf + "/purge", post, action(h.purge)),
        entry(
            wf + "/raiseEvent/{event:wfctl_seg}",
            post,
            lambda req, p, c, id, event: h.raise_event(req, id, event),
        ),
        entry("/v1.0/healthz", get, _healthy, allow="GET", raw=HEALTH_PATHS.__contains__),
        entry("/v1.0/healthz/outbound", get, _healthy, allow="GET", raw=HEALTH_PATHS.__contains__),
        entry(ext + "/instances", get, h.list_instances),
        entry(ext + "/workflows", get, h.workflows),
        entry(ext + "/instances/{id:wfctl_seg}/history", get, lambda req, id: h.history(req, id)),
        entry(ext + "/instances/{id:wfctl_seg}/rerun", post, lambda req, id: h.rerun(req, id)),
        entry(ext + "/purge", post, h.bulk_purge),
        entry(ext + "/counts", get, lambda req: ui.counts(h, req)),
        entry(ext + "/page", get, lambda req: ui.page_of_instances(h, req)),
        entry(
            ext + "/instances/{id:wfctl_seg}/waiting", get, lambda req, id: ui.waiting(h, req, id)
        ),
    ]
    if with_ui:
        for path in ("/", "/instances/{id}", "/ui/{file:path}"):
            entries.append(entry(path, get, _page, allow="GET", raw=ui.is_page_path))
    return RouteTable(entries)


async def _healthy(req: Request) -> Response:
    return Response(204, b"", None)


async def _page(req: Request, **_: str) -> Response:
    found = ui.page(req.method, req.raw_path)
    if found is None:
        raise HttpError(
            404,
            "ERR_NOT_FOUND",
            f"no route for {req.method} {_printable(req.raw_path)}: see the Dapr workflow HTTP API",
        )
    return found


def _one_line(value: object, limit: int = 500) -> str:
    lines = str(value).splitlines() or [""]
    text = lines[0] + (" ..." if len(lines) > 1 else "")
    return text if len(text) <= limit else text[:limit] + "..."


def _printable(raw: bytes, limit: int = 300) -> str:
    """Bytes from the wire as one safe log field: no control characters, bounded length."""
    text = raw.decode("latin-1")
    text = "".join(c if c.isprintable() and c != '"' else f"\\x{ord(c):02x}" for c in text)
    return text if len(text) <= limit else text[:limit] + "..."


def _redacted_query(query: bytes) -> str:
    """The query string with the values of secret-looking parameters replaced."""
    try:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    except ValueError:
        return "<unparsable>"
    safe = [(k, "REDACTED" if any(w in k.lower() for w in _SECRET_WORDS) else v) for k, v in pairs]
    return _printable(urlencode(safe).encode("latin-1", "replace"))
