"""The instances part of the store: instance rows, their inbox and history as one instance
sees them (SQL only). Creating, reading and listing instances, and the in-transaction helpers
the other parts share (``*_in`` methods and :meth:`Instances.enqueue` take the open
connection of the caller's transaction).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timezone

from wfctl.engine.db import Db
from wfctl.engine.history import (
    ChildWorkflowCompleted,
    ChildWorkflowFailed,
    CompleteWorkflow,
    CreateChildWorkflow,
    ExecutionStarted,
    HistoryEvent,
    event_from_dict,
)
from wfctl.engine.items import StartRequest
from wfctl.engine.schema import ACTIVE, ACTIVE_SQL, from_ts, to_ts
from wfctl.engine.schema import dump_event as _ev
from wfctl.engine.schema import dumps as _j
from wfctl.model import ConflictError, FailureDetails, RuntimeStatus, WorkflowState

#: The columns :func:`state_of` reads, in order.
STATE_COLS = "id, name, status, created_at, updated_at, input, output, custom_status, failure"


def state_of(row: tuple, payloads: bool = True) -> WorkflowState:
    """A :class:`WorkflowState` from a row of :data:`STATE_COLS`."""
    failure = None
    if row[8]:
        failure = FailureDetails(**json.loads(row[8]))
    return WorkflowState(
        instance_id=row[0],
        name=row[1],
        runtime_status=RuntimeStatus(row[2]),
        created_at=from_ts(row[3]).replace(tzinfo=timezone.utc),
        last_updated_at=from_ts(row[4]).replace(tzinfo=timezone.utc),
        serialized_input=row[5] if payloads else None,
        serialized_output=row[6] if payloads else None,
        serialized_custom_status=row[7],
        failure=failure,
    )


def failure_json(f: FailureDetails | None) -> str | None:
    return None if f is None else _j(asdict(f))


class Instances:
    """Instance rows: create, read, list; the helpers other parts use inside their writes."""

    def __init__(self, db: Db) -> None:
        self._db = db

    # ------------------------------------------------------------------ registry names
    def register_workflows(self, names: Sequence[str]) -> None:
        """Record the workflow names an app registers (for completion without the app)."""
        known = {r[0] for r in self._db.read("SELECT name FROM workflows")}
        fresh = [n for n in names if n not in known]
        if fresh:
            with self._db.write() as c:
                now = self._db.clock()
                c.executemany(
                    "INSERT OR IGNORE INTO workflows (name, registered_at) VALUES (?, ?)",
                    [(n, now) for n in fresh],
                )

    def workflow_names(self) -> list[str]:
        return [r[0] for r in self._db.read("SELECT name FROM workflows ORDER BY name")]

    # ------------------------------------------------------------------ create
    def create_instance(
        self,
        instance_id: str,
        name: str,
        input: str | None = None,
        *,
        start_at: datetime | None = None,
        app: str | None = None,
    ) -> None:
        """Record a new PENDING instance with its ExecutionStarted in the inbox (visible at
        ``start_at``), owned by ``app`` (an app identity; None: by any engine that knows
        the workflow name). A finished instance with that ID is replaced; an active one is
        a ConflictError."""
        with self._db.write() as c:
            self.create_in(c, instance_id, name, input, start_at, self._db.clock(), app)

    def create_in(
        self,
        c: sqlite3.Connection,
        instance_id: str,
        name: str,
        input: str | None,
        start_at: datetime | None,
        now: float,
        app: str | None = None,
    ) -> None:
        row = c.execute("SELECT status FROM instances WHERE id=?", (instance_id,)).fetchone()
        if row is not None:
            if row[0] in ACTIVE:
                raise ConflictError(
                    f"an active instance with ID {instance_id!r} exists ({row[0]}): "
                    "terminate it first or choose another ID"
                )
            self.delete_in(c, [instance_id])
        self._db.status_changed = True
        self.insert_in(c, instance_id, name, input, now, start_at, None, None, None, app)

    def starts_in(self, c: sqlite3.Connection, starts: Sequence[StartRequest], now: float) -> None:
        """Record start requests in the caller's transaction, each with its own app; a
        ConflictError lands in the request's ``error``."""
        for r in starts:
            try:
                self.create_in(c, r.instance_id, r.name, r.input, r.start_at, now, r.app)
            except ConflictError as exc:
                r.error = exc

    def insert_in(
        self,
        c: sqlite3.Connection,
        iid: str,
        name: str,
        input: str | None,
        now: float,
        start_at: datetime | None,
        parent_id: str | None,
        parent_task_id: int | None,
        root_id: str | None,
        app: str | None = None,
    ) -> None:
        c.execute(
            "INSERT INTO instances (id, name, status, created_at, updated_at, input, parent_id,"
            " parent_task_id, root_id, app) VALUES (?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?)",
            (iid, name, now, now, input, parent_id, parent_task_id, root_id or iid, app),
        )
        started = ExecutionStarted(
            name=name,
            input=input,
            instance_id=iid,
            parent_instance_id=parent_id,
            parent_task_id=parent_task_id,
            scheduled_start=start_at,
            timestamp=from_ts(now),
        )
        visible = now if start_at is None else to_ts(start_at)
        self.enqueue(c, iid, 0, visible, started)

    def start_child_in(
        self,
        c: sqlite3.Connection,
        parent: str,
        parent_gen: int,
        root: str,
        a: CreateChildWorkflow,
        now: float,
        app: str | None = None,
    ) -> None:
        """Start child ``a`` of ``parent``; it belongs to the parent's app."""
        row = c.execute("SELECT status FROM instances WHERE id=?", (a.instance_id,)).fetchone()
        if row is not None and row[0] in ACTIVE:
            failure = FailureDetails(
                "ConflictError", f"an active instance with ID {a.instance_id!r} exists"
            )
            ev = ChildWorkflowFailed(task_id=a.task_id, failure=failure, timestamp=from_ts(now))
            self.enqueue(c, parent, parent_gen, now, ev)
            return
        if row is not None:
            self.delete_in(c, [a.instance_id])
        self.insert_in(c, a.instance_id, a.name, a.input, now, None, parent, a.task_id, root, app)

    def finish_in(
        self,
        c: sqlite3.Connection,
        iid: str,
        complete: CompleteWorkflow,
        failure: FailureDetails | None,
        custom_status: str | None,
        now: float,
        next_seq: int,
    ) -> None:
        """End the instance as ``complete`` says: its queued events and tasks go, and a
        parent waiting for it gets the result (or failure)."""
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
                custom_status,
                now,
                now,
                next_seq,
                iid,
            ),
        )
        if complete.status == RuntimeStatus.COMPLETED:
            self.report_to_parent_in(c, iid, complete.result, None, now)
        else:
            self.report_to_parent_in(c, iid, None, failure, now)

    def report_to_parent_in(
        self,
        c: sqlite3.Connection,
        iid: str,
        result: str | None,
        failure: FailureDetails | None,
        now: float,
    ) -> None:
        """Queue a finished child's result (or failure) for its parent, if that is active."""
        row = c.execute(
            "SELECT p.id, p.generation, i.parent_task_id FROM instances i"
            f" JOIN instances p ON p.id = i.parent_id WHERE i.id=? AND p.status IN {ACTIVE_SQL}",
            (iid,),
        ).fetchone()
        if row is None:
            return
        ts = from_ts(now)
        ev: HistoryEvent
        if failure is not None:
            ev = ChildWorkflowFailed(task_id=row[2], failure=failure, timestamp=ts)
        else:
            ev = ChildWorkflowCompleted(task_id=row[2], result=result, timestamp=ts)
        self.enqueue(c, row[0], row[1], now, ev)

    @staticmethod
    def enqueue(
        c: sqlite3.Connection, iid: str, generation: int, visible: float, event: HistoryEvent
    ) -> int:
        """Queue ``event`` in the instance's inbox, visible at ``visible``; the row's id."""
        cur = c.execute(
            "INSERT INTO inbox (instance_id, generation, visible_at, kind, data)"
            " VALUES (?, ?, ?, ?, ?)",
            (iid, generation, visible, event.TYPE, _ev(event)),
        )
        return int(cur.lastrowid or 0)

    @staticmethod
    def delete_in(c: sqlite3.Connection, ids: Sequence[str]) -> None:
        """Delete instances with their history, inbox and tasks."""
        arg = (_j(list(ids)),)
        for table, col in (
            ("history", "instance_id"),
            ("inbox", "instance_id"),
            ("tasks", "instance_id"),
            ("instances", "id"),
        ):
            c.execute(f"DELETE FROM {table} WHERE {col} IN (SELECT value FROM json_each(?))", arg)

    # ------------------------------------------------------------------ read
    def get_state(self, instance_id: str) -> WorkflowState | None:
        """The instance's state, or None when there is none."""
        rows = self._db.read(f"SELECT {STATE_COLS} FROM instances WHERE id=?", (instance_id,))
        return state_of(rows[0]) if rows else None

    def get_statuses(self, ids: Sequence[str]) -> dict[str, RuntimeStatus]:
        """Status of each known instance among ``ids`` (unknown ones are left out)."""
        rows = self._db.read(
            "SELECT id, status FROM instances WHERE id IN (SELECT value FROM json_each(?))",
            (_j(list(ids)),),
        )
        return {r[0]: RuntimeStatus(r[1]) for r in rows}

    def app_of(self, instance_id: str) -> str | None:
        """The identity of the app that owns the instance (None: any app, or no instance)."""
        rows = self._db.read("SELECT app FROM instances WHERE id=?", (instance_id,))
        return rows[0][0] if rows else None

    def waiting_for(self, instance_id: str) -> list[str]:
        """The case-folded event names the instance's last turn said it waits for."""
        rows = self._db.read("SELECT waiting_for FROM instances WHERE id=?", (instance_id,))
        return json.loads(rows[0][0]) if rows and rows[0][0] else []

    def list_instances(
        self,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        name: str | None = None,
        max_age: float | None = None,
        limit: int | None = None,
        payloads: bool = False,
    ) -> list[WorkflowState]:
        """Instances newest first, filtered by status, name and age (seconds since created).
        One indexed query per status (then merged), so each stays fast on big files."""
        if len(statuses) > 1:
            rows: list[tuple] = []
            for st in dict.fromkeys(statuses):
                rows += self._list_rows(st, name, max_age, limit)
            rows.sort(key=lambda r: (r[3], r[-1]), reverse=True)
            rows = rows[:limit] if limit is not None else rows
        else:
            rows = self._list_rows(statuses[0] if statuses else None, name, max_age, limit)
        return [state_of(r, payloads) for r in rows]

    def _list_rows(
        self,
        status: RuntimeStatus | None,
        name: str | None,
        max_age: float | None,
        limit: int | None,
    ) -> list[tuple]:
        where: list[str] = []
        args: list[object] = []
        if status is not None:
            where.append("status = ?")
            args.append(status.value)
        if name is not None:
            where.append("name = ?")
            args.append(name)
        if max_age is not None:
            where.append("created_at >= ?")
            args.append(self._db.clock() - max_age)
        sql = f"SELECT {STATE_COLS}, rowid FROM instances"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at DESC, rowid DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(min(int(limit), 2**63 - 1))  # past it SQLite cannot bind the number
        return self._db.read(sql, args)

    def history(self, instance_id: str) -> list[HistoryEvent] | None:
        """The instance's committed history in order; None when there is no such instance."""
        if not self._db.read("SELECT 1 FROM instances WHERE id=?", (instance_id,)):
            return None
        return self.load_history(instance_id)

    def load_history(self, iid: str) -> list[HistoryEvent]:
        """The committed history of an instance known to exist."""
        rows = self._db.read("SELECT data FROM history WHERE instance_id=? ORDER BY seq", (iid,))
        return [event_from_dict(json.loads(r[0])) for r in rows]
