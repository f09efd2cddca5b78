"""The remote-executor front: the store's turns and activity tasks, handed to Dapr SDK
workers over their ``GetWorkItems`` streams, and the workers' answers applied back.

A second executor front on :class:`wfctl.engine.store.Store`, beside the in-process one
(:mod:`wfctl.engine.worker`): it claims with the store's leases, applies with
``apply_turns``/``complete_tasks`` and never touches SQL itself. One thread (the
:class:`RemoteFront` loop) owns all of its state; the gRPC handlers only post messages to it.

* One lease owner for the process; an instance whose turn is on a stream is excluded from
  claims, so at most one turn per instance is in flight. Each work item carries a completion
  token; an answer with an unknown or stale token is refused (one log line naming the
  instance, the task and why; the caller gets daprd's "unknown instance ID" error). An
  answer with no token at all (durabletask-js 1.0) is matched as daprd matches it — a turn
  by its instance, an activity by instance and task id — but only from the connection
  (``context.peer()``) of the stream the item was sent on.
* Streams take work round-robin up to a credit each; an instance's next turn prefers the
  stream that ran its last one (its history cache is warm there).
* Workers that advertise STATEFUL_HISTORY get ``cachedHistory{eventCount}`` and only the
  events past what they hold; others get the full history every turn.
* A turn or activity a worker holds longer than ``work_item_timeout`` seconds (serve's
  ``--work-item-timeout``) while its stream stays open is taken back and handed out again
  to another stream (never the one that held it); the old holder's late answer carries a
  token no longer in flight and is refused as stale. A stream that holds such an item and
  has answered nothing for that long is taken as dead: it is ended (UNAVAILABLE) and all
  of its work goes to the others.
* A work item over the message limit (``max_message``) is never sent: the turn fails its
  instance (``WorkItemTooLarge``), the activity fails its task; other instances go on.
* When a stream ends, its turns are simply forgotten (their instances are claimed again, by
  this process, with whatever has arrived since) and its activity leases are handed back: in
  flight work is re-dispatched to the next stream. After a crash of the process, the store
  hands a dead owner's leases back (``reap_dead_owners``).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from wfctl.engine.faults import Reaper, pause_after, start_lease_renewer
from wfctl.engine.history import TurnResult
from wfctl.engine.items import ApplyOutcome, StartRequest, TaskItem, TaskOutcome, TurnItem
from wfctl.engine.store import HUB, Store, new_owner_id
from wfctl.grpcapi import convert
from wfctl.grpcapi.answers import Answers
from wfctl.grpcapi.cache import DEFAULT_CACHE_BYTES, HistoryCache
from wfctl.grpcapi.handout import POLL, TURN_CREDIT, HandOut
from wfctl.grpcapi.streams import Pending, Stream
from wfctl.limits import MAX_MESSAGE_BYTES
from wfctl.model import FailureDetails, WfctlError

log = logging.getLogger("wfctl.grpc")
TTL = 30.0
#: Default seconds a worker may hold a turn or an activity (durabletask-go's SQLite backend
#: locks a work item for 2 minutes); 0 = no limit.
WORK_ITEM_TIMEOUT = 120.0


class RemoteFront(HandOut, Answers):
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
        max_message: int = MAX_MESSAGE_BYTES,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.pb = pb
        self.app = app
        self.app_id = app_id
        self.ttl = ttl
        self.work_item_timeout = work_item_timeout
        self.max_message = max_message
        self.clock = clock
        self.owner = new_owner_id()
        self._inbox: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._streams: list[Stream] = []
        self._next_stream = 0
        self._pending: dict[str, Pending] = {}
        self._inflight: dict[str, str] = {}  # instance ID -> token of its turn on a stream
        self._cache = HistoryCache(cache_bytes)  # pb history per instance
        self._sticky: dict[str, Stream] = {}
        self._avoid: dict[tuple[str, int], Stream] = {}  # taken back from: (iid, task or -1)
        self._unsent: deque[TurnItem] = deque()  # claimed turns no stream could take yet
        self._failing: list[tuple[TurnItem, TurnResult, list[tuple[int, str]]]] = []
        self._ready_tasks: deque[TaskItem] = deque()
        self._stream_ids = 0
        self._reap = Reaper(store)
        self._last_task_poll = 0.0
        self._fail_next: list[TaskOutcome] = []  # cross-app calls: failed in the next commit
        self._retry: tuple[list[Any], list[TaskOutcome]] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ from gRPC handlers
    def open_stream(
        self,
        send: Callable[[list[Any]], None],
        capabilities: list[int],
        *,
        peer: str = "",
        end: Callable[[str, str], None] | None = None,
    ) -> Stream:
        """A new worker stream from connection ``peer``; ``end(code, message)`` ends it."""
        stateful = self.pb.WORKER_CAPABILITY_STATEFUL_HISTORY in capabilities
        s = Stream(send=send, stateful=stateful, peer=peer)
        if end is not None:
            s.end = end
        self._post("open", s)
        return s

    def close_stream(self, s: Stream) -> None:
        self._post("close", s)

    def submit_start(self, req: StartRequest, on_done: Callable[[], None]) -> None:
        """Record ``req`` in the next round's commit (with the first turn it makes
        deliverable); then ``req.error`` is set or not, and ``on_done()`` is called."""
        self._post("start", (req, on_done))

    def complete_turn(
        self, resp: Any, peer: str = "", done: Callable[[str | None], None] | None = None
    ) -> None:
        """A worker's WorkflowResponse from connection ``peer``; ``done(None)`` once it is
        matched to a turn in flight, ``done(message)`` (daprd's error text) when refused."""
        self._post("turn", (resp, peer, done))

    def complete_task(
        self, resp: Any, peer: str = "", done: Callable[[str | None], None] | None = None
    ) -> None:
        """A worker's ActivityResponse; ``done`` as for :meth:`complete_turn`."""
        self._post("task", (resp, peer, done))

    def in_flight(self, token: str, instance_id: str, task_id: int | None = None) -> bool:
        """Whether ``token`` names a work item out now for ``instance_id`` (its activity
        ``task_id``; None: its turn). A lock-free peek from any thread (one dict read), so
        that the common answer is acknowledged at once; the front's loop still decides,
        and logs an answer that went stale in between."""
        p = self._pending.get(token) if token else None
        if p is None:
            return False
        if task_id is None:
            return p.turn is not None and p.turn.instance_id == instance_id
        return p.task is not None and (p.task.instance_id, p.task.task_id) == (
            instance_id,
            task_id,
        )

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
            self.store,
            self.owner,
            self.ttl,
            lambda: bool(self._pending or self._ready_tasks or self._unsent),
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
                value.last_ack = self.clock()
                self._streams.append(value)
            elif kind == "close":
                released += self._close(value)
            elif kind in ("turn", "task"):
                resp, peer, done = value
                if kind == "turn":
                    got, refusal = self._turn_answer(resp, peer)
                    if got is not None:
                        turns.append(got)
                else:
                    outcome, refusal = self._task_answer(resp, peer)
                    if outcome is not None:
                        outcomes.append(outcome)
                if done is not None:
                    done(refusal)
            elif kind == "start":
                starts.append(value)
        if self.work_item_timeout > 0:
            back = self._take_back_overdue()
            if back is not None:
                released += back
                did = True
        if self._failing:  # turns whose work item would not fit a message: fail them now
            turns = self._failing + turns
            self._failing = []
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
        if self._send_unsent():
            did = True
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
        self._avoid = {k: st for k, st in self._avoid.items() if st is not s}
        return tasks

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
        try:
            outs, items = self.store.dispatch.exchange(
                self.owner,
                [(it, res) for it, res, _ in turns],
                outcomes,
                limit=free,
                exclude=list(self._inflight),
                known=self._cache.known(),
                ttl=self.ttl,
                app=self.app,
                starts=starts,
            )
        except BaseException:
            # Nothing was recorded, and nothing here changed before the commit: the answers
            # are kept for the next round (their instances stay out of claims).
            self._retry = (turns, list(outcomes))
            for item, _, _ in turns:
                self._inflight[item.instance_id] = "retry"
            raise
        # Committed: the cache and the queues take in what it recorded (the claim read the
        # cache as it is after this, see ``known`` of Dispatch.exchange).
        for (item, _, refused), out in zip(turns, outs, strict=True):
            self._took(item, refused, out)
        for item in items:
            self._inflight[item.instance_id] = "unsent"
            self._unsent.append(item)
        self._send_unsent()
        for iid in self._cache.over(keep=self._inflight):  # least recently stepped first
            self._forget(iid)
        return bool(turns or outcomes or starts or items)

    def _took(self, item: TurnItem, refused: list[tuple[int, str]], out: ApplyOutcome) -> None:
        """What applying ``item`` did: cache the history, queue its tasks."""
        iid = item.instance_id
        if not out.applied or out.finished or out.restarted:
            self._forget(iid)
            return
        if iid in self._cache:
            self._cache.extend(
                iid, (convert.event_to_pb(self.pb, e, self.app_id) for e in out.appended)
            )
        why = dict(refused)
        for t in out.tasks:
            if t.task_id in why:
                failure = FailureDetails("CrossAppCallError", why[t.task_id])
                self._fail_next.append(TaskOutcome(t, failure=failure))
            else:
                self._ready_tasks.append(t)

    def _forget(self, iid: str) -> None:
        self._cache.forget(iid)
        self._sticky.pop(iid, None)
        for s in self._streams:
            s.marks.pop(iid, None)
