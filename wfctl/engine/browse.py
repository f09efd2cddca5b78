"""Browsing the instances table for the web view: counts by status and keyset pages.

A part of :class:`wfctl.engine.store.Store` (``store.browse``). A page is found by a keyset cursor
``(created_at, rowid)`` rather than an OFFSET, so page 2,000 of 100,000 instances costs what
page 1 costs: one walk down ``ix_instances_created`` (or ``ix_instances_status`` per status).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from wfctl.engine.db import Db
from wfctl.engine.instances import STATE_COLS, state_of
from wfctl.model import RuntimeStatus, WorkflowState

#: A page position: the (created_at, rowid) of the last row of the previous page.
Cursor = tuple[float, int]


class Browse:
    """count_by_status, page_instances."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def count_by_status(self, *, name: str | None = None) -> dict[RuntimeStatus, int]:
        """How many instances have each status (statuses with none are left out)."""
        sql, args = "SELECT status, COUNT(*) FROM instances", []
        if name is not None:
            sql += " WHERE name = ?"
            args.append(name)
        rows = self._db.read(sql + " GROUP BY status", args)
        return {RuntimeStatus(r[0]): int(r[1]) for r in rows}

    def page_instances(
        self,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        name: str | None = None,
        id_prefix: str | None = None,
        max_age: float | None = None,
        limit: int = 50,
        after: Cursor | None = None,
        apps: Sequence[str] | None = None,
    ) -> tuple[list[WorkflowState], Cursor | None]:
        """Up to ``limit`` instances newest first, starting after ``after``; and the cursor
        of the next page (None on the last page). One indexed query per status, merged.
        ``apps``: only instances owned by one of these app identities (or by none: the
        engines of those apps run them too)."""
        rows: list[tuple] = []
        each: list[RuntimeStatus | None] = list(dict.fromkeys(statuses)) or [None]
        for st in each:
            rows += self._page_rows(st, name, id_prefix, max_age, limit + 1, after, apps)
        if len(statuses) > 1:
            rows.sort(key=lambda r: (r[3], r[-1]), reverse=True)
        more = len(rows) > limit
        rows = rows[:limit]
        cursor = (float(rows[-1][3]), int(rows[-1][-1])) if more and rows else None
        return [state_of(r, False) for r in rows], cursor

    def _page_rows(
        self,
        status: RuntimeStatus | None,
        name: str | None,
        id_prefix: str | None,
        max_age: float | None,
        limit: int,
        after: Cursor | None,
        apps: Sequence[str] | None = None,
    ) -> list[tuple]:
        where: list[str] = []
        args: list[object] = []
        if apps is not None:
            where.append("(app IS NULL OR app IN (SELECT value FROM json_each(?)))")
            args.append(json.dumps(list(apps)))
        if status is not None:
            where.append("status = ?")
            args.append(status.value)
        if name is not None:
            where.append("name = ?")
            args.append(name)
        if id_prefix:
            # A range on the primary key rather than LIKE: case-sensitive, no wildcards.
            where.append("id >= ? AND id < ?")
            args += [id_prefix, id_prefix + "\U0010ffff"]
        if max_age is not None:
            where.append("created_at >= ?")
            args.append(self._db.clock() - max_age)
        if after is not None:
            where.append("(created_at < ? OR (created_at = ? AND rowid < ?))")
            args += [after[0], after[0], after[1]]
        sql = f"SELECT {STATE_COLS}, rowid FROM instances"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at DESC, rowid DESC LIMIT ?"
        args.append(int(limit))
        return self._db.read(sql, args)
