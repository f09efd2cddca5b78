"""``TaskHubSidecarService`` over the store: the 17 RPCs daprd serves on its gRPC port.

The server is grpc.aio on an event loop of its own thread. Client RPCs run their store calls
on a small thread pool; ``WaitForInstance*`` await a change notification (no thread while
they wait) and end with the caller's deadline or cancellation. Worker RPCs (the
``GetWorkItems`` stream and the completions) go to :class:`wfctl.grpcapi.front.RemoteFront`.
Every call passes :func:`wfctl.grpcapi.door.door` first (the API token, decoding, errors as
plain statuses); every name and payload a client sends is checked against serve's limits
(:mod:`wfctl.limits`), the same as on the HTTP routes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wfctl.engine.items import StartRequest
from wfctl.engine.store import Store
from wfctl.grpcapi import convert
from wfctl.grpcapi.front import RemoteFront
from wfctl.limits import MAX_MESSAGE_BYTES, check_name, check_payload
from wfctl.model import ConflictError, NotFoundError, WfctlError

log = logging.getLogger("wfctl.grpc")
PING_SECONDS = 10.0  # health pings to workers that ask for them, when the stream is idle
WAIT_POLL = 0.5  # waits also re-read this often (changes by other processes)
LIST_PAGE = 1024


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
        max_message: int = MAX_MESSAGE_BYTES,
    ) -> None:
        self.pb = proto.pb
        self.max_message = max_message
        #: The open GetWorkItems streams: end(code, message) of each (the loop's thread).
        self.streams: dict[int, Callable[[str, str], None]] = {}
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
        check_name(request.name, "the workflow name")  # the door answers INVALID_ARGUMENT
        inp = request.input.value if request.HasField("input") else None
        check_payload(inp, "the input", self.max_message)
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
            start_at = await self._time(
                context, request.scheduledStartTimestamp, "scheduledStartTimestamp"
            )
        names = self.local_names()
        app = self.local_app if request.name in names else self.front.app
        req = StartRequest(iid, request.name, inp, app=app, start_at=start_at)
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        # Recorded in the front's next commit, which also sends its first turn out.
        self.front.submit_start(req, lambda: _settle_soon(loop, done))
        await done
        if isinstance(req.error, ConflictError):
            await self._abort(
                context, "ALREADY_EXISTS", f"an active workflow with ID '{iid}' already exists"
            )
        if req.error is not None:
            await self._abort(context, "INTERNAL", f"the start was not recorded: {req.error}")
        return self.pb.CreateInstanceResponse(instanceId=iid)

    async def _time(self, context: Any, t: Any, what: str) -> Any:
        try:
            return convert.from_ts(t, what)
        except convert.BadActions as exc:
            await self._abort(context, "INVALID_ARGUMENT", str(exc))

    def _payload(self, msg: Any, field: str, what: str) -> str | None:
        """A StringValue field's text (None when unset), checked against the limits."""
        text = getattr(msg, field).value if msg.HasField(field) else None
        check_payload(text, what, self.max_message)
        return text

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
        data = self._payload(request, "input", "the event data")
        # Unknown or finished instances: the event is dropped, as daprd does.
        await self._call(self.store.manage.raise_event, request.instanceId, request.name, data)
        return self.pb.RaiseEventResponse()

    async def _no_such(self, context: Any, iid: str) -> None:
        await self._abort(context, "NOT_FOUND", f"no such instance exists: '{iid}'")

    async def TerminateInstance(self, request: Any, context: Any) -> Any:
        out = self._payload(request, "output", "the output")
        got = await self._call(
            self.store.manage.terminate, request.instanceId, out, recursive=request.recursive
        )
        if got is None:
            await self._no_such(context, request.instanceId)
        return self.pb.TerminateResponse()

    async def SuspendInstance(self, request: Any, context: Any) -> Any:
        reason = self._payload(request, "reason", "the reason")
        if await self._call(self.store.manage.suspend, request.instanceId, reason) is None:
            await self._no_such(context, request.instanceId)
        return self.pb.SuspendResponse()

    async def ResumeInstance(self, request: Any, context: Any) -> Any:
        reason = self._payload(request, "reason", "the reason")
        if await self._call(self.store.manage.resume, request.instanceId, reason) is None:
            await self._no_such(context, request.instanceId)
        return self.pb.ResumeResponse()

    async def PurgeInstances(self, request: Any, context: Any) -> Any:
        if request.HasField("purgeInstanceFilter"):
            try:
                n = await self._call(self._purge_filter, request.purgeInstanceFilter)
            except convert.BadActions as exc:  # a time out of range
                await self._abort(context, "INVALID_ARGUMENT", str(exc))
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
        lo = (
            convert.from_ts(f.createdTimeFrom, "createdTimeFrom")
            if f.HasField("createdTimeFrom")
            else None
        )
        hi = (
            convert.from_ts(f.createdTimeTo, "createdTimeTo")
            if f.HasField("createdTimeTo")
            else None
        )
        n = 0
        for st in self.store.instances.list_instances(statuses=statuses):
            if not st.runtime_status.is_terminal or st.created_at is None:
                continue
            created = st.created_at.replace(tzinfo=None)
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
            after = _cursor(request.continuationToken)
            if after is None:
                await self._abort(
                    context,
                    "INVALID_ARGUMENT",
                    "invalid continuation token: pass the one the previous page returned",
                )
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
        inp = self._payload(request, "input", "the input")
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
        """The worker's stream. It ends when the worker goes, when the front takes it as dead
        (it answered nothing for --work-item-timeout while holding work) and when serve
        stops (CANCELLED "shutting down", as daprd's engine ends its streams)."""
        pb = self.pb
        loop = asyncio.get_running_loop()
        q: asyncio.Queue[list[Any]] = asyncio.Queue()
        ended: asyncio.Future[tuple[str, str]] = loop.create_future()
        caps = list(request.capabilities)
        pings = pb.WORKER_CAPABILITY_HEALTH_PING in caps

        def send(items: list[Any]) -> None:
            loop.call_soon_threadsafe(q.put_nowait, items)

        def end(code: str, message: str) -> None:
            loop.call_soon_threadsafe(_settle, ended, (code, message))

        stream = self.front.open_stream(send, caps, peer=context.peer(), end=end)
        key = id(stream)
        self.streams[key] = end
        got: asyncio.Future[Any] | None = None
        write: asyncio.Future[Any] | None = None
        try:
            while True:
                got = asyncio.ensure_future(q.get())
                done, _ = await asyncio.wait(
                    {got, ended},
                    timeout=PING_SECONDS if pings else None,
                    return_when="FIRST_COMPLETED",
                )
                if ended.done():
                    got.cancel()
                    await self._abort(context, *ended.result())
                if got not in done:
                    got.cancel()
                    items = [pb.WorkItem(healthPing=pb.HealthPing())]
                else:
                    items = got.result()
                for item in items:
                    # A worker that stops reading blocks this write: the end still comes.
                    write = asyncio.ensure_future(context.write(item))
                    await asyncio.wait({write, ended}, return_when="FIRST_COMPLETED")
                    if not write.done():
                        write.cancel()
                        await self._abort(context, *ended.result())
                    write.result()
        finally:
            for fut in (got, write):  # the RPC was cancelled or ended mid-wait
                if fut is not None and not fut.done():
                    fut.cancel()
            self.streams.pop(key, None)
            self.front.close_stream(stream)

    async def _complete(
        self, post: Callable[..., None], request: Any, context: Any, task_id: int | None
    ) -> Any:
        """Hand a worker's answer to the front and answer as daprd: OK when it matches a
        work item in flight, else daprd's error (UNKNOWN "unknown instance ID..."). An
        answer whose token names an item in flight is acknowledged at once; any other
        waits for the front's verdict."""
        if self.front.in_flight(request.completionToken, request.instanceId, task_id):
            post(request, context.peer(), None)
            return self.pb.CompleteTaskResponse()
        loop = asyncio.get_running_loop()
        verdict: asyncio.Future[str | None] = loop.create_future()
        post(
            request,
            context.peer(),
            lambda why: loop.call_soon_threadsafe(_settle, verdict, why),
        )
        refusal = await verdict
        if refusal is not None:
            await self._abort(context, "UNKNOWN", refusal)
        return self.pb.CompleteTaskResponse()

    async def CompleteActivityTask(self, request: Any, context: Any) -> Any:
        return await self._complete(self.front.complete_task, request, context, request.taskId)

    async def CompleteOrchestratorTask(self, request: Any, context: Any) -> Any:
        return await self._complete(self.front.complete_turn, request, context, None)

    async def CompleteWorkflowTask(self, request: Any, context: Any) -> Any:
        return await self._complete(self.front.complete_turn, request, context, None)


def _settle_soon(loop: asyncio.AbstractEventLoop, fut: asyncio.Future[Any]) -> None:
    """Settle ``fut`` from another thread, on its loop."""
    loop.call_soon_threadsafe(_settle, fut)


def _settle(fut: asyncio.Future[Any], value: Any = None) -> None:
    if not fut.done():  # the caller may have gone (cancelled)
        fut.set_result(value)


def _cursor(token: str) -> tuple[float, int] | None:
    """A continuation token ("created/row", as ListInstanceIDs makes them), or None."""
    created, sep, row = token.partition("/")
    if not sep or len(token) > 64 or not row.isdigit():
        return None
    try:
        when = float(created)
    except ValueError:
        return None
    if not math.isfinite(when) or int(row) >= 2**63:
        return None
    return when, int(row)


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
