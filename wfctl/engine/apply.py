"""Applying a workflow turn's result (SQL only): the dispatcher's write side.

:class:`Apply` is a helper of :class:`wfctl.engine.dispatch.Dispatch`, which calls it inside
its own transactions: append the turn's history, consume the delivered inbox rows, create
tasks (leased to the applier when asked), timers and children, update or finish the instance
(a finished child reports to its parent), or restart it (continue_as_new).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from wfctl.engine.db import Db
from wfctl.engine.history import (
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
from wfctl.engine.instances import Instances, failure_json
from wfctl.engine.items import ApplyOutcome, TaskItem, TurnItem
from wfctl.engine.manage import Manage
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


class Apply:
    """apply_in (guarded by the claim), apply_one (the claim is known to hold)."""

    def __init__(self, db: Db, instances: Instances, manage: Manage) -> None:
        self._db = db
        self._instances = instances
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
        status, gen, name = item.status, item.generation, item.name
        root = (
            item.root_id
            or c.execute("SELECT root_id FROM instances WHERE id=?", (iid,)).fetchone()[0]
        )
        if status == "PENDING":
            self._db.status_changed = True
        ts = from_ts(now)
        appended: list[HistoryEvent] = list(item.new)
        tasks: list[TaskItem] = []
        complete: CompleteWorkflow | None = None
        for a in res.actions:
            if isinstance(a, ScheduleTask):
                appended.append(
                    TaskScheduled(task_id=a.task_id, name=a.name, input=a.input, timestamp=ts)
                )
                cur = c.execute(
                    "INSERT INTO tasks (instance_id, root_id, generation, task_id, name, input,"
                    " created_at, lock_owner, lock_expires, app)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        iid,
                        root,
                        gen,
                        a.task_id,
                        a.name,
                        a.input,
                        now,
                        owner if claim else None,
                        now + ttl if claim else None,
                        item.app,
                    ),
                )
                if claim:
                    tasks.append(
                        TaskItem(int(cur.lastrowid or 0), iid, gen, a.task_id, a.name, a.input)
                    )
            elif isinstance(a, CreateTimer):
                appended.append(TimerCreated(task_id=a.task_id, fire_at=a.fire_at, timestamp=ts))
                if a.fire_at.year < NEVER_YEAR:
                    fired = TimerFired(task_id=a.task_id, fire_at=a.fire_at, timestamp=a.fire_at)
                    self._instances.enqueue(c, iid, gen, to_ts(a.fire_at), fired)
            elif isinstance(a, CreateChildWorkflow):
                appended.append(
                    ChildWorkflowCreated(
                        task_id=a.task_id,
                        name=a.name,
                        instance_id=a.instance_id,
                        input=a.input,
                        timestamp=ts,
                    )
                )
                self._instances.start_child_in(c, iid, gen, root, a, now, item.app)
            elif isinstance(a, SendEvent):
                appended.append(
                    EventSent(
                        task_id=a.task_id,
                        instance_id=a.instance_id,
                        name=a.name,
                        data=a.data,
                        timestamp=ts,
                    )
                )
                # An unknown or finished target drops it.
                self._manage.raise_event_in(c, a.instance_id, a.name, a.data, now)
            elif isinstance(a, TerminateInstance):
                w.terminates.append(a)
            elif isinstance(a, CompleteWorkflow):
                complete = a
                break
        if complete is not None:
            self._db.status_changed = True
        if complete is not None and complete.status == RuntimeStatus.CONTINUED_AS_NEW:
            self._restart(c, iid, name, status, gen, item, complete, res.custom_status, now)
            return ApplyOutcome(iid, True, restarted=True)
        if complete is not None:
            failure = complete.failure
            if complete.status == RuntimeStatus.FAILED and failure is None:
                failure = FailureDetails("WorkflowFailed", "the workflow failed")
            appended.append(
                ExecutionCompleted(
                    status=complete.status,
                    result=complete.result,
                    failure=failure,
                    action_id=complete.action_id,
                    timestamp=ts,
                )
            )
        for k, e in enumerate(appended):
            e.event_id = item.base_seq + k
        w.history.extend((iid, e.event_id, dump_event(e)) for e in appended)
        w.inbox.extend(item.inbox_ids)
        next_seq = item.base_seq + len(appended)
        if complete is None:
            w.updates.append(
                (
                    "SUSPENDED" if status == "SUSPENDED" else "RUNNING",
                    res.custom_status,
                    now,
                    next_seq,
                    dumps(res.waiting_for) if res.waiting_for else None,
                    iid,
                )
            )
            return ApplyOutcome(iid, True, appended, tasks)
        c.execute("DELETE FROM inbox WHERE instance_id=?", (iid,))
        c.execute("DELETE FROM tasks WHERE instance_id=?", (iid,))
        c.execute(
            "UPDATE instances SET status=?, output=?, failure=?, custom_status=?, updated_at=?,"
            " finished_at=?,"
            " next_seq=?, waiting_for=NULL, deliver_upto=NULL, lock_owner=NULL,"
            " lock_expires=NULL WHERE id=?",
            (
                complete.status.value,
                complete.result,
                failure_json(failure),
                res.custom_status,
                now,
                now,
                next_seq,
                iid,
            ),
        )
        ok = complete.status == RuntimeStatus.COMPLETED
        self._instances.report_to_parent_in(
            c, iid, complete.result if ok else None, None if ok else failure, now
        )
        return ApplyOutcome(iid, True, appended, [], finished=True)

    def _terminate_other(self, c: sqlite3.Connection, a: TerminateInstance, now: float) -> None:
        """Terminate ``a``'s target if it is active (an unknown or finished one: nothing)."""
        row = c.execute("SELECT status FROM instances WHERE id=?", (a.instance_id,)).fetchone()
        if row is not None and row[0] in ACTIVE:
            self._db.status_changed = True
            self._manage.terminate_in(c, a.instance_id, a.reason, a.recursive, now)

    def _restart(
        self,
        c: sqlite3.Connection,
        iid: str,
        name: str,
        status: str,
        gen: int,
        item: TurnItem,
        complete: CompleteWorkflow,
        custom_status: str | None,
        now: float,
    ) -> None:
        """continue_as_new: a fresh run with the same ID; events not yet delivered survive."""
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
