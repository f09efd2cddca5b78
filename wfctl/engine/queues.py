"""Activity-task queue and progress queries of the store (SQL only).

A part of :class:`wfctl.engine.store.Store` (``store.queues``). Tasks carry their own lease;
an outcome is recorded only while its task row is still leased to the recorder, so it is
recorded once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from wfctl.engine.db import Db
from wfctl.engine.history import HistoryEvent, ScheduleTask, TaskCompleted, TaskFailed
from wfctl.engine.instances import Instances
from wfctl.engine.items import TaskItem, TaskOutcome, TurnItem
from wfctl.engine.schema import (
    ACTIVE_SQL,
    DEFAULT_TTL,
    DELIVERABLE_SQL,
    dumps,
    from_ts,
    instance_filters,
)

# Queries join from the inbox (CROSS JOIN fixes that order): their cost follows the events
# that are visible or due, never the number of active instances.


class Queues:
    """claim_tasks, complete_tasks; roots_of, busy, next_due, due_timer_roots."""

    def __init__(self, db: Db, instances: Instances) -> None:
        self._db = db
        self._instances = instances

    # ------------------------------------------------------------------ activity tasks
    @staticmethod
    def add_task_in(
        c: sqlite3.Connection,
        item: TurnItem,
        root: str,
        a: ScheduleTask,
        now: float,
        lease: tuple[str, float] | None,
    ) -> int:
        """Queue activity ``a`` of ``item``'s turn (leased to ``lease``'s owner until its
        expiry when given, so that owner runs it at once); the task row's id."""
        owner, expires = lease if lease is not None else (None, None)
        cur = c.execute(
            "INSERT INTO tasks (instance_id, root_id, generation, task_id, name, input,"
            " created_at, lock_owner, lock_expires, app)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item.instance_id,
                root,
                item.generation,
                a.task_id,
                a.name,
                a.input,
                now,
                owner,
                expires,
                item.app,
            ),
        )
        return int(cur.lastrowid or 0)

    def claim_tasks(
        self,
        owner: str,
        *,
        limit: int = 8,
        roots: Sequence[str] | None = None,
        ttl: float = DEFAULT_TTL,
        activities: Sequence[str] | None = None,
        app: str | None = None,
    ) -> list[TaskItem]:
        """Lease up to ``limit`` activity tasks nobody holds (or whose lease expired), only
        in the families of ``roots``, of the ``activities`` names, and of instances owned by
        ``app`` or by no app, if given."""
        if limit <= 0:
            return []
        sql = (
            "SELECT id, instance_id, generation, task_id, name, input FROM tasks"
            " WHERE (lock_owner IS NULL OR lock_expires < ?)"
        )
        args: list[object] = [self._db.clock()]
        sql, args = _task_filters(sql, args, roots, activities, app)
        sql += " ORDER BY id LIMIT ?"
        args.append(limit)
        if not self._db.read(sql, args):
            return []
        with self._db.write() as c:
            now = self._db.clock()
            args[0] = now
            rows = c.execute(sql, args).fetchall()
            c.execute(
                "UPDATE tasks SET lock_owner=?, lock_expires=?"
                " WHERE id IN (SELECT value FROM json_each(?))",
                (owner, now + ttl, dumps([r[0] for r in rows])),
            )
        return [TaskItem(*r) for r in rows]

    def complete_tasks(self, owner: str, outcomes: Sequence[TaskOutcome]) -> int:
        """Record activity outcomes in one transaction: each task row is deleted and its
        result queued for its instance, only if ``owner`` still holds the task's lease and
        the instance's run is still active. Returns how many were recorded."""
        if not outcomes:
            return 0
        with self._db.write() as c:
            return self.complete_in(c, owner, outcomes, self._db.clock())

    def complete_in(
        self,
        c: sqlite3.Connection,
        owner: str,
        outcomes: Sequence[TaskOutcome],
        now: float,
        direct: dict[str, list[tuple[int, HistoryEvent]]] | None = None,
    ) -> int:
        """Record outcomes; with ``direct``, their events are collected there (by instance)
        for a claim in the same transaction instead of going through the inbox."""
        done = 0
        ts = from_ts(now)
        for o in outcomes:
            it = o.item
            # Finishing, terminating or restarting a run deletes its task rows, so a row
            # still leased to us means its run is active.
            cur = c.execute(
                "DELETE FROM tasks WHERE id=? AND lock_owner=? AND instance_id=?"
                " AND generation=? AND task_id=?",
                (it.id, owner, it.instance_id, it.generation, it.task_id),
            )
            if cur.rowcount == 0:
                continue
            ev: HistoryEvent
            if o.failure is not None:
                ev = TaskFailed(task_id=it.task_id, failure=o.failure, timestamp=ts)
            else:
                ev = TaskCompleted(task_id=it.task_id, result=o.result, timestamp=ts)
            if direct is not None:
                direct.setdefault(it.instance_id, []).append((it.generation, ev))
            else:
                self._instances.enqueue(c, it.instance_id, it.generation, now, ev)
            done += 1
        return done

    # ------------------------------------------------------------------ progress queries
    def roots_of(self, ids: Sequence[str]) -> list[str]:
        """The family roots (top-level ancestors) of the given instances."""
        rows = self._db.read(
            "SELECT DISTINCT root_id FROM instances WHERE id IN (SELECT value FROM json_each(?))",
            (dumps(list(ids)),),
        )
        return [r[0] for r in rows]

    def busy(
        self,
        roots: Sequence[str] | None = None,
        *,
        workflows: Sequence[str] | None = None,
        activities: Sequence[str] | None = None,
        app: str | None = None,
    ) -> bool:
        """Whether any active instance (in these families; of these workflow names; owned by
        ``app`` or by no app) has a deliverable event, or an activity task (of these names)
        is outstanding: i.e. whether driving would make progress."""
        sql = (
            "SELECT 1 FROM inbox b CROSS JOIN instances i ON i.id = b.instance_id"
            f" WHERE {DELIVERABLE_SQL}"
        )
        args: list[object] = [self._db.clock()]
        fsql, fargs = instance_filters(roots, workflows, app)
        sql += fsql
        args += fargs
        if self._db.read(sql + " LIMIT 1", args):
            return True
        tsql, targs = _task_filters("SELECT 1 FROM tasks WHERE 1", [], roots, activities, app)
        return bool(self._db.read(tsql + " LIMIT 1", targs))

    def next_due(
        self,
        roots: Sequence[str] | None = None,
        *,
        workflows: Sequence[str] | None = None,
        app: str | None = None,
    ) -> float | None:
        """The earliest future time (epoch seconds) an inbox row becomes visible, or None
        (filters as for :meth:`busy`)."""
        sql = (
            "SELECT b.visible_at FROM inbox b CROSS JOIN instances i ON i.id = b.instance_id"
            f" WHERE b.visible_at > ? AND i.status IN {ACTIVE_SQL}"
        )
        args: list[object] = [self._db.clock()]
        fsql, fargs = instance_filters(roots, workflows, app)
        sql += fsql
        args += fargs
        row = self._db.read(sql + " ORDER BY b.visible_at LIMIT 1", args)
        return row[0][0] if row else None

    def due_timer_roots(
        self,
        *,
        workflows: Sequence[str] | None = None,
        limit: int = 1000,
        app: str | None = None,
    ) -> list[str]:
        """Families with a timer or a delayed start that has fallen due (of instances of
        these workflow names, owned by ``app`` or by no app, if given)."""
        sql = (
            "SELECT DISTINCT i.root_id FROM inbox b CROSS JOIN instances i ON i.id = b.instance_id"
            f" WHERE {DELIVERABLE_SQL} AND (b.kind = 'TimerFired'"
            " OR (b.kind = 'ExecutionStarted' AND b.visible_at > i.created_at))"
        )
        args: list[object] = [self._db.clock()]
        fsql, fargs = instance_filters(None, workflows, app)
        sql += fsql
        args += fargs
        return [r[0] for r in self._db.read(sql + " LIMIT ?", [*args, limit])]


def _task_filters(
    sql: str,
    args: list[object],
    roots: Sequence[str] | None,
    activities: Sequence[str] | None,
    app: str | None = None,
) -> tuple[str, list[object]]:
    fsql, fargs = instance_filters(roots, activities, app, alias="")
    return sql + fsql, args + fargs
