"""GrpcBackend: the Backend protocol over the Durable Task client RPCs (daprd's gRPC port, or
`wfctl serve --grpc-port`), with wfctl's own stubs (:mod:`wfctl.protocol`).

Errors are translated here, at one boundary (:func:`_error`), into WfctlError subclasses:

* UNIMPLEMENTED (or daprd 1.16's UNKNOWN "failed to proxy request"), and the runtime's
  "does not support listing keys" /
  "no state store with actor support found"                -> UnsupportedError (2), naming the
                                                             Dapr release (1.17; rerun 1.16)
* UNAVAILABLE (refused, reset, DNS, TLS), DEADLINE_EXCEEDED  -> UnreachableError (5)
* UNAUTHENTICATED, PERMISSION_DENIED                         -> AuthError (6)
* NOT_FOUND                                                  -> NotFoundError (3)
* ALREADY_EXISTS, FAILED_PRECONDITION                        -> ConflictError (4)
* anything else                                              -> ServerError (7), message kept
  (control characters escaped)

Every call carries the token as ``dapr-api-token`` metadata and a deadline of the request
timeout, except the WaitForInstance* long polls, whose deadline is the wait's own timeout
(DEADLINE_EXCEEDED there is the wait running out: WaitTimeoutError, 124).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from wfctl import retry
from wfctl.backend import _grpc_convert as convert
from wfctl.backend._grpc_list import GrpcListing, RpcFailure
from wfctl.backend.protocol import (
    FIRST_READ,
    Capability,
    OnRecorded,
    WaitFor,
    unanswered_wait,
    wait_reached,
    wait_timeout,
)
from wfctl.durations import seconds_text
from wfctl.endpoints import EndpointError, parse_grpc_endpoint
from wfctl.model import (
    AuthError,
    ConflictError,
    HistoryEntry,
    NotFoundError,
    ServerError,
    UnreachableError,
    UnsupportedError,
    UsageError,
    WfctlError,
    WorkflowState,
)
from wfctl.protocol import load
from wfctl.textsafe import escape_control, redact_url

# gRPC's C core logs failed TLS handshakes and the like on stderr by itself; wfctl says what
# went wrong in one line of its own. Read when grpc is first imported (here, in load()).
# NONE, as `wfctl serve` chooses: this also reaches processes started later from this one.
os.environ.setdefault("GRPC_VERBOSITY", "NONE")

#: Messages of a runtime that cannot list (too old, or a state store that cannot list keys).
_CANNOT_LIST = ("does not support listing keys", "no state store with actor support found")
#: What a daprd before 1.17 answers to a method it lacks: it hands unknown methods to its
#: service-invocation proxy, which wants an app ID in the metadata (UNKNOWN, not UNIMPLEMENTED).
_NO_SUCH_METHOD = "failed to proxy request"
#: What each management RPC is for, and the Dapr release that added it (rerun came in 1.16:
#: a real daprd 1.16 answers it; list and history in 1.17).
_WHAT = {
    "ListInstanceIDs": ("list", "1.17"),
    "GetInstanceHistory": ("history", "1.17"),
    "RerunWorkflowFromEvent": ("rerun", "1.16"),
}
_MAX_MESSAGE = 4 * 1024 * 1024 + 64 * 1024  # daprd's 4 MiB body limit, plus the envelope


class GrpcBackend(GrpcListing):
    """A Backend that talks to a TaskHubSidecarService at ``endpoint`` (any form of
    :mod:`wfctl.endpoints`: ``host:port``, ``grpcs://host:port`` or ``host:port?tls=true`` for
    TLS, ``dns:``, ``unix:``...). ``verify`` is True, False (no TLS check) or a CA bundle
    path. ``log`` receives one line per call (method, code, time; never the token).

    Against daprd and `serve --grpc-port` alike, no workflow names nor counts: the protocol
    has no such call (a runtime too old to list is UnsupportedError as it answers)."""

    capabilities = frozenset(Capability) - {Capability.WORKFLOWS, Capability.COUNT}

    def way_out(self, capability: Capability) -> str:
        if capability is Capability.WORKFLOWS:
            return "the Durable Task protocol has no such call: use --embedded with --app, or --url"
        return "use --embedded, or --url against `wfctl serve`"

    def __init__(
        self,
        endpoint: str,
        *,
        api_token: str | None = None,
        timeout: float = 30.0,
        verify: bool | str = True,
        log: Callable[[str], None] | None = None,
        wait_outage: float = 30.0,
    ) -> None:
        ns = load()
        self._pb = ns.pb
        self._grpc = ns.grpc
        try:
            ep = parse_grpc_endpoint(endpoint)
        except EndpointError as exc:
            raise UsageError(f"gRPC endpoint {redact_url(endpoint)!r} {exc}") from None
        self.location = ep.location
        self._timeout = timeout
        self._log = log
        self.wait_outage = wait_outage
        self._token_set = bool(api_token)
        self._metadata = (("dapr-api-token", api_token),) if api_token else ()
        options: list[tuple[str, Any]] = [
            ("grpc.max_receive_message_length", _MAX_MESSAGE),
            ("grpc.max_send_message_length", _MAX_MESSAGE),
            ("grpc.enable_retries", 0),  # a start or an event must never be sent twice
        ]
        if ep.tls:
            from wfctl.backend._grpc_tls import credentials

            creds, extra = credentials(ep.host, ep.port, verify, timeout)
            options += extra
            self._channel = self._grpc.secure_channel(ep.target, creds, options=options)
        else:
            self._channel = self._grpc.insecure_channel(ep.target, options=options)
        self._stub = ns.rpc.TaskHubClient(self._channel)

    # -- plumbing -----------------------------------------------------------------------------

    def _rpc(self, method: str, request: Any, *, timeout: float | None = -1.0) -> Any:
        """One unary call; ``timeout`` -1 means the request timeout, None no deadline."""
        deadline = self._timeout if timeout == -1.0 else timeout
        started = time.monotonic()
        try:
            response = getattr(self._stub, method)(
                request, timeout=deadline, metadata=self._metadata
            )
        except self._grpc.RpcError as exc:
            self._trace(method, exc.code().name, started)
            raise RpcFailure(exc.code().name, exc.details() or "", method, deadline) from None
        self._trace(method, "OK", started)
        return response

    def _trace(self, method: str, code: str, started: float) -> None:
        if self._log is not None:
            ms = (time.monotonic() - started) * 1000
            self._log(f"gRPC {self.location} {method} -> {code} ({ms:.0f} ms)")

    def _call(self, method: str, request: Any, **kw: Any) -> Any:
        try:
            return self._rpc(method, request, **kw)
        except RpcFailure as rpc:
            raise self._error(rpc) from None

    def _error(self, rpc: RpcFailure) -> WfctlError:
        code, message, method = rpc.code, escape_control(rpc.message), rpc.method
        where = self.location
        if code == "UNIMPLEMENTED" or (code == "UNKNOWN" and _NO_SUCH_METHOD in rpc.message):
            what, since = _WHAT.get(method, (method, "1.17"))
            return UnsupportedError(
                f"{where} answered {code} to {method}: {what} "
                f"needs Dapr {since} or later (or `wfctl serve --grpc-port`)"
            )
        if any(s in rpc.message for s in _CANNOT_LIST):
            what, _ = _WHAT.get(method, (method, "1.17"))
            return UnsupportedError(
                f"{where} cannot answer {method} ({message}): {what} "
                "needs Dapr 1.17 or later with an actor state store that can list keys"
            )
        if code == "UNAVAILABLE" and ("ssl" in rpc.message.lower() or "tls" in rpc.message.lower()):
            why = "certificate verify failed" if "VERIFY" in rpc.message else "handshake failed"
            return UnreachableError(
                f"TLS with {where} failed ({why}): use --ca-cert PATH, or --insecure to "
                "skip the check"
            )
        if code == "UNAVAILABLE":
            return UnreachableError(
                f"cannot reach {where} over gRPC ({_reason(message)}): start the Dapr sidecar "
                "(dapr run ...) or `wfctl serve --grpc-port`, or check --grpc-endpoint"
            )
        if code == "DEADLINE_EXCEEDED":
            return UnreachableError(
                f"timed out after {seconds_text(rpc.deadline or 0)}s waiting for {where} "
                f"({method}): raise --request-timeout, or check the sidecar"
            )
        if code in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
            hint = (
                "the token was refused: check --api-token, --api-token-file or DAPR_API_TOKEN"
                if self._token_set
                else "the server wants an API token: set --api-token, --api-token-file "
                "or DAPR_API_TOKEN"
            )
            return AuthError(f"{where} answered {code}: {hint}")
        if code == "NOT_FOUND":
            return NotFoundError(message or "no workflow instance with that ID")
        if code in ("ALREADY_EXISTS", "FAILED_PRECONDITION"):
            return ConflictError(f"conflict: {message}" if message else f"conflict ({code})")
        return ServerError(
            f"{where} answered {code} to {method}: {message}".rstrip(": "), error_code=code
        )

    def _not_found(self, instance_id: str) -> NotFoundError:
        return NotFoundError(f"no workflow instance {instance_id!r} at {self.location}")

    def _get(
        self, instance_id: str, *, payloads: bool = True, by: float | None = None
    ) -> WorkflowState | None:
        """GetInstance; None for an unknown ID. ``by`` (``time.monotonic()``): the call ends
        by then, connecting included, even when the request timeout would allow more."""
        req = self._pb.GetInstanceRequest(instanceId=instance_id, getInputsAndOutputs=payloads)
        timeout = -1.0 if by is None else max(0.0, min(self._timeout, by - time.monotonic()))
        try:
            resp = self._rpc("GetInstance", req, timeout=timeout)
        except RpcFailure as rpc:
            if rpc.code == "NOT_FOUND":
                return None
            raise self._error(rpc) from None
        return convert.state_of(instance_id, resp.workflowState) if resp.exists else None

    def _instance_call(self, method: str, request: Any, instance_id: str) -> Any:
        """A call about one instance: NotFoundError where the server says so, or where it
        refuses and a GetInstance then finds no such instance (daprd answers UNKNOWN there)."""
        try:
            return self._rpc(method, request)
        except RpcFailure as rpc:
            err = self._error(rpc)
            if isinstance(err, NotFoundError):
                raise self._not_found(instance_id) from None
            if isinstance(err, (ServerError, ConflictError)) and self._get(instance_id) is None:
                raise self._not_found(instance_id) from None
            raise err from None

    @staticmethod
    def _value(text: str | None) -> Any:
        return None if text is None else load().pb.StringValue(value=text)

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
        """StartInstance; ``start_at`` becomes ``scheduledStartTimestamp``."""
        if not name:
            raise UsageError("workflow name is empty")
        if instance_id is None:
            from wfctl.ids import new_instance_id

            instance_id = new_instance_id()
        iid = instance_id
        req = self._pb.CreateInstanceRequest(instanceId=iid, name=name, input=self._value(input))
        if start_at is not None:
            when = start_at if start_at.tzinfo else start_at.replace(tzinfo=timezone.utc)
            req.scheduledStartTimestamp.FromDatetime(when.astimezone(timezone.utc))
        try:
            resp = self._rpc("StartInstance", req)
        except RpcFailure as rpc:
            err = self._error(rpc)
            # serve answers ALREADY_EXISTS; daprd answers UNKNOWN ("an active workflow with ID
            # … already exists"): an active instance with that ID makes either a conflict.
            state = self._get(iid, payloads=False) if isinstance(err, ServerError) else None
            if isinstance(err, ConflictError) or (state and not state.runtime_status.is_terminal):
                state = state or self._get(iid, payloads=False)
                status = f" ({state.runtime_status.value})" if state is not None else ""
                raise ConflictError(
                    f"an active instance {iid!r}{status} already exists: terminate or purge it "
                    "first, or choose another --id"
                ) from None
            raise err from None
        iid = resp.instanceId or iid
        if on_recorded is not None:
            on_recorded(iid)
        return iid

    def get(self, instance_id: str) -> WorkflowState:
        state = self._get(instance_id)
        if state is None:
            raise self._not_found(instance_id)
        return state

    def pause(self, instance_id: str) -> None:
        self._instance_call(
            "SuspendInstance", self._pb.SuspendRequest(instanceId=instance_id), instance_id
        )

    def resume(self, instance_id: str) -> None:
        self._instance_call(
            "ResumeInstance", self._pb.ResumeRequest(instanceId=instance_id), instance_id
        )

    def terminate(self, instance_id: str, output: str | None = None) -> None:
        """TerminateInstance, recursive: child workflows end too."""
        req = self._pb.TerminateRequest(
            instanceId=instance_id, output=self._value(output), recursive=True
        )
        self._instance_call("TerminateInstance", req, instance_id)

    def raise_event(self, instance_id: str, event_name: str, data: str | None = None) -> None:
        if not event_name:
            raise UsageError("event name is empty")
        # daprd (and `wfctl serve --grpc-port`) answer OK and drop an event for an unknown
        # instance: read first, so an unknown ID is NotFoundError here as on every backend.
        if self._get(instance_id, payloads=False) is None:
            raise self._not_found(instance_id)
        req = self._pb.RaiseEventRequest(
            instanceId=instance_id, name=event_name, input=self._value(data)
        )
        self._instance_call("RaiseEvent", req, instance_id)

    def purge(self, instance_id: str) -> None:
        """PurgeInstances (recursive, never forced): ConflictError for an active instance."""
        req = self._pb.PurgeInstancesRequest(instanceId=instance_id, recursive=True)
        try:
            resp = self._rpc("PurgeInstances", req)
            refused: WfctlError | None = None
        except RpcFailure as rpc:
            resp, refused = None, self._error(rpc)
            if isinstance(refused, (UnreachableError, AuthError)):
                raise refused from None
        if resp is not None and resp.deletedInstanceCount > 0:
            return
        # Refused, or nothing deleted: a status read says whether the ID is unknown or active.
        state = self._get(instance_id, payloads=False)
        if state is None:
            raise self._not_found(instance_id)
        if not state.runtime_status.is_terminal:
            raise ConflictError(
                f"instance {instance_id!r} is {state.runtime_status.value}: only finished "
                "instances can be purged (terminate it first)"
            )
        if refused is not None:
            raise refused
        raise ServerError(f"{self.location} purged nothing for {instance_id!r}")

    def wait(
        self,
        instance_id: str,
        *,
        until: WaitFor = "completion",
        timeout: float | None = None,
        interval: float = 0.5,
    ) -> WorkflowState:
        """The WaitForInstanceStart/Completion long poll, its deadline ``timeout`` (None: no
        deadline). ``interval`` is unused: the server answers when the condition is met. An
        outage after the instance was seen is ridden out for up to ``wait_outage`` seconds.
        The first read (NotFoundError / unreachable at once, not after a wait) is bounded by
        the wait's deadline too, however long connecting takes (at least :data:`FIRST_READ`)."""
        started = time.monotonic()
        deadline = None if timeout is None else started + timeout
        try:
            found = self._get(
                instance_id, by=None if deadline is None else max(deadline, started + FIRST_READ)
            )
        except UnreachableError:
            if deadline is not None and time.monotonic() >= deadline:
                raise unanswered_wait(instance_id, timeout, self.location) from None
            raise
        if found is None:
            raise self._not_found(instance_id)
        state = found
        if wait_reached(state.runtime_status, until):
            return state
        method = "WaitForInstanceStart" if until == "start" else "WaitForInstanceCompletion"
        req = self._pb.GetInstanceRequest(instanceId=instance_id, getInputsAndOutputs=True)
        outage_since: float | None = None
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                resp = self._rpc(method, req, timeout=left)
            except RpcFailure as rpc:
                now = time.monotonic()
                if rpc.code == "DEADLINE_EXCEEDED" or (
                    rpc.code == "CANCELLED" and deadline is not None and now >= deadline
                ):
                    last = self._get(instance_id, payloads=False)
                    status = (last or state).runtime_status
                    raise wait_timeout(instance_id, until, timeout, status) from None
                if rpc.code != "UNAVAILABLE":
                    err = self._error(rpc)
                    missing = isinstance(err, NotFoundError)
                    raise (self._not_found(instance_id) if missing else err) from None
                outage_since = now if outage_since is None else outage_since
                if now - outage_since >= self.wait_outage or (
                    deadline is not None and now >= deadline
                ):
                    raise self._error(rpc) from None
                retry.pause(retry.OUTAGE.delay(0), deadline)
                continue
            if not resp.exists:
                raise self._not_found(instance_id)
            return convert.state_of(instance_id, resp.workflowState)

    def pending_reason(self, instance_id: str) -> str | None:
        """A PENDING instance over gRPC has not had its first turn: no worker has taken it
        (the protocol cannot say more, e.g. whether one is connected)."""
        return "a worker to take it (none has run it yet)"

    def history(self, instance_id: str) -> list[HistoryEntry]:
        req = self._pb.GetInstanceHistoryRequest(instanceId=instance_id)
        try:
            resp = self._rpc("GetInstanceHistory", req)
        except RpcFailure as rpc:
            err = self._error(rpc)
            raise (
                self._not_found(instance_id) if isinstance(err, NotFoundError) else err
            ) from None
        if not resp.events and self._get(instance_id, payloads=False) is None:
            raise self._not_found(instance_id)
        return convert.history_of(resp.events)

    def rerun(
        self,
        instance_id: str,
        event_id: int,
        *,
        new_instance_id: str | None = None,
        new_input: str | None = None,
        overwrite_input: bool = False,
        on_recorded: OnRecorded | None = None,
    ) -> str:
        """RerunWorkflowFromEvent: a new instance that keeps the source's history before
        ``event_id`` and runs from there; the new instance's ID. INVALID_ARGUMENT is read as
        the engine words it: NotFoundError for an unknown source, ConflictError when it has not
        finished, else UsageError (NOT_FOUND and INVALID_ARGUMENT alike)."""
        if not 0 <= event_id <= 0xFFFFFFFF:
            raise UsageError(f"event id {event_id} cannot be rerun from: use an EVENTID of history")
        req = self._pb.RerunWorkflowFromEventRequest(
            sourceInstanceID=instance_id,
            eventID=event_id,
            newInstanceID=new_instance_id,
            input=self._value(new_input) if overwrite_input else None,
            overwriteInput=overwrite_input,
        )
        try:
            resp = self._rpc("RerunWorkflowFromEvent", req)
        except RpcFailure as rpc:
            err = self._error(rpc)
            if rpc.code in ("NOT_FOUND", "INVALID_ARGUMENT"):
                # daprd answers NOT_FOUND for an unknown source *and* for an event that cannot
                # be rerun from, INVALID_ARGUMENT for an unfinished source and other refusals:
                # the source's state tells which, worded as the engine words them.
                source = self._get(instance_id, payloads=False)
                if source is None:
                    raise self._not_found(instance_id) from None
                text = escape_control(rpc.message)
                if not source.runtime_status.is_terminal:
                    raise ConflictError(
                        f"instance {instance_id!r} is {source.runtime_status.value}: only a "
                        f"finished instance can be rerun ({text})"
                    ) from None
                raise UsageError(
                    f"cannot rerun {instance_id!r} from event {event_id}: {text}"
                ) from None
            raise err from None
        new: str = resp.newInstanceID or new_instance_id or ""
        if on_recorded is not None:
            on_recorded(new)
        return new

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> GrpcBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reason(message: str) -> str:
    text = message.lower()
    if "refused" in text:
        return "connection refused"
    if "dns" in text or "resolve" in text:
        return "unknown host"
    return message[:160] or "unavailable"
