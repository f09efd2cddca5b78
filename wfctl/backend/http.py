"""HttpBackend: the Backend protocol over the Dapr workflow HTTP API (daprd or `wfctl serve`).

Errors of httpx and of the server are translated here, at one boundary, into
:class:`wfctl.model.WfctlError` subclasses (see ../shared/API.md for the server's table):

* connection refused / reset, DNS, TLS, timeouts      -> UnreachableError (5)
* 401 / 403                                          -> AuthError (6)
* 404 ``ERR_INSTANCE_ID_NOT_FOUND``                  -> NotFoundError (3)
* 409, and a 500 from start/purge that a status read explains -> ConflictError (4)
* 400 for a bad ID, name, event name or body         -> UsageError (2)
* anything else                                      -> ServerError (7), errorCode and message kept
* a 2xx whose body is not what the API gives (not JSON, ``{}``, a field of another type)
                                                     -> ServerError (7) "unexpected answer from …"

Retries happen only for transient failures (connection refused/reset, 502, 503), with capped
exponential backoff (the policy of :mod:`wfctl.retry`). A start is retried only after a GET
shows no instance with its ID (wfctl makes the ID itself when none is given, as daprd would,
so this is always possible); a raise-event is retried only when the connection was refused
(the request never left).

Which server answers is learned once, from the first answer: `wfctl serve` sets the header
``wfctl-api`` (:data:`wfctl.wire.SERVE_HEADER`) on every response, daprd does not. Against
`wfctl serve` the backend has the capabilities of :data:`SERVE_CAPABILITIES` (its
``/wfctl/v1`` routes); against daprd none, and no ``/wfctl/v1`` request is ever sent once
that is known. Only a caller that asks :meth:`HttpBackend.supports` before any other call
costs a request of its own (``GET /v1.0/healthz``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from wfctl import retry, wire
from wfctl.backend._http_client import HttpClient, Transient
from wfctl.backend._httpx import httpx
from wfctl.backend._wfctl_routes import WfctlRoutes, quote_segment
from wfctl.backend.protocol import (
    FIRST_READ,
    Capability,
    OnRecorded,
    WaitFor,
    unanswered_wait,
    wait_reached,
    wait_timeout,
)
from wfctl.ids import new_instance_id
from wfctl.model import (
    ConflictError,
    NotFoundError,
    UnreachableError,
    UnsupportedError,
    UsageError,
    WaitTimeoutError,
    WfctlError,
    WorkflowState,
)
from wfctl.textsafe import loads_bounded

#: What `wfctl serve`'s own routes add to the Dapr HTTP API.
SERVE_CAPABILITIES = frozenset(
    {
        Capability.LIST,
        Capability.PAGE,
        Capability.HISTORY,
        Capability.RERUN,
        Capability.BULK_PURGE,
        Capability.WORKFLOWS,
    }
)
_GRPC_OR = "use --transport grpc (Dapr 1.17+), --embedded, or point --url at `wfctl serve`"
_WAY_OUT = {
    Capability.RERUN: "use --transport grpc against daprd's gRPC port, --embedded, or point"
    " --url at `wfctl serve`",
    Capability.WORKFLOWS: "use --embedded with --app, or point --url at `wfctl serve`",
    Capability.COUNT: "use --embedded",
    Capability.DELAYED_START: "use --transport grpc, --embedded, or drop --at/--in",
    Capability.TERMINATE_OUTPUT: "use --transport grpc or --embedded, or drop --result",
}


class HttpBackend(WfctlRoutes):
    """A Backend that talks to ``base_url`` (e.g. ``http://127.0.0.1:3500``).

    ``verify`` is True, False (no TLS check) or a CA bundle path. ``transport`` replaces the
    network (an ``httpx.BaseTransport``, e.g. ``httpx.MockTransport``) for tests. ``log``, when
    given, receives one line per request (method, URL, status, time; never the token).
    ``wait_outage`` is how long :meth:`wait` keeps polling through an unreachable server.

    ``timeout`` bounds each request as a whole (connecting, sending, every byte of the answer),
    not each socket operation. ``location`` is the URL with any user:password hidden; every
    message and log line uses it.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_version: str = "v1.0-beta1",
        component: str = "dapr",
        api_token: str | None = None,
        timeout: float = 30.0,
        verify: bool | str = True,
        transport: httpx.BaseTransport | None = None,
        retries: int | None = None,
        backoff: float | None = None,
        log: Callable[[str], None] | None = None,
        wait_outage: float = 30.0,
    ) -> None:
        self.http = HttpClient(
            base_url,
            component=component,
            api_token=api_token,
            timeout=timeout,
            verify=verify,
            transport=transport,
            retries=retries,
            backoff=backoff,
            log=log,
        )
        self.location = self.http.location
        self.api_version = api_version
        self.component = component
        self.wait_outage = wait_outage

    # -- capabilities ---------------------------------------------------------------------------

    @property
    def capabilities(self) -> frozenset[Capability]:  # type: ignore[override]
        """SERVE_CAPABILITIES against `wfctl serve`, none against daprd (see the module
        docstring: learned from the first answer, or one ``GET /v1.0/healthz``)."""
        if self.http.serve is None:
            self.http.call("GET", "/v1.0/healthz")
        return SERVE_CAPABILITIES if self.http.serve else frozenset()

    def supports(self, capability: Capability) -> bool:
        return capability in SERVE_CAPABILITIES and capability in self.capabilities

    def way_out(self, capability: Capability) -> str:
        return _WAY_OUT.get(capability, _GRPC_OR)

    def unsupported(self, capability: Capability, *, why: str = "") -> UnsupportedError:
        what = "list" if capability is Capability.PAGE else capability.value
        if capability in SERVE_CAPABILITIES:
            what += " call"
            why = why or f"{self.location} is a Dapr sidecar, not `wfctl serve`"
        exc = UnsupportedError(
            f"the Dapr HTTP API has no {what}"
            + (f" ({why})" if why else "")
            + f": {self.way_out(capability)}"
        )
        exc.capability = capability
        return exc

    # -- plumbing -----------------------------------------------------------------------------

    def _path(self, *segments: str) -> str:
        parts = [self.api_version, "workflows", self.component, *segments]
        return "/" + "/".join(quote_segment(p) for p in parts)

    def _not_found(self, instance_id: str) -> NotFoundError:
        return NotFoundError(f"no workflow instance {instance_id!r} at {self.location}")

    def _instance_error(self, resp: httpx.Response, instance_id: str, *, ask: bool) -> WfctlError:
        """The error of a refused request about ``instance_id``: :meth:`_not_found` where the
        server said the ID is unknown or (``ask``) where a GET then finds no such instance."""
        err = self.http.server_error(resp)
        if isinstance(err, NotFoundError) or (ask and self._exists(instance_id) is None):
            return self._not_found(instance_id)
        return err

    def _exists(self, instance_id: str) -> WorkflowState | None:
        try:
            return self.get(instance_id)
        except NotFoundError:
            return None

    # -- Backend ------------------------------------------------------------------------------

    def start(
        self,
        name: str,
        input: str | None = None,
        *,
        instance_id: str | None = None,
        start_at: datetime | None = None,
        on_recorded: OnRecorded | None = None,
    ) -> str:
        """POST .../{name}/start?instanceID=...; the input text is sent byte for byte."""
        if start_at is not None:
            raise self.unsupported(Capability.DELAYED_START)
        if not name:
            raise UsageError("workflow name is empty")
        content = _body(input, "input")
        iid = instance_id or new_instance_id()
        path = self._path(name, "start")
        t0 = time.time() - 2.0  # allow for a little clock skew between us and the server
        attempt = 0
        while True:
            try:
                resp = self.http.send("POST", path, params={"instanceID": iid}, content=content)
                break
            except Transient as t:
                self.http.back_off(t, attempt)
                attempt += 1
                seen = self._exists(iid) if t.sent else None
                if seen is not None:
                    # The earlier try went through (or an older instance has the ID): never
                    # start twice.
                    if seen.created_at is not None and seen.created_at.timestamp() >= t0:
                        return _recorded(iid, on_recorded)
                    raise UnreachableError(
                        f"the start of {iid!r} may or may not have been accepted "
                        f"({t.error}); check `wfctl status {iid}`"
                    ) from None
        if resp.status_code in (500, 409):
            err = self.http.server_error(resp)
            state = self._exists(iid)
            if state is not None and not state.runtime_status.is_terminal:
                raise ConflictError(
                    f"an active instance {iid!r} ({state.runtime_status.value}) already exists: "
                    "terminate or purge it first, or choose another --id"
                ) from None
            raise err
        self.http.check(resp)
        try:  # daprd answers {"instanceID": ...}; a body of another shape changes nothing
            body = loads_bounded(resp.content) if resp.content else {}
        except ValueError:
            body = {}
        got = body.get("instanceID") if isinstance(body, dict) else None
        return _recorded(got if isinstance(got, str) and got else iid, on_recorded)

    def get(self, instance_id: str) -> WorkflowState:
        resp = self.http.call("GET", self._path(instance_id))
        if resp.status_code == 404:
            raise self._instance_error(resp, instance_id, ask=False)
        self.http.check(resp, ok=(200,))
        state: WorkflowState = self.http.parse(resp, wire.state_from_dapr)
        if not state.instance_id:
            state.instance_id = instance_id
        return state

    def _operation(self, instance_id: str, op: str, *, retry_sent: bool = True) -> None:
        resp = self.http.call("POST", self._path(instance_id, op), retry_sent=retry_sent)
        if resp.status_code in (404, 500):
            # daprd answers 500 for an unknown ID on several routes: a GET tells us which.
            raise self._instance_error(resp, instance_id, ask=resp.status_code == 500)
        self.http.check(resp)

    def pause(self, instance_id: str) -> None:
        self._operation(instance_id, "pause")

    def resume(self, instance_id: str) -> None:
        self._operation(instance_id, "resume")

    def terminate(self, instance_id: str, output: str | None = None) -> None:
        """Terminate; an ``output`` is UnsupportedError: the Dapr HTTP API cannot send it."""
        if output is not None:
            raise self.unsupported(Capability.TERMINATE_OUTPUT)
        self._operation(instance_id, "terminate")

    def raise_event(self, instance_id: str, event_name: str, data: str | None = None) -> None:
        if not event_name:
            raise UsageError("event name is empty")
        content = _body(data, "event data")
        path = self._path(instance_id, "raiseEvent", event_name)
        resp = self.http.call("POST", path, content=content, retry_sent=False)
        if resp.status_code in (404, 500):
            raise self._instance_error(resp, instance_id, ask=True)
        self.http.check(resp)

    def purge(self, instance_id: str) -> None:
        resp = self.http.call("POST", self._path(instance_id, "purge"))
        if resp.status_code in (404, 409, 500):
            err = self.http.server_error(resp)
            state = self._exists(instance_id)
            if state is None:
                raise self._not_found(instance_id) from None
            if resp.status_code == 409 or not state.runtime_status.is_terminal:
                raise ConflictError(
                    f"instance {instance_id!r} is {state.runtime_status.value}: only finished "
                    "instances can be purged (terminate it first)"
                ) from None
            raise err
        self.http.check(resp)

    def wait(
        self,
        instance_id: str,
        *,
        until: WaitFor = "completion",
        timeout: float | None = None,
        interval: float = 0.5,
    ) -> WorkflowState:
        """Poll with backoff (from 50 ms up to ``interval``) until the condition, for at most
        ``timeout`` seconds *in all*: a request in flight is cut off at the deadline (each
        request is also bounded by the client's timeout). The first read gets at least
        :data:`FIRST_READ` seconds. Once the instance has been read, the server may be
        unreachable for up to ``wait_outage`` seconds (a sidecar restart) before the wait
        gives up."""
        started = time.monotonic()
        deadline = None if timeout is None else started + timeout
        polls, polled = retry.polls(interval), 0
        seen: WorkflowState | None = None
        outage_since: float | None = None
        bound = None if deadline is None else max(deadline, started + FIRST_READ)
        while True:
            try:
                with self.http.bounded(bound):
                    state = self.get(instance_id)
            except UnreachableError:
                now = time.monotonic()
                if deadline is not None and now >= deadline:
                    raise self._wait_timeout(instance_id, until, seen, timeout) from None
                outage_since = outage_since if outage_since is not None else now
                if seen is None or now - outage_since >= self.wait_outage:
                    raise
                retry.pause(max(polls.delay(polled), retry.OUTAGE.delay(0)), deadline)
                continue
            finally:
                bound = deadline
            seen, outage_since = state, None
            if wait_reached(state.runtime_status, until):
                return state
            if deadline is not None and time.monotonic() >= deadline:
                raise self._wait_timeout(instance_id, until, state, timeout)
            retry.pause(polls.delay(polled), deadline)
            polled += 1

    def _wait_timeout(
        self, instance_id: str, until: WaitFor, state: WorkflowState | None, timeout: float | None
    ) -> WaitTimeoutError:
        if state is None:
            return unanswered_wait(instance_id, timeout, self.location)
        return wait_timeout(instance_id, until, timeout, state.runtime_status)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> HttpBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _recorded(iid: str, on_recorded: OnRecorded | None) -> str:
    if on_recorded is not None:
        on_recorded(iid)
    return iid


def _body(text: str | None, what: str) -> bytes | None:
    """``text`` as the UTF-8 request body; UsageError over the sidecar's 4 MiB limit."""
    content = text.encode("utf-8") if text is not None else None
    if content is not None and len(content) > wire.MAX_BODY_BYTES:
        raise UsageError(
            f"{what} is {len(content)} bytes: the Dapr sidecar refuses bodies over 4 MiB"
        )
    return content
