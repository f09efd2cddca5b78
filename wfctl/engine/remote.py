"""The store's side of remote executors (Dapr SDK workers over gRPC): one transaction per
round of answers and new work (SQL only, through the dispatcher's helpers).

Mixed into :class:`wfctl.engine.store.Store`. A remote executor computes turns outside the
store's transaction, so it holds each instance's lease while the turn is away; ``exclude``
keeps an instance whose turn is in flight from being claimed again by the same owner.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from wfctl.engine.history import TurnResult
from wfctl.engine.items import ApplyOutcome, StartRequest, TaskOutcome, TurnItem
from wfctl.engine.schema import DEFAULT_TTL
from wfctl.model import ConflictError


class Remote:
    """exchange: record answers and claim new turns in one commit."""

    if TYPE_CHECKING:
        clock: Callable[[], float]

        def _write(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def _read(self, sql: str, args: Sequence[object] = ()) -> list[tuple]: ...
        def _turn_query(self, *a: Any) -> tuple[str, list[object]]: ...
        def _claim_in(self, c: sqlite3.Connection, *a: Any, **k: Any) -> list[TurnItem]: ...
        def _apply_in(self, c: sqlite3.Connection, *a: Any) -> list[ApplyOutcome]: ...
        def _complete_in(self, c: sqlite3.Connection, *a: Any) -> int: ...
        def _create_in(self, c: sqlite3.Connection, *a: Any) -> None: ...

    def exchange(
        self,
        owner: str,
        results: Sequence[tuple[TurnItem, TurnResult]],
        outcomes: Sequence[TaskOutcome],
        *,
        limit: int,
        exclude: Sequence[str] = (),
        known: Mapping[str, int] | None = None,
        ttl: float = DEFAULT_TTL,
        app: str | None = None,
        applied: Callable[[list[ApplyOutcome]], None] | None = None,
        starts: Sequence[StartRequest] = (),
    ) -> tuple[list[ApplyOutcome], list[TurnItem]]:
        """In one transaction: apply the answered turns (as ``apply_turns``, new tasks
        leased to ``owner``), record the activity ``outcomes`` (as ``complete_tasks``), then
        claim up to ``limit`` turns (as ``claim_turns``, never those in ``exclude``): what
        the answers made deliverable goes out in the same commit. ``applied(outcomes)`` runs
        between applying and claiming (so the caller can update what ``known`` reports).
        ``starts`` are recorded first (each with its own app; a ConflictError lands in the
        request's ``error``), so a start shares the commit, and its first turn goes out in
        it. The caller sets the requests' ``done``."""
        if not results and not outcomes and not starts:
            if limit <= 0:
                return [], []
            sql, args = self._turn_query(owner, self.clock(), limit, None, None, app, exclude)
            if not self._read(sql, args):
                return [], []
        with self._write() as c:
            now = self.clock()
            for r in starts:
                try:
                    self._create_in(c, r.instance_id, r.name, r.input, r.start_at, now, r.app)
                except ConflictError as exc:
                    r.error = exc
            outs = self._apply_in(c, owner, results, now, True, ttl) if results else []
            if outcomes:
                self._complete_in(c, owner, outcomes, now)
            if applied is not None:
                applied(outs)
            if limit <= 0:
                return outs, []
            gone = {o.instance_id for o in outs}
            items = self._claim_in(
                c,
                owner,
                now,
                limit,
                None,
                known or {},
                ttl,
                app=app,
                exclude=[i for i in exclude if i not in gone],
            )
        return outs, items
