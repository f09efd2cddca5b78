"""The dispatcher half of the store: claim work items, apply their results (SQL only).

Mixed into :class:`wfctl.engine.store.Store`, whose connection, locking and instance helpers
it uses. Every method is one transaction over a *batch* of items, so the commits of many
instances' turns and activity results are shared.

Delivery rules a caller may rely on:
* an instance that has not started yet (no history) is offered only once its
  ExecutionStarted is visible (delayed starts), and that event comes first;
* while SUSPENDED, only the events that arrived before the pause (queued before it and
  visible by then: a timer created earlier but due later has not arrived) are offered, with
  the pause marker; everything else (timers, activity results, events, child completions)
  waits in the inbox, in order, until resume (terminate acts at once);
* timers dated at or after year 9000 (``wait forever`` placeholders) never fire.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict
from typing import TYPE_CHECKING

from wfctl.engine.history import (
    ChildWorkflowCreated,
    ChildWorkflowFailed,
    CompleteWorkflow,
    CreateChildWorkflow,
    CreateTimer,
    EventRaised,
    EventSent,
    ExecutionCompleted,
    ExecutionStarted,
    HistoryEvent,
    OrchestratorStarted,
    ScheduleTask,
    SendEvent,
    TaskScheduled,
    TerminateInstance,
    TimerCreated,
    TimerFired,
    TurnResult,
    event_from_dict,
)
from wfctl.engine.items import ApplyOutcome, StartRequest, TaskItem, TaskOutcome, TurnItem
from wfctl.engine.schema import (
    ACTIVE,
    ACTIVE_SQL,
    DEFAULT_TTL,
    DELIVERABLE_SQL,
    NEVER_YEAR,
    dump_event,
    dumps,
    from_ts,
    instance_filters,
    to_ts,
)
from wfctl.model import ConflictError, FailureDetails, RuntimeStatus

_BIG = 1 << 62


class _Writes:
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
            where, args = _in(self.inbox)
            c.execute(f"DELETE FROM inbox WHERE id {where}", args)
        if self.updates:
            c.executemany(
                "UPDATE instances SET status=?, custom_status=?, updated_at=?, next_seq=?,"
                " waiting_for=?, lock_owner=NULL, lock_expires=NULL WHERE id=?",
                self.updates,
            )


def _in(values: Sequence[object]) -> tuple[str, list[object]]:
    """``IN (...)`` for a list: plain placeholders when short (cheapest for SQLite), one JSON
    array otherwise (no limit on the number of values)."""
    if len(values) <= 32:
        return "IN (" + ",".join("?" * len(values)) + ")", list(values)
    return "IN (SELECT value FROM json_each(?))", [dumps(list(values))]


def _arrived_before_pause(
    box: list[tuple[int, str, float]], upto: int
) -> list[tuple[int, str, float]]:
    """The inbox rows of a paused instance that may still be delivered (see
    :data:`wfctl.engine.schema.DELIVERABLE_SQL`): queued up to the pause marker ``upto``
    and visible no later than it. Once the marker is consumed, none."""
    marker = [b[2] for b in box if b[0] == upto]
    if not marker:
        return []
    return [b for b in box if b[0] <= upto and b[2] <= marker[0]]


def _fjson(f: FailureDetails | None) -> str | None:
    return None if f is None else dumps(asdict(f))


class Dispatch:
    """Claim/apply methods; see the module docstring."""

    if TYPE_CHECKING:
        clock: Callable[[], float]
        _status_changed: bool

        def _write(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def _read(self, sql: str, args: Sequence[object] = ()) -> list[tuple]: ...
        def _load_history(self, iid: str) -> list[HistoryEvent]: ...
        def _insert_instance(self, c: sqlite3.Connection, *a: object) -> None: ...
        def _complete_in(self, c: sqlite3.Connection, *a: object, **k: object) -> int: ...
        def _create_in(self, c: sqlite3.Connection, *a: object) -> None: ...
        def _report_to_parent(self, c: sqlite3.Connection, *a: object) -> None: ...
        def _terminate(self, c: sqlite3.Connection, *a: object) -> None: ...
        @staticmethod
        def _enqueue(c: sqlite3.Connection, *a: object) -> int: ...
        @staticmethod
        def _delete_instances(c: sqlite3.Connection, ids: Sequence[str]) -> None: ...

    # ------------------------------------------------------------------ turns
    def _turn_query(
        self,
        owner: str,
        now: float,
        limit: int,
        roots: Sequence[str] | None,
        workflows: Sequence[str] | None = None,
        app: str | None = None,
        exclude: Sequence[str] = (),
    ) -> tuple[str, list[object]]:
        sql = (
            "SELECT DISTINCT i.id, i.name, i.generation, i.next_seq, i.deliver_upto, i.status,"
            " i.root_id, i.app"
            # CROSS JOIN keeps the inbox as the outer loop: the cost follows the visible
            # events, not the number of active instances (which may be 100,000 waiting ones).
            f" FROM inbox b CROSS JOIN instances i ON i.id = b.instance_id WHERE {DELIVERABLE_SQL}"
            " AND (i.lock_owner IS NULL OR i.lock_owner = ? OR i.lock_expires < ?)"
        )
        args: list[object] = [now, owner, now]
        fsql, fargs = instance_filters(roots, workflows, app)
        sql += fsql
        args += fargs
        if exclude:  # instances whose turn a remote executor holds in flight
            sql += " AND i.id NOT IN (SELECT value FROM json_each(?))"
            args.append(dumps(list(exclude)))
        return sql + " LIMIT ?", [*args, limit]

    def _claim_in(
        self,
        c: sqlite3.Connection,
        owner: str,
        now: float,
        limit: int,
        roots: Sequence[str] | None,
        known: Mapping[str, int],
        ttl: float,
        *,
        lock: bool = True,
        workflows: Sequence[str] | None = None,
        direct: dict[str, list[tuple[int, HistoryEvent]]] | None = None,
        app: str | None = None,
        exclude: Sequence[str] = (),
    ) -> list[TurnItem]:
        sql, args = self._turn_query(owner, now, limit, roots, workflows, app, exclude)
        rows = c.execute(sql, args).fetchall()
        # Unless the LIMIT cut the list short, an instance it left out has no deliverable
        # inbox row: no need to read its inbox (the common case of a direct outcome).
        lookup = None if len(rows) >= limit else [r[0] for r in rows]
        if direct:
            # Instances whose only news is an outcome recorded in this transaction.
            seen = {r[0] for r in rows}
            extra = [i for i in direct if i not in seen]
            if extra:
                where, xargs = _in(extra)
                xsql = (
                    "SELECT i.id, i.name, i.generation, i.next_seq, i.deliver_upto, i.status,"
                    f" i.root_id, i.app FROM instances i WHERE i.id {where}"
                    f" AND i.status IN {ACTIVE_SQL}"
                    " AND (i.lock_owner IS NULL OR i.lock_owner = ? OR i.lock_expires < ?)"
                )
                xargs += [owner, now]
                fsql, fargs = instance_filters(roots, workflows, app)
                xsql += fsql
                xargs += fargs
                rows += c.execute(xsql, xargs).fetchall()
        if not rows:
            return []
        boxes: dict[str, list[tuple[int, str, float]]] = {r[0]: [] for r in rows}
        if lookup is None or lookup:
            where, bargs = _in(list(boxes) if lookup is None else lookup)
            for iid, box_id, data, vis in c.execute(
                f"SELECT instance_id, id, data, visible_at FROM inbox WHERE instance_id {where}"
                " AND visible_at <= ? ORDER BY id",
                [*bargs, now],
            ):
                boxes[iid].append((box_id, data, vis))
        items: list[TurnItem] = []
        ts = from_ts(now)
        for iid, name, gen, seq, upto, status, root, owner_app in rows:
            mine = boxes[iid] if upto is None else _arrived_before_pause(boxes[iid], upto)
            new: list[HistoryEvent] = [OrchestratorStarted(timestamp=ts)]
            new.extend(event_from_dict(json.loads(b[1])) for b in mine)
            if direct and upto is None and seq > 0 and iid in direct:
                # After everything queued before them; what does not fit this run (a
                # suspended or restarted instance) goes to the inbox afterwards.
                fresh = [e for g, e in direct[iid] if g == gen]
                if fresh:
                    new.extend(fresh)
                    del direct[iid]
            if len(new) == 1 or (seq == 0 and not isinstance(new[1], ExecutionStarted)):
                continue
            for k, e in enumerate(new):
                e.event_id = seq + k
            past = None if known.get(iid) == seq else self._load_history(iid)
            if lock:
                c.execute(
                    "UPDATE instances SET lock_owner=?, lock_expires=? WHERE id=?",
                    (owner, now + ttl, iid),
                )
            item = TurnItem(iid, name, gen, seq, past, new, [b[0] for b in mine])
            item.status, item.root_id, item.app = status, root, owner_app
            items.append(item)
        return items

    def claim_turns(
        self,
        owner: str,
        *,
        limit: int = 64,
        roots: Sequence[str] | None = None,
        known: Mapping[str, int] | None = None,
        ttl: float = DEFAULT_TTL,
        workflows: Sequence[str] | None = None,
        app: str | None = None,
        exclude: Sequence[str] = (),
    ) -> list[TurnItem]:
        """Lease up to ``limit`` instances with deliverable events (only in the families of
        ``roots``, of the ``workflows`` names, and owned by ``app`` or by no app, if given;
        never those in ``exclude``) and return their turns.
        ``known`` maps instance ID to the history length the caller holds in memory; for
        those ``past`` is None. (For executors that
        work outside the store's transaction, e.g. remote ones; see also :meth:`step`.)"""
        sql, args = self._turn_query(owner, self.clock(), limit, roots, workflows, app, exclude)
        if not self._read(sql, args):
            return []
        with self._write() as c:
            now = self.clock()
            return self._claim_in(
                c,
                owner,
                now,
                limit,
                roots,
                known or {},
                ttl,
                workflows=workflows,
                app=app,
                exclude=exclude,
            )

    def step(
        self,
        owner: str,
        outcomes: Sequence[TaskOutcome],
        execute: Callable[[list[TurnItem]], list[TurnResult]],
        *,
        limit: int = 128,
        roots: Sequence[str] | None = None,
        known: Mapping[str, int] | None = None,
        ttl: float = DEFAULT_TTL,
        starts: Sequence[StartRequest] = (),
        before_commit: Callable[[list[tuple[TurnItem, ApplyOutcome]]], None] | None = None,
        workflows: Sequence[str] | None = None,
        app: str | None = None,
    ) -> tuple[int, list[tuple[TurnItem, ApplyOutcome]]]:
        """One commit for a whole round of in-process work: record activity ``outcomes``
        (as :meth:`complete_tasks`), claim the turns now deliverable, compute them with
        ``execute`` (fast, deterministic workflow code: it runs inside the transaction) and
        apply them (as :meth:`apply_turns`, tasks leased to ``owner``). ``starts`` are
        recorded first (a ConflictError lands in the request's ``error``).
        ``before_commit(pairs)`` runs once all is applied, just before the commit. Returns how many
        outcomes were recorded and each turn with what applying it did. ``workflows`` and
        ``app`` filter the turns claimed, as for :meth:`claim_turns`."""
        if not outcomes and not starts:
            sql, args = self._turn_query(owner, self.clock(), limit, roots, workflows, app)
            if not self._read(sql, args):
                return 0, []
        with self._write() as c:
            now = self.clock()
            for r in starts:
                try:
                    self._create_in(c, r.instance_id, r.name, r.input, None, now, r.app)
                except ConflictError as exc:
                    r.error = exc
            direct: dict[str, list[tuple[int, HistoryEvent]]] = {}
            done = self._complete_in(c, owner, outcomes, now, direct) if outcomes else 0
            # Claimed and applied under one write lock: no lease row, no guard needed.
            items = self._claim_in(
                c,
                owner,
                now,
                limit,
                roots,
                known or {},
                ttl,
                lock=False,
                workflows=workflows,
                direct=direct,
                app=app,
            )
            for iid, events in direct.items():  # not claimed now: they wait in the inbox
                for gen, ev in events:
                    self._enqueue(c, iid, gen, now, ev)
            results = execute(items) if items else []
            w = _Writes()
            pairs = [
                (it, self._apply_one(c, owner, it, res, now, True, ttl, w))
                for it, res in zip(items, results, strict=True)
            ]
            w.flush(c)
            if before_commit is not None:
                before_commit(pairs)
        return done, pairs

    def apply_turns(
        self,
        owner: str,
        results: Sequence[tuple[TurnItem, TurnResult]],
        *,
        claim_tasks: bool = True,
        ttl: float = DEFAULT_TTL,
    ) -> list[ApplyOutcome]:
        """Apply many turns in one transaction, each only if ``owner`` still holds its lease
        for the same run. Appends history, consumes the delivered inbox rows, creates tasks
        (leased to ``owner`` when ``claim_tasks``), timers and children, updates the instance
        and releases its lease. A finished child reports to its parent."""
        with self._write() as c:
            return self._apply_in(c, owner, results, self.clock(), claim_tasks, ttl)

    def _apply_in(
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
            w = _Writes()
            out.append(self._apply_one(c, owner, item, res, now, claim_tasks, ttl, w))
            w.flush(c)
            for t in w.terminates:
                self._terminate_other(c, t, now)
        return out

    def _apply_one(
        self,
        c: sqlite3.Connection,
        owner: str,
        item: TurnItem,
        res: TurnResult,
        now: float,
        claim: bool,
        ttl: float,
        w: _Writes,
    ) -> ApplyOutcome:
        """Apply one turn whose claim is known to hold (the caller checked)."""
        iid = item.instance_id
        status, gen, name = item.status, item.generation, item.name
        root = (
            item.root_id
            or c.execute("SELECT root_id FROM instances WHERE id=?", (iid,)).fetchone()[0]
        )
        if status == "PENDING":
            self._status_changed = True
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
                    self._enqueue(c, iid, gen, to_ts(a.fire_at), fired)
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
                self._start_child(c, iid, gen, root, a, now, item.app)
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
                self._send_event(c, a, now)
            elif isinstance(a, TerminateInstance):
                w.terminates.append(a)
            elif isinstance(a, CompleteWorkflow):
                complete = a
                break
        if complete is not None:
            self._status_changed = True
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
                _fjson(failure),
                res.custom_status,
                now,
                now,
                next_seq,
                iid,
            ),
        )
        ok = complete.status == RuntimeStatus.COMPLETED
        self._report_to_parent(
            c, iid, complete.result if ok else None, None if ok else failure, now
        )
        return ApplyOutcome(iid, True, appended, [], finished=True)

    def _send_event(self, c: sqlite3.Connection, a: SendEvent, now: float) -> None:
        """Raise ``a``'s event on its target (an unknown or finished target drops it)."""
        row = c.execute(
            "SELECT status, generation FROM instances WHERE id=?", (a.instance_id,)
        ).fetchone()
        if row is not None and row[0] in ACTIVE:
            ev = EventRaised(name=a.name, data=a.data, timestamp=from_ts(now))
            self._enqueue(c, a.instance_id, row[1], now, ev)

    def _terminate_other(self, c: sqlite3.Connection, a: TerminateInstance, now: float) -> None:
        """Terminate ``a``'s target if it is active (an unknown or finished one: nothing)."""
        row = c.execute("SELECT status FROM instances WHERE id=?", (a.instance_id,)).fetchone()
        if row is not None and row[0] in ACTIVE:
            self._status_changed = True
            self._terminate(c, a.instance_id, a.reason, a.recursive, now)

    def _start_child(
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
            self._enqueue(c, parent, parent_gen, now, ev)
            return
        if row is not None:
            self._delete_instances(c, [a.instance_id])
        self._insert_instance(
            c, a.instance_id, a.name, a.input, now, None, parent, a.task_id, root, app
        )

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
        first = self._enqueue(c, iid, gen, now, started)
        for ev in complete.carryover_events:
            ev.event_id = -1
            self._enqueue(c, iid, gen, now, ev)
        for (data,) in pending:
            self._enqueue(c, iid, gen, now, event_from_dict(json.loads(data)))
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
