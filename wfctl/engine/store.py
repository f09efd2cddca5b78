"""The engine's store and dispatcher: every SQL statement of the engine lives here (and in
:mod:`wfctl.engine.schema`, which opens and migrates the file).

The store hands out *work items* and applies their results, each batch in one transaction:

* a workflow turn (:class:`TurnItem`: the instance's committed history plus the events
  waiting in its inbox) is claimed with :meth:`Store.claim_turns` and its
  :class:`~wfctl.engine.history.TurnResult` applied with :meth:`Store.apply_turns`;
* an activity task (:class:`TaskItem`) is claimed with :meth:`Store.claim_tasks` (or handed
  out already claimed by ``apply_turns``) and its outcome recorded with
  :meth:`Store.complete_tasks`.

Claims are leases: ``(owner, expiry)`` on the row. Owners renew them (:meth:`Store.renew`);
:meth:`Store.reap_dead_owners` hands back at once the leases of owners that were processes on
this host and are gone; other hosts' leases simply expire. Results are applied only under the
guard that the lease is still the applier's own, so a turn or an activity result is never
applied twice. Times in the file are UTC seconds since the epoch; times in and out of this
module are naive UTC datetimes.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from wfctl.engine import schema
from wfctl.engine.browse import Browse
from wfctl.engine.dispatch import Dispatch
from wfctl.engine.history import (
    ExecutionStarted,
    HistoryEvent,
    event_from_dict,
)
from wfctl.engine.items import ApplyOutcome, StartRequest, TaskItem, TaskOutcome, TurnItem
from wfctl.engine.manage import Manage
from wfctl.engine.queues import Queues
from wfctl.engine.remote import Remote
from wfctl.engine.schema import (
    ACTIVE,
    DEFAULT_TTL,
    from_ts,
    to_ts,
)
from wfctl.engine.schema import dump_event as _ev
from wfctl.engine.schema import dumps as _j
from wfctl.model import (
    ConflictError,
    FailureDetails,
    RuntimeStatus,
    StorageError,
    WorkflowState,
)

HOST = socket.gethostname()
__all__ = [
    "HUB",
    "STATUS_HUB",
    "ApplyOutcome",
    "StartRequest",
    "Store",
    "TaskItem",
    "TaskOutcome",
    "TurnItem",
    "from_ts",
    "new_owner_id",
    "to_ts",
]


def new_owner_id() -> str:
    """A lease owner ID: ``host:pid:random``, unique per engine."""
    return f"{HOST}:{os.getpid()}:{secrets.token_hex(4)}"


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this host and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        return stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3] not in (b"Z", b"X")
    except (OSError, ValueError):
        return True


class ChangeHub:
    """Process-wide wake-up for engines and clients: every committed write bumps it."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.version = 0

    def bump(self) -> None:
        with self._cond:
            self.version += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """Block until the version differs from ``seen`` or ``timeout`` passes; new version."""
        with self._cond:
            if self.version == seen and timeout > 0:
                self._cond.wait(timeout)
            return self.version


HUB = ChangeHub()  # every commit: wakes engines
STATUS_HUB = ChangeHub()  # commits that changed an instance's status: wakes waiting clients


def _failure_json(f: FailureDetails | None) -> str | None:
    return None if f is None else _j(asdict(f))


class Store(Dispatch, Queues, Manage, Browse, Remote):
    """One connection to the engine file. Thread-safe (one lock); every method is one
    transaction. ``clock`` returns epoch seconds (tests inject it)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        synchronous: str = "FULL",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.clock = clock
        self._conn = schema.connect(path, synchronous=synchronous)
        self._lock = threading.RLock()
        self._status_changed = False
        self.writes = 0  # commits so far (the engine tells its own wake-ups from others')

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # ------------------------------------------------------------------ plumbing
    def _fail(self, exc: sqlite3.Error) -> StorageError:
        return schema.storage_error(self.path, exc)

    def check_writable(self) -> None:
        """StorageError (the CLI's one line) unless a write transaction can start: what a
        long-running ``worker`` or ``serve`` checks before it announces itself."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    # A read-only file lets a transaction begin: only a page write fails.
                    self._conn.execute("UPDATE schema_version SET applied_at = applied_at")
                finally:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
            except sqlite3.Error as exc:
                raise self._fail(exc) from None

    def checkpoint(self) -> bool:
        """Copy the WAL into the file and truncate it (after a full disk: the WAL gives its
        space back, and pages freed in the file are reused). True when it completed."""
        with self._lock:
            c = self._conn
            try:
                # TRUNCATE waits (busy handler) for readers of older snapshots: briefly, not
                # the 60 s busy timeout, or a long read elsewhere would stall every retry.
                c.execute("PRAGMA busy_timeout=100")
                row = c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            except sqlite3.Error:
                return False
            finally:
                with suppress(sqlite3.Error):
                    c.execute(f"PRAGMA busy_timeout={schema.BUSY_TIMEOUT_MS}")
        return bool(row) and row[0] == 0

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            c = self._conn
            try:
                c.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._fail(exc) from None
            self._status_changed = False
            try:
                yield c
                c.execute("COMMIT")
            except BaseException as exc:
                if c.in_transaction:
                    c.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._fail(exc) from None
                raise
            changed = self._status_changed
        self.writes += 1
        HUB.bump()
        if changed:
            STATUS_HUB.bump()

    def _read(self, sql: str, args: Sequence[object] = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._conn.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise self._fail(exc) from None

    # ------------------------------------------------------------------ registry names
    def register_workflows(self, names: Sequence[str]) -> None:
        """Record the workflow names an app registers (for completion without the app)."""
        known = {r[0] for r in self._read("SELECT name FROM workflows")}
        fresh = [n for n in names if n not in known]
        if fresh:
            with self._write() as c:
                now = self.clock()
                c.executemany(
                    "INSERT OR IGNORE INTO workflows (name, registered_at) VALUES (?, ?)",
                    [(n, now) for n in fresh],
                )

    def workflow_names(self) -> list[str]:
        return [r[0] for r in self._read("SELECT name FROM workflows ORDER BY name")]

    # ------------------------------------------------------------------ instances
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
        with self._write() as c:
            self._create_in(c, instance_id, name, input, start_at, self.clock(), app)

    def _create_in(
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
            self._delete_instances(c, [instance_id])
        self._status_changed = True
        self._insert_instance(c, instance_id, name, input, now, start_at, None, None, None, app)

    def _insert_instance(
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
        self._enqueue(c, iid, 0, visible, started)

    @staticmethod
    def _enqueue(
        c: sqlite3.Connection, iid: str, generation: int, visible: float, event: HistoryEvent
    ) -> int:
        cur = c.execute(
            "INSERT INTO inbox (instance_id, generation, visible_at, kind, data)"
            " VALUES (?, ?, ?, ?, ?)",
            (iid, generation, visible, event.TYPE, _ev(event)),
        )
        return int(cur.lastrowid or 0)

    @staticmethod
    def _delete_instances(c: sqlite3.Connection, ids: Sequence[str]) -> None:
        arg = (_j(list(ids)),)
        for table, col in (
            ("history", "instance_id"),
            ("inbox", "instance_id"),
            ("tasks", "instance_id"),
            ("instances", "id"),
        ):
            c.execute(f"DELETE FROM {table} WHERE {col} IN (SELECT value FROM json_each(?))", arg)

    _STATE_COLS = "id, name, status, created_at, updated_at, input, output, custom_status, failure"

    @staticmethod
    def _state(row: tuple, payloads: bool = True) -> WorkflowState:
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

    def get_state(self, instance_id: str) -> WorkflowState | None:
        """The instance's state, or None when there is none."""
        rows = self._read(f"SELECT {self._STATE_COLS} FROM instances WHERE id=?", (instance_id,))
        return self._state(rows[0]) if rows else None

    def get_statuses(self, ids: Sequence[str]) -> dict[str, RuntimeStatus]:
        """Status of each known instance among ``ids`` (unknown ones are left out)."""
        rows = self._read(
            "SELECT id, status FROM instances WHERE id IN (SELECT value FROM json_each(?))",
            (_j(list(ids)),),
        )
        return {r[0]: RuntimeStatus(r[1]) for r in rows}

    def app_of(self, instance_id: str) -> str | None:
        """The identity of the app that owns the instance (None: any app, or no instance)."""
        rows = self._read("SELECT app FROM instances WHERE id=?", (instance_id,))
        return rows[0][0] if rows else None

    def waiting_for(self, instance_id: str) -> list[str]:
        """The case-folded event names the instance's last turn said it waits for."""
        rows = self._read("SELECT waiting_for FROM instances WHERE id=?", (instance_id,))
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
        return [self._state(r, payloads) for r in rows]

    def _list_rows(
        self,
        status: RuntimeStatus | None,
        name: str | None,
        max_age: float | None,
        limit: int | None,
    ) -> list[tuple]:
        where, args = [], []  # type: ignore[var-annotated]
        if status is not None:
            where.append("status = ?")
            args.append(status.value)
        if name is not None:
            where.append("name = ?")
            args.append(name)
        if max_age is not None:
            where.append("created_at >= ?")
            args.append(self.clock() - max_age)
        sql = f"SELECT {self._STATE_COLS}, rowid FROM instances"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at DESC, rowid DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(min(int(limit), 2**63 - 1))  # past it SQLite cannot bind the number
        return self._read(sql, args)

    def history(self, instance_id: str) -> list[HistoryEvent] | None:
        """The instance's committed history in order; None when there is no such instance."""
        if not self._read("SELECT 1 FROM instances WHERE id=?", (instance_id,)):
            return None
        return self._load_history(instance_id)

    def _load_history(self, iid: str) -> list[HistoryEvent]:
        rows = self._read("SELECT data FROM history WHERE instance_id=? ORDER BY seq", (iid,))
        return [event_from_dict(json.loads(r[0])) for r in rows]

    # ------------------------------------------------------------------ leases
    def renew(self, owner: str, ttl: float = DEFAULT_TTL) -> None:
        """Push the expiry of every lease ``owner`` holds to now + ttl."""
        with self._write() as c:
            exp = self.clock() + ttl
            c.execute("UPDATE instances SET lock_expires=? WHERE lock_owner=?", (exp, owner))
            c.execute("UPDATE tasks SET lock_expires=? WHERE lock_owner=?", (exp, owner))

    def release(self, owner: str, task_ids: Sequence[int] | None = None) -> None:
        """Hand back ``owner``'s leases (only those tasks, when ``task_ids`` is given)."""
        with self._write() as c:
            if task_ids is None:
                c.execute(
                    "UPDATE instances SET lock_owner=NULL, lock_expires=NULL WHERE lock_owner=?",
                    (owner,),
                )
                c.execute(
                    "UPDATE tasks SET lock_owner=NULL, lock_expires=NULL WHERE lock_owner=?",
                    (owner,),
                )
            else:
                c.execute(
                    "UPDATE tasks SET lock_owner=NULL, lock_expires=NULL WHERE lock_owner=?"
                    " AND id IN (SELECT value FROM json_each(?))",
                    (owner, _j(list(task_ids))),
                )

    def reap_dead_owners(self) -> list[str]:
        """Release at once the leases of owners that were processes on this host and died."""
        rows = self._read(
            "SELECT DISTINCT lock_owner FROM instances WHERE lock_owner IS NOT NULL"
            " UNION SELECT DISTINCT lock_owner FROM tasks WHERE lock_owner IS NOT NULL"
        )
        dead = []
        for (owner,) in rows:
            host, _, rest = owner.rpartition(":")[0].rpartition(":")
            if host != HOST or not rest.isdigit() or int(rest) == os.getpid():
                continue
            if not pid_alive(int(rest)):
                dead.append(owner)
        for owner in dead:
            self.release(owner)
        return dead
