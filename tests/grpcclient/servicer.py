"""A small recording TaskHubSidecarService on 127.0.0.1, for the gRPC client's tests.

It keeps instances in memory (no worker: a test moves them along with :meth:`finish`), records
every request with its metadata, and stages the faults a real daprd shows: a method answering a
status code (``faults``), the 1.17 management RPCs missing (``old=True``: UNIMPLEMENTED, as
other servers answer; ``old="proxy"``: the UNKNOWN a real daprd 1.16 answers), a token check,
a list paged by the server's own page size, a long poll that blocks until the instance
finishes or the caller's deadline passes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import grpc

from wfctl.protocol import pb, rpc

TERMINAL = {1, 3, 4, 5}  # COMPLETED, FAILED, CANCELED, TERMINATED
#: A real daprd before 1.17 hands a method it lacks to its service-invocation proxy, which
#: answers UNKNOWN with this (``old="proxy"``); other servers answer UNIMPLEMENTED (``old=True``).
PROXY_MESSAGE = (
    "failed to proxy request: required metadata dapr-callee-app-id or dapr-app-id not found"
)


def _now() -> Any:
    ts = pb.Timestamp()
    ts.FromDatetime(datetime.now(timezone.utc))
    return ts


class MemoryServicer:
    def __init__(self, *, token: str | None = None, old: bool | str = False, page: int = 3) -> None:
        self.token = token
        self.old = old
        self.page = page  # the server's own page size: it never sends more IDs at once
        self.lock = threading.Condition()
        self.states: dict[str, Any] = {}
        self.histories: dict[str, list[Any]] = {}
        self.requests: list[tuple[str, Any, dict[str, str]]] = []
        self.faults: dict[str, tuple[grpc.StatusCode, str]] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.get_delay = 0.0

    # -- helpers for tests ------------------------------------------------------------------

    def add(self, iid: str, name: str = "wf", status: int = 0, created: int = 0) -> None:
        ws = pb.WorkflowState(instanceId=iid, name=name, workflowStatus=status)
        ws.createdTimestamp.FromSeconds(1_700_000_000 + created)
        ws.lastUpdatedTimestamp.FromSeconds(1_700_000_000 + created)
        ws.input.value = '"in"'
        with self.lock:
            self.states[iid] = ws
            self.histories[iid] = []

    def finish(self, iid: str, status: int = 1, output: str = '"out"') -> None:
        with self.lock:
            ws = self.states[iid]
            ws.workflowStatus = status
            ws.output.value = output
            ws.lastUpdatedTimestamp.CopyFrom(_now())
            self.lock.notify_all()

    def calls(self, method: str) -> list[Any]:
        return [r for m, r, _ in self.requests if m == method]

    # -- plumbing ---------------------------------------------------------------------------

    def _enter(self, method: str, request: Any, context: Any) -> None:
        md = dict(context.invocation_metadata())
        self.requests.append((method, request, md))
        if self.token is not None and md.get("dapr-api-token") != self.token:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "invalid api token")
        if method in self.faults:
            code, message = self.faults[method]
            context.abort(code, message)
        if self.old and method in (
            "ListInstanceIDs",
            "GetInstanceHistory",
            "RerunWorkflowFromEvent",
        ):
            if self.old == "proxy":  # what a real daprd 1.16 answers (found by tests/daprd)
                context.abort(grpc.StatusCode.UNKNOWN, PROXY_MESSAGE)
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f"unknown method {method}")

    def _response(self, iid: str) -> Any:
        ws = self.states.get(iid)
        if ws is None:
            return pb.GetInstanceResponse(exists=False)
        return pb.GetInstanceResponse(exists=True, workflowState=ws)

    # -- the service ------------------------------------------------------------------------

    def StartInstance(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._enter("StartInstance", request, context)
        with self.lock:
            old = self.states.get(request.instanceId)
            if old is not None and old.workflowStatus not in TERMINAL:
                context.abort(
                    grpc.StatusCode.ALREADY_EXISTS,
                    f"an active workflow with ID '{request.instanceId}' already exists",
                )
            ws = pb.WorkflowState(instanceId=request.instanceId, name=request.name)
            ws.workflowStatus = 6  # PENDING
            ws.createdTimestamp.CopyFrom(_now())
            ws.lastUpdatedTimestamp.CopyFrom(_now())
            if request.HasField("input"):
                ws.input.CopyFrom(request.input)
            self.states[request.instanceId] = ws
            self.histories[request.instanceId] = [
                pb.HistoryEvent(
                    eventId=-1,
                    timestamp=_now(),
                    executionStarted=pb.ExecutionStartedEvent(name=request.name, input=ws.input),
                )
            ]
        return pb.CreateInstanceResponse(instanceId=request.instanceId)

    def GetInstance(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._enter("GetInstance", request, context)
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.get_delay:
                threading.Event().wait(self.get_delay)
            with self.lock:
                return self._response(request.instanceId)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _wait(self, request: Any, context: Any, done: Any) -> Any:
        with self.lock:
            while context.is_active():
                ws = self.states.get(request.instanceId)
                if ws is None or done(ws.workflowStatus):
                    return self._response(request.instanceId)
                self.lock.wait(0.05)
        return pb.GetInstanceResponse()

    def WaitForInstanceStart(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._enter("WaitForInstanceStart", request, context)
        return self._wait(request, context, lambda s: s != 6)

    def WaitForInstanceCompletion(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._enter("WaitForInstanceCompletion", request, context)
        return self._wait(request, context, lambda s: s in TERMINAL)

    def _op(self, method: str, request: Any, context: Any, status: int | None) -> None:
        self._enter(method, request, context)
        with self.lock:
            ws = self.states.get(request.instanceId)
            if ws is None:
                # daprd answers UNKNOWN here, not NOT_FOUND: the client must ask.
                context.abort(grpc.StatusCode.UNKNOWN, "no such instance exists")
            if status is not None and ws.workflowStatus not in TERMINAL:
                ws.workflowStatus = status
                self.lock.notify_all()

    def RaiseEvent(self, request: Any, context: Any) -> Any:  # noqa: N802
        # As daprd: an event for an unknown instance is dropped, and the answer is OK.
        self._enter("RaiseEvent", request, context)
        return pb.RaiseEventResponse()

    def TerminateInstance(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._op("TerminateInstance", request, context, 5)
        return pb.TerminateResponse()

    def SuspendInstance(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._op("SuspendInstance", request, context, 7)
        return pb.SuspendResponse()

    def ResumeInstance(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._op("ResumeInstance", request, context, 0)
        return pb.ResumeResponse()

    def PurgeInstances(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._enter("PurgeInstances", request, context)
        with self.lock:
            ws = self.states.get(request.instanceId)
            if ws is None:
                return pb.PurgeInstancesResponse(deletedInstanceCount=0)
            if ws.workflowStatus not in TERMINAL:
                context.abort(grpc.StatusCode.FAILED_PRECONDITION, "instance is still running")
            del self.states[request.instanceId]
            return pb.PurgeInstancesResponse(deletedInstanceCount=1)

    def ListInstanceIDs(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._enter("ListInstanceIDs", request, context)
        with self.lock:
            ids = sorted(self.states)
        start = int(request.continuationToken or 0)
        size = min(request.pageSize or self.page, self.page)
        chunk = ids[start : start + size]
        more = start + size < len(ids)
        return pb.ListInstanceIDsResponse(
            instanceIds=chunk, continuationToken=str(start + size) if more else ""
        )

    def RerunWorkflowFromEvent(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._enter("RerunWorkflowFromEvent", request, context)
        with self.lock:
            src = self.states.get(request.sourceInstanceID)
            if src is None:
                context.abort(grpc.StatusCode.NOT_FOUND, "source instance not found")
            if src.workflowStatus not in TERMINAL:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, "source is not terminal")
            if request.eventID != 1:  # as daprd: an event that cannot be rerun from
                context.abort(grpc.StatusCode.NOT_FOUND, f"event {request.eventID} not found")
            new = request.newInstanceID or "rerun-generated"
            if new in self.states and self.states[new].workflowStatus not in TERMINAL:
                context.abort(grpc.StatusCode.ALREADY_EXISTS, f"'{new}' already exists")
        self.add(new, name=src.name)
        return pb.RerunWorkflowFromEventResponse(newInstanceID=new)

    def GetInstanceHistory(self, request: Any, context: Any) -> Any:  # noqa: N802
        self._enter("GetInstanceHistory", request, context)
        with self.lock:
            if request.instanceId not in self.states:
                context.abort(grpc.StatusCode.NOT_FOUND, "instance not found")
            return pb.GetInstanceHistoryResponse(events=self.histories[request.instanceId])


@contextmanager
def serving(servicer: Any, address: str = "127.0.0.1:0") -> Iterator[str]:
    """Serve ``servicer`` on ``address`` (a free loopback port by default, or a gRPC address
    such as ``unix:/tmp/x.sock``); yields ``127.0.0.1:PORT``, or ``address`` as given."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32))
    server.add_generic_rpc_handlers((rpc.handler(servicer),))
    port = server.add_insecure_port(address)
    server.start()
    try:
        yield f"127.0.0.1:{port}" if address == "127.0.0.1:0" else address
    finally:
        server.stop(0).wait(5)
