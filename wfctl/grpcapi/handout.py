"""The remote front's hand-out of work: turns and activities to worker streams, each
within a credit, never back to a stream it was taken from, never larger than a message;
and the take-back of what a worker holds too long.

A mixin of :class:`wfctl.grpcapi.front.RemoteFront`, run on its one thread.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from wfctl.engine.history import CompleteWorkflow, TurnResult
from wfctl.engine.items import TaskItem, TaskOutcome, TurnItem
from wfctl.engine.store import Store
from wfctl.grpcapi import convert
from wfctl.grpcapi.answers import shown
from wfctl.grpcapi.cache import HistoryCache
from wfctl.grpcapi.streams import Pending, Stream
from wfctl.model import FailureDetails, RuntimeStatus

log = logging.getLogger("wfctl.grpc")
POLL = 0.1  # how often a front with streams looks for work written by other processes
TURN_CREDIT = 64  # turns in flight per stream
TASK_CREDIT = 64  # activities in flight per stream


class HandOut:
    """Work to streams; see the module docstring."""

    store: Store
    pb: Any
    app: str
    app_id: str
    ttl: float
    owner: str
    work_item_timeout: float
    max_message: int
    clock: Callable[[], float]
    _streams: list[Stream]
    _next_stream: int
    _pending: dict[str, Pending]
    _inflight: dict[str, str]
    _cache: HistoryCache
    _sticky: dict[str, Stream]
    _avoid: dict[tuple[str, int], Stream]
    _unsent: deque[TurnItem]
    _failing: list[tuple[TurnItem, TurnResult, list[tuple[int, str]]]]
    _ready_tasks: deque[TaskItem]
    _fail_next: list[TaskOutcome]
    _last_task_poll: float

    def _close(self, s: Stream) -> list[int]:  # pragma: no cover - the front's
        raise NotImplementedError

    def _take_back_overdue(self) -> list[int] | None:
        """Take back what a worker has held longer than ``work_item_timeout``: a turn is
        forgotten (its instance is claimed again, with a full history), an activity is
        queued again; either goes to another stream. A holder that has answered nothing
        for as long is dead: its stream is ended and all its work taken back (the task
        leases to release are returned). None: nothing was overdue."""
        limit = self.clock() - self.work_item_timeout
        overdue, dead = [], []
        for token, p in self._pending.items():  # in the order the items went out
            if p.sent > limit:
                break
            if p.stream.last_ack > limit:
                overdue.append(token)
            elif p.stream not in dead:
                dead.append(p.stream)
        if not overdue and not dead:
            return None
        for token in overdue:
            self._take_back(token)
        released: list[int] = []
        for s in dead:
            what = f"{len(s.turns)} turn(s) and {len(s.tasks)} activity(ies)"
            released += self._close(s)
            msg = (
                f"wfctl serve: the worker answered nothing for {self.work_item_timeout:g} s "
                f"(--work-item-timeout) while it held {what}: its stream is ended and its "
                "work handed to other streams"
            )
            log.warning("%s (stream %d, %s)", msg, s.id, s.peer)
            s.end("UNAVAILABLE", msg)
        return released

    def _take_back(self, token: str) -> None:
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
            self._avoid[(iid, -1)] = s
            what = f"the turn of {shown(iid)}"
        else:
            assert p.task is not None
            s.tasks.discard(token)
            self._ready_tasks.append(p.task)
            self._avoid[(p.task.instance_id, p.task.task_id)] = s
            what = f"activity {shown(p.task.name)} of {shown(p.task.instance_id)}"
        log.warning(
            "wfctl serve: a worker held %s over %g s (--work-item-timeout): handing it to "
            "another stream",
            what,
            self.work_item_timeout,
        )

    def _send_unsent(self) -> bool:
        """Hand claimed turns to streams with credit: the instance's last stream first,
        never one that it was taken back from (those wait here for another)."""
        did = False
        for _ in range(len(self._unsent)):
            item = self._unsent.popleft()
            iid = item.instance_id
            s = self._pick(
                lambda s: len(s.turns) < TURN_CREDIT,
                self._sticky.get(iid),
                self._avoid.get((iid, -1)),
            )
            if s is None:
                self._unsent.append(item)
                continue
            self._avoid.pop((iid, -1), None)
            self._send_turn(s, item)
            did = True
        return did

    def _pick(
        self,
        credit: Callable[[Stream], bool],
        prefer: Stream | None = None,
        avoid: Stream | None = None,
    ) -> Stream | None:
        if prefer is not None and prefer is not avoid and not prefer.closed and credit(prefer):
            return prefer
        n = len(self._streams)
        for k in range(n):
            s = self._streams[(self._next_stream + k) % n]
            if s is not avoid and credit(s):
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
        waiting: list[TaskItem] = []  # taken back, and only their old stream has credit
        while self._ready_tasks:
            t = self._ready_tasks.popleft()
            key = (t.instance_id, t.task_id)
            s = self._pick(lambda s: len(s.tasks) < TASK_CREDIT, None, self._avoid.get(key))
            if s is None:
                waiting.append(t)
                if self._pick(lambda s: len(s.tasks) < TASK_CREDIT) is None:
                    break  # no credit anywhere
                continue
            self._avoid.pop(key, None)
            self._send_task(s, t)
            did = True
        self._ready_tasks.extendleft(reversed(waiting))
        return did

    def _token(self) -> str:
        return secrets.token_hex(8)

    def _send_turn(self, s: Stream, item: TurnItem) -> None:
        pb = self.pb
        iid = item.instance_id
        if item.past is not None:
            hist = [convert.event_to_pb(pb, e, self.app_id) for e in item.past]
            self._cache.put(iid, hist)
            for st in self._streams:  # a fresh copy: what any worker caches is unknown
                st.marks.pop(iid, None)
        else:
            cached = self._cache.get(iid)
            assert cached is not None  # claimed as known; never evicted while in flight
            hist = cached
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
        token = self._token()
        wi = pb.WorkItem(workflowRequest=req, completionToken=token)
        if wi.ByteSize() > self.max_message:  # it would end the stream: fail the instance
            why = self._too_large(wi, f"the turn of {iid!r}")
            failure = FailureDetails("WorkItemTooLarge", why)
            res = TurnResult(actions=[CompleteWorkflow(RuntimeStatus.FAILED, failure=failure)])
            self._inflight[iid] = "failing"
            self._failing.append((item, res, []))
            return
        if s.stateful:
            s.marks[iid] = (item.generation, len(hist))
        self._pending[token] = Pending(s, turn=item, sent=self.clock())
        self._inflight[iid] = token
        self._sticky[iid] = s
        s.turns.add(token)
        s.out.append(wi)

    def _send_task(self, s: Stream, t: TaskItem) -> None:
        pb = self.pb
        req = pb.ActivityRequest(name=t.name, taskId=t.task_id)
        if t.input is not None:
            req.input.value = t.input
        req.workflowInstance.instanceId = t.instance_id
        req.workflowInstance.executionId.value = f"{t.instance_id}:{t.generation}"
        req.taskExecutionId = f"{t.instance_id}:{t.generation}:{t.task_id}"
        token = self._token()
        wi = pb.WorkItem(activityRequest=req, completionToken=token)
        if wi.ByteSize() > self.max_message:  # fail the task; its workflow decides
            why = self._too_large(wi, f"activity {t.name!r} of {t.instance_id!r}")
            self._fail_next.append(TaskOutcome(t, failure=FailureDetails("WorkItemTooLarge", why)))
            return
        self._pending[token] = Pending(s, task=t, sent=self.clock())
        s.tasks.add(token)
        s.out.append(wi)

    def _too_large(self, wi: Any, what: str) -> str:
        why = (
            f"the work item for {what} is {wi.ByteSize()} bytes: over the "
            f"{self.max_message} bytes message limit (--max-body-size), no worker could "
            "receive it"
        )
        log.warning("wfctl serve: %s: it fails instead", shown(why, 300))
        return why
