"""Management operations of the store: events, pause/resume, terminate, purge, rerun (SQL
only; what a rerun keeps is planned in :mod:`wfctl.engine.rerun`).

A part of :class:`wfctl.engine.store.Store` (``store.manage``). Each method is one write
transaction and takes effect at once (pause: SUSPENDED at once, the instance's later events
wait in the inbox).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from wfctl.engine.db import Db

if TYPE_CHECKING:
    from wfctl.engine.rerun import RerunPlan
from wfctl.engine.history import (
    EventRaised,
    ExecutionResumed,
    ExecutionSuspended,
    ExecutionTerminated,
    event_from_dict,
)
from wfctl.engine.instances import Instances
from wfctl.engine.schema import ACTIVE, ACTIVE_SQL, NEVER_YEAR, TERMINAL_VALUES, from_ts, to_ts
from wfctl.engine.schema import dump_event as _ev
from wfctl.engine.schema import dumps as _j
from wfctl.model import (
    TERMINAL_STATUSES,
    ConflictError,
    FailureDetails,
    NotFoundError,
    RuntimeStatus,
)


class Manage:
    """raise_event, suspend, resume, terminate, purge, purge_older_than, rerun."""

    def __init__(self, db: Db, instances: Instances) -> None:
        self._db = db
        self._instances = instances

    def raise_event(self, instance_id: str, name: str, data: str | None = None) -> bool | None:
        """Queue an external event. None: no such instance; False: finished, dropped."""
        with self._db.write() as c:
            return self.raise_event_in(c, instance_id, name, data, self._db.clock())

    def raise_event_in(
        self, c: sqlite3.Connection, instance_id: str, name: str, data: str | None, now: float
    ) -> bool | None:
        """:meth:`raise_event` in the caller's transaction."""
        row = c.execute(
            "SELECT status, generation FROM instances WHERE id=?", (instance_id,)
        ).fetchone()
        if row is None:
            return None
        if row[0] not in ACTIVE:
            return False
        ev = EventRaised(name=name, data=data, timestamp=from_ts(now))
        self._instances.enqueue(c, instance_id, row[1], now, ev)
        return True

    def suspend(self, instance_id: str, reason: str | None = None) -> RuntimeStatus | None:
        """SUSPENDED at once; until resumed, only events queued before the pause are
        delivered. A finished instance is left alone. Returns the status after, or None."""
        with self._db.write() as c:
            self._db.status_changed = True
            row = c.execute(
                "SELECT status, generation FROM instances WHERE id=?", (instance_id,)
            ).fetchone()
            if row is None:
                return None
            if row[0] not in ("PENDING", "RUNNING"):
                return RuntimeStatus(row[0])
            now = self._db.clock()
            box = self._instances.enqueue(
                c,
                instance_id,
                row[1],
                now,
                ExecutionSuspended(reason=reason, timestamp=from_ts(now)),
            )
            c.execute(
                "UPDATE instances SET status='SUSPENDED', deliver_upto=?, updated_at=? WHERE id=?",
                (box, now, instance_id),
            )
            return RuntimeStatus.SUSPENDED

    def resume(self, instance_id: str, reason: str | None = None) -> RuntimeStatus | None:
        """RUNNING again at once (PENDING if it never started); queued events flow in order."""
        with self._db.write() as c:
            self._db.status_changed = True
            row = c.execute(
                "SELECT status, generation, next_seq FROM instances WHERE id=?", (instance_id,)
            ).fetchone()
            if row is None:
                return None
            if row[0] != "SUSPENDED":
                return RuntimeStatus(row[0])
            now = self._db.clock()
            ev = ExecutionResumed(reason=reason, timestamp=from_ts(now))
            self._instances.enqueue(c, instance_id, row[1], now, ev)
            status = "RUNNING" if row[2] > 0 else "PENDING"
            c.execute(
                "UPDATE instances SET status=?, deliver_upto=NULL, updated_at=? WHERE id=?",
                (status, now, instance_id),
            )
            return RuntimeStatus(status)

    def terminate(
        self, instance_id: str, output: str | None = None, *, recursive: bool = True
    ) -> RuntimeStatus | None:
        """End an active instance as TERMINATED (its active children too, when recursive); a
        terminated child is reported to its parent as failed. A finished one is untouched."""
        with self._db.write() as c:
            self._db.status_changed = True
            row = c.execute("SELECT status FROM instances WHERE id=?", (instance_id,)).fetchone()
            if row is None:
                return None
            if row[0] not in ACTIVE:
                return RuntimeStatus(row[0])
            self.terminate_in(c, instance_id, output, recursive, self._db.clock())
            return RuntimeStatus.TERMINATED

    def terminate_in(
        self, c: sqlite3.Connection, iid: str, output: str | None, recursive: bool, now: float
    ) -> None:
        """Terminate the active instance ``iid`` in the caller's transaction (see
        :meth:`terminate`)."""
        row = c.execute("SELECT next_seq FROM instances WHERE id=?", (iid,)).fetchone()
        ev = ExecutionTerminated(
            output=output, recursive=recursive, timestamp=from_ts(now), event_id=row[0]
        )
        c.execute(
            "INSERT INTO history (instance_id, seq, data) VALUES (?, ?, ?)", (iid, row[0], _ev(ev))
        )
        c.execute("DELETE FROM inbox WHERE instance_id=?", (iid,))
        c.execute("DELETE FROM tasks WHERE instance_id=?", (iid,))
        c.execute(
            "UPDATE instances SET status='TERMINATED', output=?, updated_at=?, finished_at=?,"
            " next_seq=next_seq+1,"
            " lock_owner=NULL, lock_expires=NULL, waiting_for=NULL, deliver_upto=NULL WHERE id=?",
            (output, now, now, iid),
        )
        failure = FailureDetails(
            error_type="WorkflowTerminated", message=f"child workflow {iid!r} was terminated"
        )
        self._instances.report_to_parent_in(c, iid, None, failure, now)
        if recursive:
            kids = c.execute(
                f"SELECT id FROM instances WHERE parent_id=? AND status IN {ACTIVE_SQL}", (iid,)
            ).fetchall()
            for (kid,) in kids:
                self.terminate_in(c, kid, None, True, now)

    def _family(self, c: sqlite3.Connection, iid: str) -> list[tuple[str, str]]:
        return c.execute(
            "WITH RECURSIVE d(id) AS (SELECT ? UNION SELECT i.id FROM instances i"
            " JOIN d ON i.parent_id = d.id) SELECT i.id, i.status FROM d"
            " JOIN instances i ON i.id = d.id",
            (iid,),
        ).fetchall()

    def purge(self, instance_id: str, *, recursive: bool = True) -> bool:
        """Delete a finished instance and its finished descendants (history, inbox, tasks);
        only the instance itself when not ``recursive``. False when there is no such
        instance; ConflictError when it is still active."""
        with self._db.write() as c:
            self._db.status_changed = True
            row = c.execute("SELECT status FROM instances WHERE id=?", (instance_id,)).fetchone()
            if row is None:
                return False
            if row[0] in ACTIVE:
                raise ConflictError(
                    f"instance {instance_id!r} is {row[0]}: only finished instances can be "
                    "purged (terminate it first)"
                )
            if recursive:
                ids = [i for i, s in self._family(c, instance_id) if s not in ACTIVE]
            else:
                ids = [instance_id]
            self._instances.delete_in(c, ids)
            return True

    def purge_older_than(
        self,
        older_than: float,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        dry_run: bool = False,
        batch_size: int = 2000,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[str]:
        """Purge finished instances (only the given terminal statuses, if any) last updated
        more than ``older_than`` seconds ago, ``batch_size`` per transaction; return their IDs.
        ``progress(done, total)`` is called after each batch."""
        wanted = [s.value for s in statuses if s in TERMINAL_STATUSES] if statuses else None
        if wanted is None:
            wanted = list(TERMINAL_VALUES)
        cutoff = self._db.clock() - older_than
        sel = (
            "SELECT id FROM instances WHERE finished_at < ?"
            " AND status IN (SELECT value FROM json_each(?))"
        )
        args: list[object] = [cutoff, _j(wanted)]
        if dry_run:
            return [r[0] for r in self._db.read(sel + " ORDER BY finished_at", args)]
        total = self._db.read(sel.replace("SELECT id", "SELECT count(*)"), args)[0][0]
        done: list[str] = []
        while True:
            with self._db.write() as c:
                ids = [r[0] for r in c.execute(sel + " LIMIT ?", [*args, batch_size])]
                if ids:
                    self._instances.delete_in(c, ids)
            done.extend(ids)
            if progress is not None and ids:
                progress(len(done), max(total, len(done)))
            if len(ids) < batch_size:
                return done

    def rerun(
        self,
        source_id: str,
        event_id: int,
        *,
        new_instance_id: str | None = None,
        new_input: str | None = None,
        overwrite_input: bool = False,
    ) -> str:
        """Start a new instance (``new_instance_id``, or a new dashed UUIDv4 as daprd makes
        them) that keeps the finished instance ``source_id``'s history up to Durable Task event
        ``event_id`` (an activity's TaskScheduled, or a root workflow's ChildWorkflowCreated)
        and runs on from there; with ``overwrite_input`` that step gets ``new_input``. The
        source is untouched; the new instance belongs to its app. Returns the new ID.
        NotFoundError: no source; ConflictError: the source is not finished, or the new ID is
        the source's or taken; UsageError: the event is not one to rerun from (see
        :mod:`wfctl.engine.rerun`)."""
        from wfctl.engine.rerun import plan_rerun
        from wfctl.ids import check_new_instance_id

        if new_instance_id is None:
            from wfctl.ids import new_instance_id as make_id

            new_instance_id = make_id()
        check_new_instance_id(new_instance_id)
        new = new_instance_id
        with self._db.write() as c:
            name, input, parent, app = self._rerun_source(c, source_id, new)
            events = [
                event_from_dict(json.loads(d))
                for (d,) in c.execute(
                    "SELECT data FROM history WHERE instance_id=? ORDER BY seq", (source_id,)
                )
            ]
            plan = plan_rerun(
                events,
                event_id,
                source_id=source_id,
                new_id=new,
                root=parent is None,
                new_input=new_input,
                overwrite_input=overwrite_input,
            )
            self._start_rerun(c, new, name, input, app, plan)
            return new

    @staticmethod
    def _rerun_source(
        c: sqlite3.Connection, source_id: str, new: str
    ) -> tuple[str, str | None, str | None, str | None]:
        """(name, input, parent ID, app) of a finished ``source_id`` that may be rerun as
        ``new``; NotFoundError or ConflictError saying why it may not."""
        row = c.execute(
            "SELECT name, status, input, parent_id, app FROM instances WHERE id=?",
            (source_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no workflow instance with ID {source_id!r}")
        name, status, input, parent, app = row
        if status in ACTIVE:
            raise ConflictError(
                f"instance {source_id!r} is {status}: only a finished instance can be"
                " rerun (wait for it, or terminate it first)"
            )
        if new == source_id:
            raise ConflictError(
                f"the rerun's new instance ID must differ from the source {source_id!r}"
            )
        taken = c.execute("SELECT status FROM instances WHERE id=?", (new,)).fetchone()
        if taken is not None:
            raise ConflictError(
                f"an instance with ID {new!r} exists ({taken[0]}): choose another new ID"
                " (or purge it first)"
            )
        return name, input, parent, app

    def _start_rerun(
        self,
        c: sqlite3.Connection,
        new: str,
        name: str,
        input: str | None,
        app: str | None,
        plan: RerunPlan,
    ) -> None:
        """Write instance ``new`` as ``plan`` has it: the kept history, then its open
        activities, timers and children queued again."""
        from wfctl.engine.history import CreateChildWorkflow, TimerFired

        now = self._db.clock()
        self._db.status_changed = True
        c.execute(
            "INSERT INTO instances (id, name, status, created_at, updated_at, input,"
            " root_id, next_seq, app) VALUES (?, ?, 'RUNNING', ?, ?, ?, ?, ?, ?)",
            (new, name, now, now, input, new, len(plan.history), app),
        )
        c.executemany(
            "INSERT INTO history (instance_id, seq, data) VALUES (?, ?, ?)",
            [(new, e.event_id, _ev(e)) for e in plan.history],
        )
        c.executemany(
            "INSERT INTO tasks (instance_id, root_id, generation, task_id, name, input,"
            " created_at, app) VALUES (?, ?, 0, ?, ?, ?, ?, ?)",
            [(new, new, t.task_id, t.name, t.input, now, app) for t in plan.tasks],
        )
        for t in plan.timers:
            if t.fire_at.year < NEVER_YEAR:
                fired = TimerFired(task_id=t.task_id, fire_at=t.fire_at, timestamp=t.fire_at)
                self._instances.enqueue(c, new, 0, to_ts(t.fire_at), fired)
        for k in plan.children:
            a = CreateChildWorkflow(k.task_id, k.name, k.instance_id, k.input)
            self._instances.start_child_in(c, new, 0, new, a, now, app)
