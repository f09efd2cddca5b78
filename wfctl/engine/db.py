"""The store's plumbing: one SQLite connection, its lock, its transactions and the change hubs
every commit wakes. The parts of :class:`wfctl.engine.store.Store` are each given this object
and write their own SQL through :meth:`Db.write` and :meth:`Db.read`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from wfctl.engine import schema
from wfctl.model import StorageError


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


class Db:
    """One connection to the engine file. Thread-safe (one lock); each :meth:`write` block is
    one transaction. ``clock`` returns epoch seconds (tests inject it). A part whose write
    changes an instance's status sets ``status_changed`` inside the block, so the commit also
    wakes the clients waiting on :data:`STATUS_HUB`."""

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
        self.status_changed = False
        self.writes = 0  # commits so far (the engine tells its own wake-ups from others')

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def fail(self, exc: sqlite3.Error) -> StorageError:
        return schema.storage_error(self.path, exc)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT; ROLLBACK on any exception)."""
        with self._lock:
            c = self._conn
            try:
                c.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self.fail(exc) from None
            self.status_changed = False
            try:
                yield c
                c.execute("COMMIT")
            except BaseException as exc:
                if c.in_transaction:
                    c.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self.fail(exc) from None
                raise
            changed = self.status_changed
        self.writes += 1
        HUB.bump()
        if changed:
            STATUS_HUB.bump()

    def read(self, sql: str, args: Sequence[object] = ()) -> list[tuple]:
        """All rows of one query (outside any write transaction)."""
        with self._lock:
            try:
                return self._conn.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise self.fail(exc) from None

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
                raise self.fail(exc) from None

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
