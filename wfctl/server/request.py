"""One HTTP request as the server's handlers see it, and the errors they answer with.

Plain ASGI underneath: no framework. A handler reads what it needs from :class:`Request`
(decoded path segments, query, body) and either returns a :class:`Response` or raises
:class:`HttpError`, which the app turns into daprd's error body
``{"errorCode": "...", "message": "..."}``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote_to_bytes

from wfctl.limits import LimitError, check_payload
from wfctl.textsafe import loads_bounded
from wfctl.wire import MAX_BODY_BYTES

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

JSON_TYPE = b"application/json"
#: An oversized body up to this size is read to its end (and dropped) before the 400 ...
MAX_DRAIN_BYTES = 64 * 1024 * 1024
#: ... unless the client takes longer than this to send it.
DRAIN_SECONDS = 5.0


class HttpError(Exception):
    """An answer other than success: status, daprd's ``errorCode`` and a one-line message."""

    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message
        self.headers = headers or []


def malformed(reason: str) -> HttpError:
    """daprd's 400 ``ERR_MALFORMED_REQUEST`` (its message prefix, our reason)."""
    return HttpError(400, "ERR_MALFORMED_REQUEST", f"failed deserializing HTTP body: {reason}")


def bad_request(message: str) -> HttpError:
    """A 400 ``ERR_MALFORMED_REQUEST`` about the URL rather than the body."""
    return HttpError(400, "ERR_MALFORMED_REQUEST", message)


@dataclass
class Response:
    """What a handler answers: a status, a body and its content type."""

    status: int
    body: bytes = b""
    content_type: bytes | None = JSON_TYPE
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


def json_bytes(value: Any) -> bytes:
    """Compact JSON as daprd writes it (UTF-8, no spaces)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_response(status: int, value: Any) -> Response:
    return Response(status, json_bytes(value))


def error_response(err: HttpError) -> Response:
    resp = json_response(err.status, {"errorCode": err.error_code, "message": err.message})
    resp.headers.extend(err.headers)
    return resp


def decode_segment(raw: bytes, position: int) -> str:
    """Unescape one path segment query-style (``+`` is a space), as daprd does.

    Raises a 400 when the unescaped bytes are not UTF-8: no instance or workflow can have
    such a name, and the engine stores text.
    """
    data = unquote_to_bytes(raw.replace(b"+", b" "))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request(
            f"path segment {position} is not valid UTF-8 after percent-decoding: "
            "percent-encode the UTF-8 bytes of the name"
        ) from None


def split_path(raw_path: bytes) -> list[bytes]:
    """The raw (still percent-encoded) segments of a path, without the leading ``/``."""
    if raw_path.startswith(b"/"):
        raw_path = raw_path[1:]
    return raw_path.split(b"/")


class Request:
    """An incoming request. The body is read at most once, and never past the 4 MiB limit."""

    def __init__(self, scope: dict[str, Any], receive: Receive) -> None:
        self.scope = scope
        self._receive = receive
        self.method: str = scope["method"]
        raw = scope.get("raw_path")
        if raw is None:
            raw = scope["path"].encode("utf-8", "surrogateescape")
        self.raw_path: bytes = raw.split(b"?", 1)[0]
        self.query_string: bytes = scope.get("query_string") or b""
        self._query: dict[str, list[str]] | None = None
        self._body: bytes | None = None

    def header(self, name: bytes) -> bytes | None:
        """The first value of header ``name`` (lowercase), or None."""
        for key, value in self.scope.get("headers") or ():
            if key.lower() == name:
                return value
        return None

    def headers(self, name: bytes) -> list[bytes]:
        """Every value of header ``name`` (lowercase), in the order sent."""
        return [v for k, v in self.scope.get("headers") or () if k.lower() == name]

    def query(self) -> dict[str, list[str]]:
        """The query parameters (case-sensitive names; ``+`` is a space)."""
        if self._query is None:
            try:
                text = self.query_string.decode("ascii")
                self._query = parse_qs(
                    text, keep_blank_values=True, encoding="utf-8", errors="strict"
                )
            except UnicodeDecodeError:
                raise bad_request(
                    "the query string is not valid UTF-8: percent-encode its values"
                ) from None
        return self._query

    def query_one(self, name: str) -> str | None:
        values = self.query().get(name)
        return values[0] if values else None

    async def body(self) -> bytes:
        """The whole body; 400 ``ERR_BODY_READ`` when it passes ``MAX_BODY_BYTES``.

        An oversized body is read on and discarded (see :meth:`_discard_rest`) before the 400
        is answered, so that the client can finish sending and read the answer.
        """
        if self._body is not None:
            return self._body
        declared = self.header(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = -1
            if size > MAX_BODY_BYTES:
                # A client that waits for "100 Continue" has sent nothing: answer at once.
                if size <= MAX_DRAIN_BYTES and self.header(b"expect") is None:
                    await self._discard_rest(0)
                raise _too_large()
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await self._receive()
            kind = message.get("type")
            if kind == "http.disconnect":
                raise HttpError(
                    400, "ERR_BODY_READ", "failed to read request body: client disconnected"
                )
            chunk = message.get("body") or b""
            total += len(chunk)
            if total > MAX_BODY_BYTES:
                chunks.clear()
                if message.get("more_body"):
                    await self._discard_rest(total)
                raise _too_large()
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        self._body = b"".join(chunks)
        return self._body

    async def _discard_rest(self, seen: int) -> None:
        """Read and drop the rest of a body we refuse, up to ``MAX_DRAIN_BYTES`` in all and
        ``DRAIN_SECONDS``. Answering while the client still sends, then closing (as the server
        does for ``Connection: close``), would leave its bytes unread: the kernel then resets
        the connection, and a client still writing never reads the 400."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DRAIN_SECONDS
        while seen <= MAX_DRAIN_BYTES:
            try:
                message = await asyncio.wait_for(self._receive(), deadline - loop.time())
            except asyncio.TimeoutError:
                return  # a client that stalls gets its answer now
            if message.get("type") == "http.disconnect":
                return
            seen += len(message.get("body") or b"")
            if not message.get("more_body"):
                return

    async def body_text(self) -> str:
        """The body as text; 400 ``ERR_MALFORMED_REQUEST`` when it is not UTF-8."""
        data = await self.body()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise malformed(f"the body is not valid UTF-8 (byte {exc.start})") from None
        try:
            # serve's limits, as on the gRPC port: too deep, it would break every reader that
            # parses it; too large, no work item could carry it to a gRPC worker.
            check_payload(text, "the body")
        except LimitError as exc:
            raise malformed(str(exc)) from None
        return text

    async def expect_no_body(self) -> None:
        """daprd's rule for get/terminate/pause/resume/purge: any body must be a JSON object."""
        data = await self.body()
        if not data.strip():
            return
        try:
            value = loads_bounded(data)
        except (UnicodeDecodeError, ValueError) as exc:
            raise malformed(f"the body is not JSON ({exc}): send no body") from None
        if not isinstance(value, dict):
            raise malformed("the body is not a JSON object: send no body")


def _too_large() -> HttpError:
    return HttpError(
        400,
        "ERR_BODY_READ",
        f"failed to read request body: the body is over {MAX_BODY_BYTES} bytes (4 MiB)",
    )
