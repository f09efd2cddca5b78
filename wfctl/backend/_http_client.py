"""The HTTP plumbing under HttpBackend: one httpx client, its deadlines, retries (the policy
of :mod:`wfctl.retry`), and the translation of failures and error answers into WfctlError
subclasses (the table in :mod:`wfctl.backend.http`). It also learns, from the first answer,
whether the server is `wfctl serve` (:data:`wfctl.wire.SERVE_HEADER`): ``serve`` is None
until then.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from wfctl import retry, wire
from wfctl.backend import _deadline
from wfctl.backend._httpx import httpx
from wfctl.durations import seconds_text
from wfctl.model import (
    AuthError,
    ConflictError,
    NotFoundError,
    ServerError,
    UnreachableError,
    UsageError,
    WfctlError,
)
from wfctl.textsafe import TooDeepError, loads_bounded, redact_url

_USAGE_CODES = {
    "ERR_INSTANCE_ID_INVALID",
    "ERR_INSTANCE_ID_TOO_LONG",
    "ERR_INSTANCE_ID_PROVIDED_MISSING",
    "ERR_WORKFLOW_NAME_MISSING",
    "ERR_WORKFLOW_EVENT_NAME_MISSING",
    "ERR_MALFORMED_REQUEST",
    "ERR_BODY_READ",
    # daprd answers 500 for this code; `wfctl serve` answers 400 for an unknown workflow name.
    "ERR_START_WORKFLOW",
}
_TRANSIENT_STATUS = {502, 503}


class Transient(Exception):
    """A failure worth another try; carries the error to raise when tries run out."""

    def __init__(self, error: WfctlError, *, sent: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.sent = sent  # False when the request certainly never reached the server


class HttpClient:
    """Requests to ``base_url`` (see HttpBackend for the arguments); ``location`` is the URL
    with any user:password hidden, for every message and log line."""

    def __init__(
        self,
        base_url: str,
        *,
        component: str,
        api_token: str | None,
        timeout: float,
        verify: bool | str,
        transport: httpx.BaseTransport | None,
        retries: int | None,
        backoff: float | None,
        log: Callable[[str], None] | None,
    ) -> None:
        base_url = base_url.rstrip("/")
        self.location = redact_url(base_url)
        self.component = component
        first = retry.REQUEST.first if backoff is None else backoff
        self._retry = retry.Backoff(
            first,
            max(first, retry.REQUEST.cap),
            attempts=retry.REQUEST.attempts if retries is None else max(0, retries),
        )
        self._log = log
        self._token_set = bool(api_token)
        headers = {"dapr-api-token": api_token} if api_token else {}
        if base_url.startswith("http://"):
            verify = False  # no TLS on this connection; skip loading the CA bundle
        elif isinstance(verify, str):
            import ssl

            try:
                verify = ssl.create_default_context(cafile=verify)  # type: ignore[assignment]
            except (OSError, ssl.SSLError) as exc:
                raise UsageError(f"cannot load CA certificate {verify!r}: {exc}") from None
        self._client = httpx.Client(
            base_url=base_url,
            headers=headers,
            timeout=timeout,
            verify=verify,
            transport=transport,
            follow_redirects=False,
        )
        self._timeout = timeout
        self._deadline = _deadline.install(self._client)
        self._bound: float | None = None  # set by bounded(): no request may end later
        #: Whether the server is `wfctl serve`: learned from the first answer (None: none yet).
        self.serve: bool | None = None

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        content: bytes | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """One request, over within ``timeout`` (default: the client's) or by the deadline of
        :meth:`bounded`, whichever is first; transient failures raise Transient, others
        WfctlError."""
        started = time.monotonic()
        limit = self._timeout if timeout is None else timeout
        if self._bound is not None:
            limit = max(0.0, min(limit, self._bound - started))
        kwargs: dict[str, Any] = {"params": params, "content": content, "timeout": limit}
        try:
            with self._deadline.until(started + limit):
                resp = self._client.request(method, path, **kwargs)
        except httpx.ConnectError as exc:
            text = str(exc)
            if "SSL" in text or "CERTIFICATE" in text.upper():
                raise UnreachableError(
                    f"TLS handshake with {self.location} failed: {text} "
                    "(use --ca-cert PATH, or --insecure to skip the check)"
                ) from None
            raise Transient(self.unreachable(exc), sent=False) from None
        except httpx.TimeoutException as exc:
            what = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for"
            raise UnreachableError(
                f"timed out after {seconds_text(limit)}s {what} {self.location} "
                "(raise --request-timeout, or check the sidecar)"
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise Transient(
                UnreachableError(f"connection to {self.location} was reset: {exc}"), sent=True
            ) from None
        except httpx.HTTPError as exc:
            raise UnreachableError(f"cannot talk to {self.location}: {exc}") from None
        except httpx.InvalidURL as exc:  # e.g. a 70,000-character ID: no request can carry it
            raise UsageError(
                f"cannot send {method} {self.location}{path[:60]}...: {exc}; "
                "use a shorter instance ID or event name"
            ) from None
        if self._log is not None:
            ms = (time.monotonic() - started) * 1000
            self._log(f"{method} {self.location}{path} -> {resp.status_code} ({ms:.0f} ms)")
        if resp.status_code in _TRANSIENT_STATUS:
            raise Transient(self.server_error(resp), sent=True)
        if self.serve is None:  # the first real answer says who the server is, once
            self.serve = wire.SERVE_HEADER in resp.headers
        return resp

    @contextmanager
    def bounded(self, deadline: float | None) -> Iterator[None]:
        """Every request (and back-off) in this block ends by ``deadline``."""
        previous, self._bound = self._bound, deadline
        try:
            yield
        finally:
            self._bound = previous

    def unreachable(self, exc: Exception) -> UnreachableError:
        return UnreachableError(
            f"cannot reach {self.location} ({reason_of(exc)}): start the Dapr sidecar "
            "(dapr run ...) or `wfctl serve`, check --url, or use --embedded"
        )

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        content: bytes | None = None,
        retry_sent: bool = True,
        timeout: float | None = None,
    ) -> httpx.Response:
        """send with retries; ``retry_sent=False`` retries only requests that never left."""
        attempt = 0
        while True:
            try:
                return self.send(method, path, params=params, content=content, timeout=timeout)
            except Transient as t:
                self.back_off(t, attempt, retry_sent=retry_sent)
                attempt += 1

    def back_off(self, failure: Transient, attempt: int, *, retry_sent: bool = True) -> None:
        """Wait before retry ``attempt + 1``; raise ``failure``'s error when none is due."""
        if not self._retry.allows(attempt) or (failure.sent and not retry_sent):
            raise failure.error from None
        pause = self._retry.delay(attempt)
        if self._bound is not None and time.monotonic() + pause >= self._bound:
            raise failure.error from None
        time.sleep(pause)

    def server_error(self, resp: httpx.Response) -> WfctlError:
        code, message = _error_fields(resp)
        status = resp.status_code
        if status in (401, 403):
            hint = (
                "the token was refused: check --api-token, --api-token-file or DAPR_API_TOKEN"
                if self._token_set
                else "the server wants an API token: set --api-token, --api-token-file "
                "or DAPR_API_TOKEN"
            )
            return AuthError(f"{self.location} answered {status}: {hint}")
        if status == 404 and code == "ERR_INSTANCE_ID_NOT_FOUND":
            return NotFoundError(message or "no workflow instance with that ID")
        if status == 409:
            return ConflictError(f"conflict: {code + ': ' if code else ''}{message}".rstrip(": "))
        if status == 400 and code in _USAGE_CODES:
            return UsageError(f"the server refused the request: {code}: {message}")
        if status == 400 and code == "ERR_WORKFLOW_COMPONENT_NOT_FOUND":
            return UsageError(
                f"the server has no workflow component {self.component!r} ({code}): "
                "use --component dapr"
            )
        detail = f"{code}: {message}" if code else (message or resp.reason_phrase)
        return ServerError(
            f"{self.location} answered {status}: {detail}", status_code=status, error_code=code
        )

    def parse(self, resp: httpx.Response, parse: Callable[[Any], Any]) -> Any:
        """``parse`` (a :mod:`wfctl.wire` reader) of the JSON body of a 2xx answer; a
        ServerError that says what is wrong when the body is not JSON or not of that shape."""
        try:
            body = loads_bounded(resp.content)
        except TooDeepError as exc:
            raise self.unexpected(resp, str(exc)) from None
        except ValueError:  # not JSON, or not UTF-8
            kind = resp.headers.get("content-type", "").partition(";")[0].strip()
            detail = "the body is not JSON" + (f" ({kind})" if kind else "")
            raise self.unexpected(resp, detail) from None
        try:
            return parse(body)
        except wire.WireError as exc:
            raise self.unexpected(resp, str(exc)) from None

    def unexpected(self, resp: httpx.Response, detail: str) -> ServerError:
        return ServerError(
            f"unexpected answer from {self.location} ({resp.status_code}): {detail}; "
            "is --url a Dapr sidecar or `wfctl serve`?",
            status_code=resp.status_code,
        )

    def check(self, resp: httpx.Response, ok: Sequence[int] = (200, 202, 204)) -> None:
        if resp.status_code not in ok:
            raise self.server_error(resp)

    def close(self) -> None:
        self._client.close()


def reason_of(exc: Exception) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
        return "unknown host"
    return str(exc) or type(exc).__name__


def _error_fields(resp: httpx.Response) -> tuple[str, str]:
    """(errorCode, message) of an error body; plain-text bodies give ("", text)."""
    text = resp.text.strip()
    try:
        body = loads_bounded(text) if text else {}
    except ValueError:
        return "", text.splitlines()[0][:200] if text else ""
    if isinstance(body, dict):
        return str(body.get("errorCode") or ""), str(body.get("message") or "")
    return "", text[:200]
