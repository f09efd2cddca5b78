"""The remote-executor front: the store's turns and activity tasks, handed to Dapr SDK
workers over their ``GetWorkItems`` streams, and the workers' answers applied back.

A second executor front on :class:`wfctl.engine.store.Store`, beside the in-process one
(:mod:`wfctl.engine.worker`): it claims with the store's leases, applies with
``apply_turns``/``complete_tasks`` and never touches SQL itself. One thread (the
:class:`RemoteFront` loop) owns all of its state; the gRPC handlers only post messages to it.

* One lease owner for the process; an instance whose turn is on a stream is excluded from
  claims, so at most one turn per instance is in flight. Each work item carries a completion
  token; an answer with an unknown or stale token is ignored (benign, as daprd). An answer
  with no token at all (durabletask-js 1.0) is matched as daprd matches it: a turn by its
  instance, an activity by instance and task id.
* Streams take work round-robin up to a credit each; an instance's next turn prefers the
  stream that ran its last one (its history cache is warm there).
* Workers that advertise STATEFUL_HISTORY get ``cachedHistory{eventCount}`` and only the
  events past what they hold; others get the full history every turn.
* A turn or activity a worker holds longer than ``work_item_timeout`` seconds (serve's
  ``--work-item-timeout``) while its stream stays open is taken back and handed out again,
  as a stream's end would; the old holder's late answer carries a token no longer in
  flight and is refused as stale.
* When a stream ends, its turns are simply forgotten (their instances are claimed again, by
  this process, with whatever has arrived since) and its activity leases are handed back: in
  flight work is re-dispatched to the next stream. After a crash of the process, the store
  hands a dead owner's leases back (``reap_dead_owners``).
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

from wfctl.engine.faults import Reaper, pause_after, start_lease_renewer
from wfctl.engine.history import CompleteWorkflow, TurnResult
from wfctl.engine.items import ApplyOutcome, StartRequest, TaskItem, TaskOutcome, TurnItem
from wfctl.engine.store import HUB, Store, new_owner_id
from wfctl.grpcapi import convert
from wfctl.grpcapi.streams import Known, Pending, Stream
from wfctl.model import FailureDetails, RuntimeStatus, WfctlError

log = logging.getLogger("wfctl.grpc")
POLL = 0.1  # how often a front with streams looks for work written by other processes
TTL = 30.0
TURN_CREDIT = 64  # turns in flight per stream
TASK_CREDIT = 64  # activities in flight per stream
MAX_CACHED = 10_000  # instances whose history stays in memory
#: Default seconds a worker may hold a turn or an activity (durabletask-go's SQLite backend
#: locks a work item for 2 minutes); 0 = no limit.
WORK_ITEM_TIMEOUT = 120.0


class RemoteFront:
    """The loop; see the module docstring. ``app`` is the app identity the instances it
    drives carry in the store; ``app_id`` the Dapr app id stamped on them for the SDK."""

    def __init__(
        self,
        store: Store,
        pb: Any,
        *,
        app: str,
        app_id: str,
        ttl: float = TTL,
        work_item_timeout: float = WORK_ITEM_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.pb = pb
        self.app = app
        self.app_id = app_id
        self.ttl = ttl
        self.work_item_timeout = work_item_timeout
        self.clock = clock
        self.owner = new_owner_id()
        self._inbox: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._streams: list[Stream] = []
        self._next_stream = 0
        self._pending: dict[str, Pending] = {}
        self._inflight: dict[str, str] = {}  # instance ID -> token of its turn on a stream
        self._hist: OrderedDict[str, list[Any]] = OrderedDict()  # pb history per instance
        self._ids: dict[str, set[int]] = {}  # action ids the history holds, per instance
        self._sticky: dict[str, Stream] = {}
        self._ready_tasks: deque[TaskItem] = deque()
        self._stream_ids = 0
        self._reap = Reaper(store)
        self._last_task_poll = 0.0
        self._fail_next: list[TaskOutcome] = []  # cross-app calls: failed in the next commit
        self._retry: tuple[list[Any], list[TaskOutcome]] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ from gRPC handlers
    def open_stream(self, send: Callable[[list[Any]], None], capabilities: list[int]) -> Stream:
        s = Stream(send=send, stateful=self.pb.WORKER_CAPABILITY_STATEFUL_HISTORY in capabilities)
        self._post("open", s)
        return s

    def close_stream(self, s: Stream) -> None:
        self._post("close", s)

    def submit_start(self, req: StartRequest, on_done: Callable[[], None]) -> None:
        """Record ``req`` in the next round's commit (with the first turn it makes
        deliverable); then ``req.error`` is set or not, and ``on_done()`` is called."""
        self._post("start", (req, on_done))

    def complete_turn(self, resp: Any) -> None:
        self._post("turn", resp)

    def complete_task(self, resp: Any) -> None:
        self._post("task", resp)

    def _post(self, kind: str, value: Any) -> None:
        self._inbox.put((kind, value))
        HUB.bump()

    # ------------------------------------------------------------------ life
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="wfctl-grpc-front", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop the loop and hand back every lease (work in flight is re-dispatched later)."""
        self._stop.set()
        HUB.bump()
        if self._thread is not None:
            self._thread.join(timeout)
        try:
            self.store.leases.release(self.owner)
        except WfctlError as exc:
            log.warning("wfctl serve: cannot hand back the gRPC leases: %s", exc)

    @property
    def connected(self) -> int:
        """How many worker streams are open (read from any thread)."""
        return len(self._streams)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        renewer = start_lease_renewer(
            self.store, self.owner, self.ttl, lambda: bool(self._pending or self._ready_tasks)
        )
        try:
            while not self._stop.is_set():
                seen = HUB.version
                try:
                    did = self._round()
                except Exception as exc:  # e.g. the disk is full (or a bug): say so, retry
                    pause_after(exc, self._stop, log, "wfctl serve: gRPC dispatch")
                    continue
                if not did:
                    HUB.wait(seen, self._timeout())
        finally:
            renewer.set()

    def _timeout(self) -> float:
        if not self._streams:
            return 1.0
        nxt = self.store.queues.next_due(app=self.app)
        if nxt is None:
            return POLL
        return min(POLL, max(nxt - self.store.db.clock(), 0.0))

    # ------------------------------------------------------------------ one round
    def _round(self) -> bool:
        now = time.monotonic()
        self._reap(now)
        turns: list[tuple[TurnItem, TurnResult, list[tuple[int, str]]]] = []
        outcomes: list[TaskOutcome] = []
        released: list[int] = []
        starts: list[tuple[StartRequest, Callable[[], None]]] = []
        did = False
        while True:
            try:
                kind, value = self._inbox.get_nowait()
            except queue.Empty:
                break
            did = True
            if kind == "open":
                self._stream_ids += 1
                value.id = self._stream_ids
                self._streams.append(value)
            elif kind == "close":
                released += self._close(value)
            elif kind == "turn":
                got = self._turn_answer(value)
                if got is not None:
                    turns.append(got)
            elif kind == "task":
                got = self._task_answer(value)
                if got is not None:
                    outcomes.append(got)
            elif kind == "start":
                starts.append(value)
        if self.work_item_timeout > 0 and self._take_back_overdue():
            did = True
        if released:
            self.store.leases.release(self.owner, released)
        if self._retry is not None:  # answers a failed commit left (e.g. the disk was full)
            turns = self._retry[0] + turns
            outcomes = self._retry[1] + outcomes
            self._retry = None
        outcomes += self._fail_next
        self._fail_next = []
        try:
            if self._exchange(turns, outcomes, [r for r, _ in starts]):
                did = True
        except BaseException as exc:
            for r, _ in starts:
                r.error = exc if isinstance(exc, Exception) else RuntimeError(str(exc))
            raise
        finally:
            for _, done in starts:
                done()
        if self._send_tasks(poll=not did or now - self._last_task_poll > POLL):
            did = True
        for st in self._streams:
            if st.out:
                items, st.out = st.out, []
                st.send(items)
        return did

    def _close(self, s: Stream) -> list[int]:
        """Forget a stream; its turns go back to the store's queue at once (the instances are
        still leased to this process, which claims them again), its tasks are released."""
        s.closed = True
        if s in self._streams:
            self._streams.remove(s)
        tasks = []
        for token in s.turns:
            p = self._pending.pop(token, None)
            if p is not None and p.turn is not None:
                self._inflight.pop(p.turn.instance_id, None)
        for token in s.tasks:
            p = self._pending.pop(token, None)
            if p is not None and p.task is not None:
                tasks.append(p.task.id)
        for iid in [i for i, st in self._sticky.items() if st is s]:
            del self._sticky[iid]
        return tasks

    def _take_back_overdue(self) -> bool:
        """Take back what a worker has held longer than ``work_item_timeout``: a turn is
        forgotten (its instance is claimed again, with a full history, by any stream), an
        activity is queued again. ``_pending`` is in the order items went out."""
        limit = self.clock() - self.work_item_timeout
        overdue = []
        for token, p in self._pending.items():
            if p.sent > limit:
                break
            overdue.append(token)
        for token in overdue:
            p = self._pending.pop(token)
            s = p.stream
            if p.turn is not None:
                iid = p.turn.instance_id
                s.turns.discard(token)
                if self._inflight.get(iid) == token:
                    del self._inflight[iid]
                s.marks.pop(iid, None)  # what it caches is unknown now
                if self._sticky.get(iid) is s:
                    del self._sticky[iid]
                what = f"the turn of {iid!r}"
            else:
                assert p.task is not None
                s.tasks.discard(token)
                self._ready_tasks.append(p.task)
                what = f"activity {p.task.name!r} of {p.task.instance_id!r}"
            log.warning(
                "wfctl serve: a worker held %s over %g s (--work-item-timeout): handing it out"
                " again",
                what,
                self.work_item_timeout,
            )
        return bool(overdue)

    def _turn_answer(self, resp: Any) -> tuple[TurnItem, TurnResult, list[tuple[int, str]]] | None:
        # durabletask-js 1.0 answers without the completion token: match by instance, as daprd
        token = resp.completionToken or self._inflight.get(resp.instanceId, "")
        p = self._pending.get(token)
        if p is None or p.turn is None or p.turn.instance_id != resp.instanceId:
            log.info("wfctl serve: ignored a workflow answer with a stale or unknown token")
            return None
        del self._pending[token]
        p.stream.turns.discard(token)
        item = p.turn
        try:
            res, refused = convert.actions_from_pb(
                resp, item.instance_id, self.app_id, self._ids.get(item.instance_id, set())
            )
        except convert.BadActions as exc:
            failure = FailureDetails(exc.error_type, str(exc))
            res = TurnResult(actions=[CompleteWorkflow(RuntimeStatus.FAILED, failure=failure)])
            refused = []
        return item, res, refused

    def _task_answer(self, resp: Any) -> TaskOutcome | None:
        token = resp.completionToken or self._task_token(resp.instanceId, resp.taskId)
        p = self._pending.get(token)
        if (
            p is None
            or p.task is None
            or p.task.instance_id != resp.instanceId
            or p.task.task_id != resp.taskId
        ):
            log.info("wfctl serve: ignored an activity answer with a stale or unknown token")
            return None
        del self._pending[token]
        p.stream.tasks.discard(token)
        if resp.HasField("failureDetails"):
            return TaskOutcome(p.task, failure=convert.failure_from_pb(resp.failureDetails))
        result = resp.result.value if resp.HasField("result") else None
        return TaskOutcome(p.task, result=result)

    def _task_token(self, instance_id: str, task_id: int) -> str:
        """The token of the activity in flight for ``(instance_id, task_id)`` ("" if none): for
        workers that answer without the token (durabletask-js 1.0), as daprd matches them."""
        for token, p in self._pending.items():
            task = p.task
            if task is not None and (task.instance_id, task.task_id) == (instance_id, task_id):
                return token
        return ""

    def _exchange(
        self,
        turns: list[tuple[TurnItem, TurnResult, list[tuple[int, str]]]],
        outcomes: list[TaskOutcome],
        starts: list[StartRequest],
    ) -> bool:
        """Record the starts, apply the answers and claim the turns they (and others) made
        deliverable, in one commit; hand the turns to the streams."""
        free = sum(max(TURN_CREDIT - len(s.turns), 0) for s in self._streams)
        if not turns and not outcomes and not starts and free <= 0:
            return False
        for item, _, _ in turns:
            self._inflight.pop(item.instance_id, None)
        ready, failing = len(self._ready_tasks), len(self._fail_next)

        def applied(outs: list[ApplyOutcome]) -> None:
            # Runs inside the transaction, before the claim reads ``known``.
            for (item, _, refused), out in zip(turns, outs, strict=True):
                self._took(item, refused, out)

        try:
            _, items = self.store.dispatch.exchange(
                self.owner,
                [(it, res) for it, res, _ in turns],
                outcomes,
                limit=free,
                exclude=list(self._inflight),
                known=Known(self._hist),  # type: ignore[arg-type]
                ttl=self.ttl,
                app=self.app,
                applied=applied,
                starts=starts,
            )
        except BaseException:
            # Nothing was recorded: what the callback cached or queued is not true. The
            # answers are kept for the next round (their instances stay out of claims).
            self._reset_cache(ready, failing)
            self._retry = (turns, list(outcomes))
            for item, _, _ in turns:
                self._inflight[item.instance_id] = "retry"
            raise
        for item in items:
            s = self._pick(lambda s: len(s.turns) < TURN_CREDIT, self._sticky.get(item.instance_id))
            if s is not None:  # always (claimed within the credit)
                self._send_turn(s, item)
        while len(self._hist) > MAX_CACHED:  # least recently stepped first (never mid-batch)
            self._forget(next(iter(self._hist)))
        return bool(turns or outcomes or starts or items)

    def _took(self, item: TurnItem, refused: list[tuple[int, str]], out: ApplyOutcome) -> None:
        """What applying ``item`` did: cache the history, queue its tasks."""
        iid = item.instance_id
        if not out.applied or out.finished or out.restarted:
            self._forget(iid)
            return
        hist = self._hist.get(iid)
        if hist is not None:
            pbs = [convert.event_to_pb(self.pb, e, self.app_id) for e in out.appended]
            hist.extend(pbs)
            self._ids[iid].update(e.eventId for e in pbs if e.eventId >= 0)
            self._hist.move_to_end(iid)
        why = dict(refused)
        for t in out.tasks:
            if t.task_id in why:
                failure = FailureDetails("CrossAppCallError", why[t.task_id])
                self._fail_next.append(TaskOutcome(t, failure=failure))
            else:
                self._ready_tasks.append(t)

    def _reset_cache(self, ready: int, failing: int) -> None:
        """Undo what a failed commit's callback did: the cached histories (all reloaded from
        the store), the tasks and failures it queued (back to ``ready``/``failing`` long)."""
        self._hist.clear()
        self._ids.clear()
        while len(self._ready_tasks) > ready:
            self._ready_tasks.pop()
        del self._fail_next[failing:]
        for s in self._streams:
            s.marks.clear()

    def _forget(self, iid: str) -> None:
        self._hist.pop(iid, None)
        self._ids.pop(iid, None)
        self._sticky.pop(iid, None)
        for s in self._streams:
            s.marks.pop(iid, None)

    # ------------------------------------------------------------------ hand out work
    def _pick(
        self, credit: Callable[[Stream], bool], prefer: Stream | None = None
    ) -> Stream | None:
        if prefer is not None and not prefer.closed and credit(prefer):
            return prefer
        n = len(self._streams)
        for k in range(n):
            s = self._streams[(self._next_stream + k) % n]
            if credit(s):
                self._next_stream = (self._next_stream + k + 1) % n
                return s
        return None

    def _send_tasks(self, poll: bool) -> bool:
        """Hand ready tasks to the streams; when ``poll``, first claim tasks that other
        owners let go (released, expired)."""
        if not self._streams:
            return False
        did = False
        free = sum(max(TASK_CREDIT - len(s.tasks), 0) for s in self._streams)
        if poll and free > len(self._ready_tasks):
            self._last_task_poll = time.monotonic()
            self._ready_tasks.extend(
                self.store.queues.claim_tasks(
                    self.owner, limit=free - len(self._ready_tasks), ttl=self.ttl, app=self.app
                )
            )
        while self._ready_tasks:
            s = self._pick(lambda s: len(s.tasks) < TASK_CREDIT)
            if s is None:
                break
            self._send_task(s, self._ready_tasks.popleft())
            did = True
        return did

    def _token(self) -> str:
        return secrets.token_hex(8)

    def _send_turn(self, s: Stream, item: TurnItem) -> None:
        pb = self.pb
        iid = item.instance_id
        if item.past is not None:
            hist = [convert.event_to_pb(pb, e, self.app_id) for e in item.past]
            self._hist[iid] = hist
            self._ids[iid] = {e.eventId for e in hist if e.eventId >= 0}
            for st in self._streams:  # a fresh copy: what any worker caches is unknown
                st.marks.pop(iid, None)
        else:
            hist = self._hist[iid]
        req = pb.WorkflowRequest(instanceId=iid)
        req.executionId.value = f"{iid}:{item.generation}"
        req.router.sourceAppID = self.app_id
        req.newEvents.extend(convert.event_to_pb(pb, e, self.app_id) for e in item.new)
        run, mark = s.marks.get(iid, (-1, 0)) if s.stateful else (-1, 0)
        if run == item.generation and 0 < mark <= len(hist):
            req.cachedHistory.eventCount = mark
            req.pastEvents.extend(hist[mark:])
        else:
            req.pastEvents.extend(hist)
        if s.stateful:
            s.marks[iid] = (item.generation, len(hist))
        token = self._token()
        self._pending[token] = Pending(s, turn=item, sent=self.clock())
        self._inflight[iid] = token
        self._sticky[iid] = s
        s.turns.add(token)
        s.out.append(pb.WorkItem(workflowRequest=req, completionToken=token))

    def _send_task(self, s: Stream, t: TaskItem) -> None:
        pb = self.pb
        req = pb.ActivityRequest(name=t.name, taskId=t.task_id)
        if t.input is not None:
            req.input.value = t.input
        req.workflowInstance.instanceId = t.instance_id
        req.workflowInstance.executionId.value = f"{t.instance_id}:{t.generation}"
        req.taskExecutionId = f"{t.instance_id}:{t.generation}:{t.task_id}"
        token = self._token()
        self._pending[token] = Pending(s, task=t, sent=self.clock())
        s.tasks.add(token)
        s.out.append(pb.WorkItem(activityRequest=req, completionToken=token))
