"""Applying a workflow turn's result (SQL only): the dispatcher's write side.

:class:`Apply` is a helper of :class:`wfctl.engine.dispatch.Dispatch`, which calls it inside
its own transactions: append the turn's history, consume the delivered inbox rows, create
tasks (leased to the applier when asked), timers and children, update or finish the instance
(a finished child reports to its parent), or restart it (continue_as_new).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wfctl.engine.db import Db
from wfctl.engine.history import (
    Action,
    ChildWorkflowCreated,
    CompleteWorkflow,
    CreateChildWorkflow,
    CreateTimer,
    EventSent,
    ExecutionCompleted,
    ExecutionStarted,
    HistoryEvent,
    ScheduleTask,
    SendEvent,
    TaskScheduled,
    TerminateInstance,
    TimerCreated,
    TimerFired,
    TurnResult,
    event_from_dict,
)
from wfctl.engine.instances import Instances
from wfctl.engine.items import ApplyOutcome, TaskItem, TurnItem
from wfctl.engine.manage import Manage
from wfctl.engine.queues import Queues
from wfctl.engine.schema import ACTIVE, NEVER_YEAR, dump_event, dumps, from_ts, to_ts
from wfctl.model import FailureDetails, RuntimeStatus


def sql_in(values: Sequence[object]) -> tuple[str, list[object]]:
    """``IN (...)`` for a list: plain placeholders when short (cheapest for SQLite), one JSON
    array otherwise (no limit on the number of values)."""
    if len(values) <= 32:
        return "IN (" + ",".join("?" * len(values)) + ")", list(values)
    return "IN (SELECT value FROM json_each(?))", [dumps(list(values))]


class Writes:
    """Row writes of a batch of turns, flushed with one statement per table."""

    def __init__(self) -> None:
        self.history: list[tuple[str, int, str]] = []
        self.inbox: list[int] = []
        self.updates: list[tuple[object, ...]] = []
        self.terminates: list[TerminateInstance] = []  # done after the turn's own writes

    def flush(self, c: sqlite3.Connection) -> None:
        if self.history:
            c.executemany(
                "INSERT INTO history (instance_id, seq, data) VALUES (?, ?, ?)", self.history
            )
        if self.inbox:
            where, args = sql_in(self.inbox)
            c.execute(f"DELETE FROM inbox WHERE id {where}", args)
        if self.updates:
            c.executemany(
                "UPDATE instances SET status=?, custom_status=?, updated_at=?, next_seq=?,"
                " waiting_for=?, lock_owner=NULL, lock_expires=NULL WHERE id=?",
                self.updates,
            )


@dataclass
class _Turn:
    """One turn being applied: where its writes go and what it appends."""

    c: sqlite3.Connection
    item: TurnItem
    root: str
    now: float
    ts: datetime
    lease: tuple[str, float] | None  # (owner, expiry) of its new tasks when the applier runs them
    writes: Writes
    appended: list[HistoryEvent]
    tasks: list[TaskItem] = field(default_factory=list)


class Apply:
    """apply_in (guarded by the claim), apply_one (the claim is known to hold)."""

    def __init__(self, db: Db, instances: Instances, queues: Queues, manage: Manage) -> None:
        self._db = db
        self._instances = instances
        self._queues = queues
        self._manage = manage

    def apply_in(
        self,
        c: sqlite3.Connection,
        owner: str,
        results: Sequence[tuple[TurnItem, TurnResult]],
        now: float,
        claim_tasks: bool,
        ttl: float,
    ) -> list[ApplyOutcome]:
        out: list[ApplyOutcome] = []
        for item, res in results:
            row = c.execute(
                "SELECT status, generation, next_seq, lock_owner FROM instances WHERE id=?",
                (item.instance_id,),
            ).fetchone()
            if (
                row is None
                or row[0] not in ACTIVE
                or row[3] != owner
                or row[1] != item.generation
                or row[2] != item.base_seq
            ):
                out.append(ApplyOutcome(item.instance_id, False))
                continue
            item.status = row[0]
            w = Writes()
            out.append(self.apply_one(c, owner, item, res, now, claim_tasks, ttl, w))
            w.flush(c)
            for t in w.terminates:
                self._terminate_other(c, t, now)
        return out

    def apply_one(
        self,
        c: sqlite3.Connection,
        owner: str,
        item: TurnItem,
        res: TurnResult,
        now: float,
        claim: bool,
        ttl: float,
        w: Writes,
    ) -> ApplyOutcome:
        """Apply one turn whose claim is known to hold (the caller checked)."""
        iid = item.instance_id
        root = (
            item.root_id
            or c.execute("SELECT root_id FROM instances WHERE id=?", (iid,)).fetchone()[0]
        )
        if item.status == "PENDING":
            self._db.status_changed = True
        lease = (owner, now + ttl) if claim else None
        t = _Turn(c, item, root, now, from_ts(now), lease, w, list(item.new))
        complete = self._perform(t, res.actions)
        if complete is None:
            next_seq = self._append(t)
            running = "SUSPENDED" if item.status == "SUSPENDED" else "RUNNING"
            waiting = dumps(res.waiting_for) if res.waiting_for else None
            w.updates.append((running, res.custom_status, now, next_seq, waiting, iid))
            return ApplyOutcome(iid, True, t.appended, t.tasks)
        self._db.status_changed = True
        if complete.status == RuntimeStatus.CONTINUED_AS_NEW:
            self._restart(c, item, complete, res.custom_status, now)
            return ApplyOutcome(iid, True, restarted=True)
        failure = complete.failure
        if complete.status == RuntimeStatus.FAILED and failure is None:
            failure = FailureDetails("WorkflowFailed", "the workflow failed")
        t.appended.append(
            ExecutionCompleted(
                status=complete.status,
                result=complete.result,
                failure=failure,
                action_id=complete.action_id,
                timestamp=t.ts,
            )
        )
        next_seq = self._append(t)
        self._instances.finish_in(c, iid, complete, failure, res.custom_status, now, next_seq)
        return ApplyOutcome(iid, True, t.appended, [], finished=True)

    def _perform(self, t: _Turn, actions: Sequence[Action]) -> CompleteWorkflow | None:
        """Record and carry out the turn's actions up to its CompleteWorkflow (returned)."""
        for a in actions:
            if isinstance(a, CompleteWorkflow):
                return a
            _PERFORM[type(a)](self, t, a)
        return None

    @staticmethod
    def _append(t: _Turn) -> int:
        """Number the turn's events, queue them and its consumed inbox rows; the next seq."""
        item = t.item
        for k, e in enumerate(t.appended):
            e.event_id = item.base_seq + k
        t.writes.history.extend((item.instance_id, e.event_id, dump_event(e)) for e in t.appended)
        t.writes.inbox.extend(item.inbox_ids)
        return item.base_seq + len(t.appended)

    # ------------------------------------------------------------ one method per action
    def _schedule_task(self, t: _Turn, a: ScheduleTask) -> None:
        item = t.item
        t.appended.append(
            TaskScheduled(task_id=a.task_id, name=a.name, input=a.input, timestamp=t.ts)
        )
        rowid = self._queues.add_task_in(t.c, item, t.root, a, t.now, t.lease)
        if t.lease is not None:
            t.tasks.append(
                TaskItem(rowid, item.instance_id, item.generation, a.task_id, a.name, a.input)
            )

    def _create_timer(self, t: _Turn, a: CreateTimer) -> None:
        t.appended.append(TimerCreated(task_id=a.task_id, fire_at=a.fire_at, timestamp=t.ts))
        if a.fire_at.year < NEVER_YEAR:
            fired = TimerFired(task_id=a.task_id, fire_at=a.fire_at, timestamp=a.fire_at)
            item = t.item
            self._instances.enqueue(t.c, item.instance_id, item.generation, to_ts(a.fire_at), fired)

    def _create_child(self, t: _Turn, a: CreateChildWorkflow) -> None:
        t.appended.append(
            ChildWorkflowCreated(
                task_id=a.task_id,
                name=a.name,
                instance_id=a.instance_id,
                input=a.input,
                timestamp=t.ts,
            )
        )
        item = t.item
        self._instances.start_child_in(
            t.c, item.instance_id, item.generation, t.root, a, t.now, item.app
        )

    def _send_event(self, t: _Turn, a: SendEvent) -> None:
        t.appended.append(
            EventSent(
                task_id=a.task_id,
                instance_id=a.instance_id,
                name=a.name,
                data=a.data,
                timestamp=t.ts,
            )
        )
        # An unknown or finished target drops it.
        self._manage.raise_event_in(t.c, a.instance_id, a.name, a.data, t.now)

    def _terminate(self, t: _Turn, a: TerminateInstance) -> None:
        t.writes.terminates.append(a)  # after the turn's own writes (see apply_in)

    def _terminate_other(self, c: sqlite3.Connection, a: TerminateInstance, now: float) -> None:
        """Terminate ``a``'s target if it is active (an unknown or finished one: nothing)."""
        row = c.execute("SELECT status FROM instances WHERE id=?", (a.instance_id,)).fetchone()
        if row is not None and row[0] in ACTIVE:
            self._db.status_changed = True
            self._manage.terminate_in(c, a.instance_id, a.reason, a.recursive, now)

    def _restart(
        self,
        c: sqlite3.Connection,
        item: TurnItem,
        complete: CompleteWorkflow,
        custom_status: str | None,
        now: float,
    ) -> None:
        """continue_as_new: a fresh run with the same ID; events not yet delivered survive."""
        iid, name, status, gen = item.instance_id, item.name, item.status, item.generation
        pending = c.execute(
            "SELECT data FROM inbox WHERE instance_id=? AND kind='EventRaised'"
            " AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY id",
            (iid, dumps(item.inbox_ids)),
        ).fetchall()
        parent = c.execute(
            "SELECT parent_id, parent_task_id FROM instances WHERE id=?", (iid,)
        ).fetchone()
        for table in ("history", "inbox", "tasks"):
            c.execute(f"DELETE FROM {table} WHERE instance_id=?", (iid,))
        gen += 1
        started = ExecutionStarted(
            name=name,
            input=complete.result,
            instance_id=iid,
            parent_instance_id=parent[0],
            parent_task_id=parent[1],
            timestamp=from_ts(now),
        )
        first = self._instances.enqueue(c, iid, gen, now, started)
        for ev in complete.carryover_events:
            ev.event_id = -1
            self._instances.enqueue(c, iid, gen, now, ev)
        for (data,) in pending:
            self._instances.enqueue(c, iid, gen, now, event_from_dict(json.loads(data)))
        c.execute(
            "UPDATE instances SET status=?, input=?, output=NULL, failure=NULL, custom_status=?,"
            " generation=?, next_seq=0, updated_at=?, finished_at=NULL, waiting_for=NULL,"
            " lock_owner=NULL, lock_expires=NULL, deliver_upto=? WHERE id=?",
            (
                status if status == "SUSPENDED" else "RUNNING",
                complete.result,
                custom_status,
                gen,
                now,
                first if status == "SUSPENDED" else None,
                iid,
            ),
        )


#: What each action of a turn does (CompleteWorkflow ends the turn: see Apply._perform).
_PERFORM: dict[type, Callable[[Apply, _Turn, Any], None]] = {
    ScheduleTask: Apply._schedule_task,
    CreateTimer: Apply._create_timer,
    CreateChildWorkflow: Apply._create_child,
    SendEvent: Apply._send_event,
    TerminateInstance: Apply._terminate,
}
