"""The store's schema as facts: its version, its migrations, its tables — and the few
read-only queries that a reader outside the engine may run (shell completion).

This module imports nothing, so that a TAB (``wfctl __complete``) can read the engine's file
with the engine's own facts at the cost of a few microseconds, instead of restating table
and column names (:mod:`wfctl.engine.schema` opens and migrates the file; it re-exports
:data:`SCHEMA_VERSION`, :data:`MIGRATIONS` and :data:`WFCTL_TABLES`).

Columns a reader may rely on: ``instances(id, name, status, created_at, waiting_for)`` —
``waiting_for`` is NULL or a JSON list of the event names the instance waits for — and
``workflows(name)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

SCHEMA_VERSION = 2

# Each entry migrates from version N-1 to N (index N-1). Version 0 is an empty file; the
# table schema_version records each version applied.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE IF NOT EXISTS workflows (
        name TEXT PRIMARY KEY,
        registered_at REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS instances (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        finished_at REAL,
        input TEXT,
        output TEXT,
        custom_status TEXT,
        failure TEXT,
        parent_id TEXT,
        parent_task_id INTEGER,
        root_id TEXT NOT NULL,
        generation INTEGER NOT NULL DEFAULT 0,
        next_seq INTEGER NOT NULL DEFAULT 0,
        deliver_upto INTEGER,
        waiting_for TEXT,
        lock_owner TEXT,
        lock_expires REAL
    );
    CREATE INDEX IF NOT EXISTS ix_instances_status ON instances(status, created_at);
    CREATE INDEX IF NOT EXISTS ix_instances_finished ON instances(finished_at)
        WHERE finished_at IS NOT NULL;
    CREATE INDEX IF NOT EXISTS ix_instances_name ON instances(name, created_at);
    CREATE INDEX IF NOT EXISTS ix_instances_created ON instances(created_at);
    CREATE INDEX IF NOT EXISTS ix_instances_parent ON instances(parent_id)
        WHERE parent_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS ix_instances_lock ON instances(lock_owner)
        WHERE lock_owner IS NOT NULL;
    CREATE TABLE IF NOT EXISTS history (
        instance_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (instance_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS inbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        instance_id TEXT NOT NULL,
        generation INTEGER NOT NULL,
        visible_at REAL NOT NULL,
        kind TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ix_inbox_instance ON inbox(instance_id, id);
    CREATE INDEX IF NOT EXISTS ix_inbox_visible ON inbox(visible_at);
    CREATE TABLE IF NOT EXISTS tasks (
        id INTEGER PRIMARY KEY,
        instance_id TEXT NOT NULL,
        root_id TEXT NOT NULL,
        generation INTEGER NOT NULL,
        task_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        input TEXT,
        created_at REAL NOT NULL,
        lock_owner TEXT,
        lock_expires REAL
    );
    CREATE INDEX IF NOT EXISTS ix_tasks_instance ON tasks(instance_id);
    """,
    # 2: the app that owns an instance (and its tasks): engines only take work of their own
    # app. NULL (instances of version-1 files, or started without an identity): any engine
    # whose app registers the workflow (activity) name takes it, as before.
    """
    ALTER TABLE instances ADD COLUMN app TEXT;
    ALTER TABLE tasks ADD COLUMN app TEXT
    """,
]


# Every table version 1 created (in one transaction): a file that has tables but not these is
# someone else's, and wfctl must not add its own to it.
WFCTL_TABLES = frozenset({"schema_version", "workflows", "instances", "history", "inbox", "tasks"})


def file_version(con: sqlite3.Connection) -> int:
    """The schema version of the open file (0: no wfctl schema in it yet)."""
    if not con.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'"
    ).fetchone():
        return 0
    return int(con.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0)


def completion_rows(
    con: sqlite3.Connection, kind: str, args: list[str], prefix: str = ""
) -> list[tuple[str, str]]:
    """``(value, description)`` candidates for shell completion, read from an open file.

    ``kind`` is ``instances`` (newest first; described as "workflow  STATUS"), ``workflows``
    or ``events`` (``args[0]``: the instance; the names it waits for). A file whose schema
    this wfctl does not know (newer, or none) gives none.
    """
    if not 0 < file_version(con) <= SCHEMA_VERSION:
        return []
    if kind == "instances":
        if prefix and ord(prefix[-1]) < 0x10FFFF:
            # A range on the primary key: IDs that start with the prefix, found by the index.
            upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            rows = con.execute(
                "SELECT id, name, status FROM instances WHERE id >= ? AND id < ?"
                " ORDER BY created_at DESC",
                (prefix, upper),
            )
        else:
            rows = con.execute("SELECT id, name, status FROM instances ORDER BY created_at DESC")
        return [(r[0], f"{r[1] or ''}  {r[2] or ''}".strip()) for r in rows]
    if kind == "workflows":
        return [(r[0], "") for r in con.execute("SELECT name FROM workflows ORDER BY name")]
    if kind == "events" and args:
        row = con.execute("SELECT waiting_for FROM instances WHERE id = ?", (args[0],)).fetchone()
        return [(name, "") for name in event_names(row[0] if row else None)]
    return []


def event_names(waiting_for: object) -> list[str]:
    """The event names in an instance's ``waiting_for`` column: a JSON list (or object whose
    keys are names), or a single name; other shapes read as none."""
    if not isinstance(waiting_for, str) or not waiting_for:
        return []
    if waiting_for[0] in "[{":
        import json

        try:
            value = json.loads(waiting_for)
        except ValueError:
            return []
        names = value if isinstance(value, list) else list(value) if isinstance(value, dict) else []
        return list(dict.fromkeys(n for n in names if isinstance(n, str) and n))
    return [waiting_for]
