"""``TaskHubSidecarService`` over the store: the 17 RPCs daprd serves on its gRPC port.

The server is grpc.aio on an event loop of its own thread. Client RPCs run their store calls
on a small thread pool; ``WaitForInstance*`` await a change notification (no thread while
they wait) and end with the caller's deadline or cancellation. Worker RPCs (the
``GetWorkItems`` stream and the completions) go to :class:`wfctl.grpcapi.front.RemoteFront`.
With an API token, every RPC and the stream need the metadata ``dapr-api-token``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wfctl.engine.items import StartRequest
from wfctl.engine.store import STATUS_HUB, Store
from wfctl.grpcapi import convert
from wfctl.grpcapi.front import RemoteFront
from wfctl.model import ConflictError, NotFoundError, UsageError, WfctlError
from wfctl.protocol import rpc

log = logging.getLogger("wfctl.grpc")
PING_SECONDS = 10.0  # health pings to workers that ask for them, when the stream is idle
WAIT_POLL = 0.5  # waits also re-read this often (changes by other processes)
LIST_PAGE = 1024


def channel_options(max_message: int, handshake_timeout: float = 10.0) -> list[tuple[str, int]]:
    """Server channel settings as daprd's (GRPC.md "Channel settings"), plus a handshake
    deadline: a connection that has not completed the HTTP/2 handshake within
    ``handshake_timeout`` seconds (serve's ``--header-timeout``) is closed."""
    return [
        ("grpc.server_handshake_timeout_ms", max(1, round(handshake_timeout * 1000))),
        ("grpc.max_receive_message_length", max_message),
        ("grpc.max_send_message_length", max_message),
        ("grpc.keepalive_time_ms", 10_000),
        ("grpc.keepalive_timeout_ms", 20_000),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_recv_ping_interval_without_data_ms", 5_000),
        ("grpc.http2.max_ping_strikes", 0),
        ("grpc.max_connection_idle_ms", 180_000),
        ("grpc.so_reuseport", 0),  # a second serve on the same port must fail, not share it
    ]


class Servicer:
    """The RPC handlers (grpc.aio); see the module docstring."""

    def __init__(
        self,
        proto: Any,
        store: Store,
        front: RemoteFront,
        *,
        local_names: Callable[[], list[str]],
        local_app: str | None,
    ) -> None:
        self.pb = proto.pb
        self.grpc = proto.grpc
        self.store = store
        self.front = front
        self.local_names = local_names
        self.local_app = local_app
        self.pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="wfctl-grpc")
        self.changed: asyncio.Event | None = None

    async def _call(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, lambda: fn(*args, **kw))

    async def _abort(self, context: Any, code: str, message: str) -> None:
        await context.abort(getattr(self.grpc.StatusCode, code), message)

    # ------------------------------------------------------------------ misc
    async def Hello(self, request: Any, context: Any) -> Any:
        return self.pb.Empty()

    # ------------------------------------------------------------------ client RPCs
    async def StartInstance(self, request: Any, context: Any) -> Any:
        from wfctl.ids import check_new_instance_id, new_instance_id

        iid = request.instanceId or new_instance_id()
        if not request.name:
            await self._abort(context, "INVALID_ARGUMENT", "a workflow name is required")
        if request.name.startswith("dapr.internal."):
            await self._abort(
                context,
                "UNIMPLEMENTED",
                f"{request.name!r} is a Dapr-internal workflow: wfctl serve does not run those",
            )
        try:
            check_new_instance_id(iid)
        except WfctlError as exc:
            await self._abort(context, "INVALID_ARGUMENT", str(exc))
        target = request.router.targetAppID if request.HasField("router") else ""
        if target and target != self.front.app_id:
            await self._abort(
                context,
                "INVALID_ARGUMENT",
                f"cannot start a workflow of app {target!r}: this server is app "
                f"{self.front.app_id!r} only",
            )
        start_at = None
        if request.HasField("scheduledStartTimestamp"):
            start_at = convert.from_ts(request.scheduledStartTimestamp)
        inp = request.input.value if request.HasField("input") else None
        names = self.local_names()
        app = self.local_app if request.name in names else self.front.app
        req = StartRequest(iid, request.name, inp, app=app, start_at=start_at)
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        # Recorded in the front's next commit, which also sends its first turn out.
        self.front.submit_start(req, lambda: loop.call_soon_threadsafe(_settle, done))
        await done
        if isinstance(req.error, ConflictError):
            await self._abort(
                context, "ALREADY_EXISTS", f"an active workflow with ID '{iid}' already exists"
            )
        if req.error is not None:
            await self._abort(context, "INTERNAL", f"the start was not recorded: {req.error}")
        return self.pb.CreateInstanceResponse(instanceId=iid)

    async def _state(self, request: Any) -> tuple[Any, Any]:
        st = await self._call(self.store.instances.get_state, request.instanceId)
        if st is None:
            return None, self.pb.GetInstanceResponse(exists=False)
        ws = convert.state_to_pb(self.pb, st, request.getInputsAndOutputs)
        return st, self.pb.GetInstanceResponse(exists=True, workflowState=ws)

    async def GetInstance(self, request: Any, context: Any) -> Any:
        return (await self._state(request))[1]

    async def _wait(self, request: Any, done: Callable[[Any], bool]) -> Any:
        """Re-read the state at each change (or every WAIT_POLL s) until ``done``; the
        caller's deadline or cancellation ends the wait (grpc cancels this coroutine)."""
        while True:
            ev = self.changed
            st, resp = await self._state(request)
            if st is None or done(st):
                return resp
            assert ev is not None
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(ev.wait(), WAIT_POLL)

    async def WaitForInstanceStart(self, request: Any, context: Any) -> Any:
        return await self._wait(request, lambda st: st.runtime_status.value != "PENDING")

    async def WaitForInstanceCompletion(self, request: Any, context: Any) -> Any:
        return await self._wait(request, lambda st: st.runtime_status.is_terminal)

    async def RaiseEvent(self, request: Any, context: Any) -> Any:
        from wfctl.ids import check_event_name

        try:
            check_event_name(request.name)
        except WfctlError as exc:
            await self._abort(context, "INVALID_ARGUMENT", str(exc))
        data = request.input.value if request.HasField("input") else None
        # Unknown or finished instances: the event is dropped, as daprd does.
        await self._call(self.store.manage.raise_event, request.instanceId, request.name, data)
        return self.pb.RaiseEventResponse()

    async def _no_such(self, context: Any, iid: str) -> None:
        await self._abort(context, "NOT_FOUND", f"no such instance exists: '{iid}'")

    async def TerminateInstance(self, request: Any, context: Any) -> Any:
        out = request.output.value if request.HasField("output") else None
        got = await self._call(
            self.store.manage.terminate, request.instanceId, out, recursive=request.recursive
        )
        if got is None:
            await self._no_such(context, request.instanceId)
        return self.pb.TerminateResponse()

    async def SuspendInstance(self, request: Any, context: Any) -> Any:
        reason = request.reason.value if request.HasField("reason") else None
        if await self._call(self.store.manage.suspend, request.instanceId, reason) is None:
            await self._no_such(context, request.instanceId)
        return self.pb.SuspendResponse()

    async def ResumeInstance(self, request: Any, context: Any) -> Any:
        reason = request.reason.value if request.HasField("reason") else None
        if await self._call(self.store.manage.resume, request.instanceId, reason) is None:
            await self._no_such(context, request.instanceId)
        return self.pb.ResumeResponse()

    async def PurgeInstances(self, request: Any, context: Any) -> Any:
        if request.HasField("purgeInstanceFilter"):
            n = await self._call(self._purge_filter, request.purgeInstanceFilter)
            return self.pb.PurgeInstancesResponse(deletedInstanceCount=n)
        try:
            n = await self._call(
                self._purge_one, request.instanceId, request.recursive, request.force
            )
        except ConflictError as exc:
            await self._abort(context, "FAILED_PRECONDITION", str(exc))
        except NotFoundError:
            n = 0
        resp = self.pb.PurgeInstancesResponse(deletedInstanceCount=n)
        resp.isComplete.value = True
        return resp

    def _purge_one(self, iid: str, recursive: bool, force: bool) -> int:
        """As daprd: ``recursive`` purges the finished descendants too, else the instance
        alone (its children stay); ``force`` terminates what it purges first."""
        if force:
            self.store.manage.terminate(iid, None, recursive=recursive)
        if not recursive:
            return 1 if self.store.manage.purge(iid, recursive=False) else 0
        before = sum(self.store.browse.count_by_status().values())
        if not self.store.manage.purge(iid):
            return 0
        # Others may start or purge meanwhile: the count is the family's, give or take.
        return max(before - sum(self.store.browse.count_by_status().values()), 1)

    def _purge_filter(self, f: Any) -> int:
        statuses = [convert.status_from_pb(s) for s in f.runtimeStatus]
        lo = convert.from_ts(f.createdTimeFrom) if f.HasField("createdTimeFrom") else None
        hi = convert.from_ts(f.createdTimeTo) if f.HasField("createdTimeTo") else None
        n = 0
        for st in self.store.instances.list_instances(statuses=statuses):
            created = st.created_at.replace(tzinfo=None)
            if not st.runtime_status.is_terminal:
                continue
            if (lo is not None and created < lo) or (hi is not None and created >= hi):
                continue
            try:
                n += 1 if self.store.manage.purge(st.instance_id) else 0
            except ConflictError:
                continue
        return n

    async def ListInstanceIDs(self, request: Any, context: Any) -> Any:
        size = request.pageSize if request.HasField("pageSize") and request.pageSize else LIST_PAGE
        after = None
        if request.HasField("continuationToken") and request.continuationToken:
            try:
                created, _, row = request.continuationToken.partition("/")
                after = (float(created), int(row))
            except ValueError:
                await self._abort(context, "INVALID_ARGUMENT", "invalid continuation token")
        # One app per port, as daprd: the instances of this serve's app (its workers' and
        # its in-process app's, however started), not every app's in the file.
        apps = [a for a in (self.front.app, self.local_app) if a]
        states, cursor = await self._call(
            self.store.browse.page_instances, limit=min(size, 10_000), after=after, apps=apps
        )
        resp = self.pb.ListInstanceIDsResponse(instanceIds=[st.instance_id for st in states])
        if cursor is not None:  # keyset paging: newest first, stable while instances come
            resp.continuationToken = f"{cursor[0]!r}/{cursor[1]}"
        return resp

    async def GetInstanceHistory(self, request: Any, context: Any) -> Any:
        events = await self._call(self.store.instances.history, request.instanceId)
        if events is None:
            await self._no_such(context, request.instanceId)
        app_id = self.front.app_id
        return self.pb.GetInstanceHistoryResponse(
            events=[convert.event_to_pb(self.pb, e, app_id) for e in events]
        )

    async def RerunWorkflowFromEvent(self, request: Any, context: Any) -> Any:
        if request.HasField("newChildWorkflowInstanceID"):
            await self._abort(
                context, "UNIMPLEMENTED", "a new ID for the rerun child workflow is not supported"
            )
        new_id = request.newInstanceID if request.HasField("newInstanceID") else None
        inp = request.input.value if request.HasField("input") else None
        try:
            got = await self._call(
                self.store.manage.rerun,
                request.sourceInstanceID,
                request.eventID,
                new_instance_id=new_id,
                new_input=inp,
                overwrite_input=request.overwriteInput,
            )
        except WfctlError as exc:
            await self._abort(context, _rerun_code(exc), str(exc))
        return self.pb.RerunWorkflowFromEventResponse(newInstanceID=got)

    # ------------------------------------------------------------------ worker RPCs
    async def GetWorkItems(self, request: Any, context: Any) -> Any:
        pb = self.pb
        loop = asyncio.get_running_loop()
        q: asyncio.Queue[list[Any]] = asyncio.Queue()
        caps = list(request.capabilities)
        pings = pb.WORKER_CAPABILITY_HEALTH_PING in caps

        def send(items: list[Any]) -> None:
            loop.call_soon_threadsafe(q.put_nowait, items)

        stream = self.front.open_stream(send, caps)
        try:
            while True:
                if q.empty() and pings:
                    try:
                        items = await asyncio.wait_for(q.get(), PING_SECONDS)
                    except asyncio.TimeoutError:
                        items = [pb.WorkItem(healthPing=pb.HealthPing())]
                else:
                    items = await q.get()
                for item in items:
                    yield item
        finally:
            self.front.close_stream(stream)

    async def CompleteActivityTask(self, request: Any, context: Any) -> Any:
        self.front.complete_task(request)
        return self.pb.CompleteTaskResponse()

    async def CompleteOrchestratorTask(self, request: Any, context: Any) -> Any:
        self.front.complete_turn(request)
        return self.pb.CompleteTaskResponse()

    async def CompleteWorkflowTask(self, request: Any, context: Any) -> Any:
        self.front.complete_turn(request)
        return self.pb.CompleteTaskResponse()


def _settle(fut: asyncio.Future[None]) -> None:
    if not fut.done():  # the caller may have gone (cancelled)
        fut.set_result(None)


def _rerun_code(exc: WfctlError) -> str:
    """daprd's codes for a refused rerun (as the SDK documents them)."""
    msg = str(exc)
    if isinstance(exc, NotFoundError):
        return "NOT_FOUND"
    if isinstance(exc, ConflictError):  # not finished: INVALID_ARGUMENT; the ID in use
        return "INVALID_ARGUMENT" if "only a finished instance" in msg else "ALREADY_EXISTS"
    if "has no event" in msg or "a rerun starts from" in msg:
        return "NOT_FOUND"  # an event that cannot be rerun from
    return "INVALID_ARGUMENT"  # a child source, a bad new ID, an input for a timer


def _token_interceptor(grpc: Any, token: str) -> Any:
    """Every RPC and the stream need ``dapr-api-token`` (compared in constant time)."""
    want = token.encode("utf-8")

    async def deny_unary(request: Any, context: Any) -> Any:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, "authentication error: api token")

    async def deny_stream(request: Any, context: Any) -> Any:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, "authentication error: api token")
        yield  # pragma: no cover - makes this an async generator

    class TokenCheck(grpc.aio.ServerInterceptor):
        async def intercept_service(self, continuation: Any, details: Any) -> Any:
            got = ""
            for key, value in details.invocation_metadata or ():
                if key == "dapr-api-token":
                    got = value if isinstance(value, str) else value.decode("utf-8", "replace")
            if hmac.compare_digest(got.encode("utf-8"), want):
                return await continuation(details)
            handler = await continuation(details)
            if handler is None:
                return None
            if handler.unary_stream is not None:
                return grpc.unary_stream_rpc_method_handler(
                    deny_stream,
                    request_deserializer=handler.request_deserializer,
                    response_serializer=handler.response_serializer,
                )
            return grpc.unary_unary_rpc_method_handler(
                deny_unary,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )

    return TokenCheck()


class GrpcServer:
    """grpc.aio on a thread of its own: ``start()`` binds (UsageError when it cannot) and
    returns the port; ``stop()`` ends the streams and the server."""

    def __init__(
        self,
        proto: Any,
        store: Store,
        front: RemoteFront,
        *,
        local_names: Callable[[], list[str]],
        local_app: str | None,
        api_token: str | None = None,
        max_message: int = 4 * 1024 * 1024,
        handshake_timeout: float = 10.0,
    ) -> None:
        self.proto = proto
        self.servicer = Servicer(proto, store, front, local_names=local_names, local_app=local_app)
        self.api_token = api_token
        self.max_message = max_message
        self.handshake_timeout = handshake_timeout
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._server: Any = None
        self._stopped: asyncio.Event | None = None

    def start(self, host: str, port: int) -> int:
        ready = threading.Event()
        result: dict[str, Any] = {}

        async def main() -> None:
            grpc = self.proto.grpc
            interceptors = [_token_interceptor(grpc, self.api_token)] if self.api_token else []
            server = grpc.aio.server(
                options=channel_options(self.max_message, self.handshake_timeout),
                interceptors=interceptors,
            )
            server.add_generic_rpc_handlers((rpc.handler(self.servicer),))
            try:
                bound = server.add_insecure_port(f"{_host(host)}:{port}")
            except RuntimeError as exc:
                result["error"] = exc
                ready.set()
                return
            await server.start()
            self._server = server
            self._stopped = asyncio.Event()
            self.servicer.changed = asyncio.Event()
            result["port"] = bound
            ready.set()
            watcher = asyncio.ensure_future(self._watch_changes())
            await self._stopped.wait()
            watcher.cancel()
            await server.stop(2.0)

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(main())
            except Exception as exc:  # pragma: no cover - reported through start()
                result.setdefault("error", exc)
                ready.set()

        self._thread = threading.Thread(target=run, name="wfctl-grpc", daemon=True)
        self._thread.start()
        ready.wait()
        if "error" in result or not result.get("port"):
            raise UsageError(f"cannot listen for gRPC on {host}:{port}: the port is in use")
        return int(result["port"])

    async def _watch_changes(self) -> None:
        """Turn the store's status notifications (a threading condition) into wake-ups of
        the waiting RPCs, from one helper thread for all of them."""
        loop = asyncio.get_running_loop()
        seen = STATUS_HUB.version
        while True:
            seen = await loop.run_in_executor(None, STATUS_HUB.wait, seen, 1.0)
            ev, self.servicer.changed = self.servicer.changed, asyncio.Event()
            if ev is not None:
                ev.set()

    def stop(self) -> None:
        if self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(10)
        self.servicer.pool.shutdown(wait=False)


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
