"""Opening the engine's SQLite file: pragmas, schema version, forward migrations.

A caller may rely on: :func:`connect` returns a connection in autocommit mode (explicit
``BEGIN IMMEDIATE`` for writes) on a file in WAL mode with a generous busy timeout and the
schema at :data:`SCHEMA_VERSION` (the schema's facts: :mod:`wfctl.engine.catalog`); a file
written by a newer wfctl, a corrupt file, a read-only file, a file with other tables (not a
wfctl database: left untouched) or an unopenable path raise
:class:`wfctl.model.StorageError` with one line.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from wfctl.engine.catalog import MIGRATIONS, SCHEMA_VERSION, WFCTL_TABLES, file_version
from wfctl.engine.history import HistoryEvent
from wfctl.model import TERMINAL_STATUSES, FailureDetails, RuntimeStatus, StorageError

BUSY_TIMEOUT_MS = 60_000

EPOCH = datetime(1970, 1, 1)
ACTIVE = ("PENDING", "RUNNING", "SUSPENDED")
ACTIVE_SQL = "('PENDING','RUNNING','SUSPENDED')"
TERMINAL_VALUES = tuple(s.value for s in TERMINAL_STATUSES)
# An inbox row is deliverable when visible, not held back by a pause, and (before the run
# has started) only once its ExecutionStarted is visible. While paused (``deliver_upto`` is
# the pause marker's inbox row) only rows that had *arrived* before the pause may pass: queued
# before the marker and visible no later than it (a timer row queued earlier but due later
# arrives when it fires). Once the marker itself is delivered nothing passes until resume.
DELIVERABLE_SQL = (
    "b.visible_at <= ? AND (i.deliver_upto IS NULL OR (b.id <= i.deliver_upto"
    " AND b.visible_at <= (SELECT s.visible_at FROM inbox s WHERE s.id = i.deliver_upto)))"
    " AND (i.next_seq > 0 OR b.kind = 'ExecutionStarted')"
    f" AND i.status IN {ACTIVE_SQL}"
)


def instance_filters(
    roots: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
    app: str | None = None,
    *,
    alias: str = "i.",
) -> tuple[str, list[object]]:
    """SQL (``" AND ..."``) and its arguments restricting rows of alias ``i`` (instances) or,
    with ``alias=""``, of the tasks table: to these families (root IDs), these workflow or
    activity names, and rows owned by ``app`` or by no app. ``None`` means no restriction."""
    sql = ""
    args: list[object] = []
    if roots is not None:
        sql += f" AND {alias}root_id IN (SELECT value FROM json_each(?))"
        args.append(dumps(list(roots)))
    if names is not None:
        sql += f" AND {alias}name IN (SELECT value FROM json_each(?))"
        args.append(dumps(list(names)))
    if app is not None:
        sql += f" AND ({alias}app IS NULL OR {alias}app = ?)"  # this app's (or anyone's)
        args.append(app)
    return sql, args


NEVER_YEAR = 9000  # timers at or past this year are "wait forever" placeholders: never fire
DEFAULT_TTL = 30.0


def to_ts(dt: datetime) -> float:
    """A datetime (naive = UTC) as epoch seconds."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return (dt - EPOCH).total_seconds()


def from_ts(ts: float) -> datetime:
    """Epoch seconds as a naive UTC datetime."""
    return EPOCH + timedelta(seconds=ts)


def dumps(v: object) -> str:
    """Compact JSON."""
    return json.dumps(v, separators=(",", ":"))


def _plain(v: object) -> object:
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, FailureDetails):
        return {"error_type": v.error_type, "message": v.message, "stack_trace": v.stack_trace}
    if isinstance(v, RuntimeStatus):
        return v.value
    if isinstance(v, list) and v and isinstance(v[0], HistoryEvent):
        return [e.to_dict() for e in v]
    return v


def dump_event(e: HistoryEvent) -> str:
    """``e.to_dict()`` as compact JSON (the same dict, built faster)."""
    d: dict[str, object] = {"type": e.TYPE}
    for k, v in e.__dict__.items():
        d[k] = v if v is None or type(v) in (str, int, bool) else _plain(v)
    return dumps(d)


def _one_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class TransientStorageError(StorageError):
    """The disk is full, an I/O failed or the file stayed locked: the same write may succeed
    later, so a long-running engine keeps what it holds and retries (exit 8 elsewhere)."""


# SQLite's primary result codes (``exc.sqlite_errorcode & 0xFF``, Python >= 3.11); older
# Pythons fall back to the message, which SQLite words the same everywhere.
_READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 8, 10, 11, 13, 14, 26
_BUSY, _LOCKED = 5, 6


def _code(exc: sqlite3.Error, msg: str) -> int:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return int(code) & 0xFF
    for words, c in (
        ("readonly", _READONLY),
        ("read-only", _READONLY),
        ("disk is full", _FULL),
        ("malformed", _CORRUPT),
        ("not a database", _NOTADB),
        ("disk I/O error", _IOERR),
        ("is locked", _BUSY),
    ):
        if words in msg:
            return c
    return 0


def storage_error(p: Path, exc: sqlite3.Error) -> StorageError:
    """The one-line StorageError for an SQLite error on the file ``p`` (the CLI, ``worker``
    and ``serve`` print the same line); a :class:`TransientStorageError` when retrying the
    same write may succeed (full disk, I/O error, lock held too long)."""
    msg = _one_line(exc)
    code = _code(exc, msg)
    if code in (_READONLY, _CANTOPEN):
        cause = read_only_cause(p)
        if cause is not None:
            return StorageError(cause)
    if code == _READONLY:
        return StorageError(f"the database {p} is read-only: make it writable or use another --db")
    if code in (_CORRUPT, _NOTADB):
        return StorageError(
            f"the database {p} is corrupt or not a wfctl database ({msg}): "
            "move it aside or use another --db"
        )
    if code == _FULL:
        return TransientStorageError(
            f"the disk holding the database {p} is full ({msg}): free some space"
        )
    if code in (_IOERR, _BUSY, _LOCKED):
        return TransientStorageError(f"cannot write the database {p}: {msg}")
    if code == _CANTOPEN:
        return StorageError(f"cannot open the database {p}: {msg}")
    return StorageError(f"cannot use the database {p}: {msg}")


def read_only_cause(p: Path) -> str | None:
    """What makes ``p`` unusable, when it is something read-only: SQLite says only "unable
    to open database file" when it cannot create the ``-wal``/``-shm`` files beside the
    database, or the database itself. None when nothing here is read-only."""
    folder = p.parent
    try:
        on_ro_fs = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no such directory; no statvfs (Windows)
        return None
    beside = "SQLite writes its -wal and -shm files beside it"
    if on_ro_fs:
        return (
            f"the database {p} is on a read-only file system ({beside}): remount it "
            "read-write or use a --db on a writable file system"
        )
    # access() also says no to root where permission bits do not bind it: an immutable
    # (chattr +i) file or directory.
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"the database {p} is in a read-only directory {folder} ({beside}): make the "
            "directory writable or use another --db"
        )
    if p.exists() and not os.access(p, os.W_OK):
        return f"the database {p} is read-only: make it writable or use another --db"
    return None


def connect(path: str | os.PathLike[str], *, synchronous: str = "FULL") -> sqlite3.Connection:
    """Open (creating if needed) and migrate the engine file; StorageError on any failure."""
    p = Path(path)
    try:
        if str(path) != ":memory:":
            p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"cannot create the directory for the database {p}: {exc.strerror or exc}"
        ) from None
    try:
        conn = sqlite3.connect(
            str(p), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error as exc:
        raise storage_error(p, exc) from None
    try:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        check_ours(conn, p)  # before anything writes: WAL mode alone changes the header
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal" and str(path) != ":memory:":
            raise StorageError(f"the database {p} cannot use WAL mode (journal_mode={mode})")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.execute("PRAGMA foreign_keys=OFF")
        _migrate(conn, p)
    except StorageError:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise storage_error(p, exc) from None
    return conn


def check_ours(conn: sqlite3.Connection, p: Path) -> None:
    """StorageError "not a wfctl database" when the file has tables but not wfctl's (an empty
    file is fine: it becomes a wfctl database)."""
    tables = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if tables and not tables >= WFCTL_TABLES:
        raise StorageError(
            f"the database {p} is not a wfctl database (it holds other tables): use another --db"
        )


def _migrate(conn: sqlite3.Connection, p: Path) -> None:
    version = file_version(conn)
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"the database {p} has schema version {version}, newer than this wfctl "
            f"understands ({SCHEMA_VERSION}): upgrade wfctl"
        )
    if version == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Re-check under the write lock: another process may have created or migrated the
        # file meanwhile.
        check_ours(conn, p)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at REAL)"
        )
        version = file_version(conn)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for stmt in MIGRATIONS[target - 1].split(";"):
                if stmt.strip():
                    conn.execute(stmt)
            conn.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                (target, time.time()),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
