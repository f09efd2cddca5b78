"""The dispatcher part of the store (``store.dispatch``): claim workflow turns and apply
their results (SQL only; the write side is :class:`wfctl.engine.apply.Apply`).

Every method is one transaction over a *batch* of items, so the commits of many instances'
turns and activity results are shared. The two executor fronts use it alike: the in-process
engine (:mod:`wfctl.engine.worker`) computes turns inside the transaction with :meth:`step`;
the remote front (:mod:`wfctl.grpcapi.front`, SDK workers over gRPC) computes them outside it,
holding each instance's lease while its turn is away, and trades answers for new turns with
:meth:`exchange` (``exclude`` keeps a turn in flight from being claimed again).

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
from collections.abc import Callable, Iterator, Mapping, Sequence

from wfctl.engine.apply import Apply, Writes, sql_in
from wfctl.engine.db import Db
from wfctl.engine.history import (
    ExecutionStarted,
    HistoryEvent,
    OrchestratorStarted,
    TurnResult,
    event_from_dict,
)
from wfctl.engine.instances import Instances
from wfctl.engine.items import ApplyOutcome, StartRequest, TaskOutcome, TurnItem
from wfctl.engine.manage import Manage
from wfctl.engine.queues import Queues
from wfctl.engine.schema import (
    ACTIVE_SQL,
    DEFAULT_TTL,
    DELIVERABLE_SQL,
    dumps,
    from_ts,
    instance_filters,
)


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


class Dispatch:
    """Claim/apply methods; see the module docstring."""

    def __init__(self, db: Db, instances: Instances, queues: Queues, manage: Manage) -> None:
        self._db = db
        self._instances = instances
        self._queues = queues
        self._apply = Apply(db, instances, queues, manage)

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
                where, xargs = sql_in(extra)
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
            where, bargs = sql_in(list(boxes) if lookup is None else lookup)
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
            past = None if known.get(iid) == seq else self._instances.load_history(iid)
            if lock:
                c.execute(
                    "UPDATE instances SET lock_owner=?, lock_expires=? WHERE id=?",
                    (owner, now + ttl, iid),
                )
            item = TurnItem(iid, name, gen, seq, past, new, [b[0] for b in mine])
            item.status, item.root_id, item.app = status, root, owner_app
            items.append(item)
        return items

    def _none_deliverable(
        self,
        owner: str,
        limit: int,
        roots: Sequence[str] | None,
        workflows: Sequence[str] | None,
        app: str | None,
        exclude: Sequence[str] = (),
    ) -> bool:
        """Whether a read (no write lock taken) finds no turn to claim: a round with nothing
        else to record can skip its transaction."""
        sql, args = self._turn_query(owner, self._db.clock(), limit, roots, workflows, app, exclude)
        return not self._db.read(sql, args)

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
        if self._none_deliverable(owner, limit, roots, workflows, app, exclude):
            return []
        with self._db.write() as c:
            now = self._db.clock()
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
        workflows: Sequence[str] | None = None,
        app: str | None = None,
    ) -> tuple[int, list[tuple[TurnItem, ApplyOutcome]]]:
        """One commit for a whole round of in-process work: record activity ``outcomes``
        (as ``queues.complete_tasks``), claim the turns now deliverable, compute them with
        ``execute`` (fast, deterministic workflow code: it runs inside the transaction) and
        apply them (as :meth:`apply_turns`, tasks leased to ``owner``). ``starts`` are
        recorded first (a ConflictError lands in the request's ``error``). Returns how many
        outcomes were recorded and each turn with what applying it did. ``workflows`` and
        ``app`` filter the turns claimed, as for :meth:`claim_turns`."""
        idle = not outcomes and not starts
        if idle and self._none_deliverable(owner, limit, roots, workflows, app):
            return 0, []
        with self._db.write() as c:
            now = self._db.clock()
            self._instances.starts_in(c, starts, now)
            direct: dict[str, list[tuple[int, HistoryEvent]]] = {}
            done = self._queues.complete_in(c, owner, outcomes, now, direct) if outcomes else 0
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
                    self._instances.enqueue(c, iid, gen, now, ev)
            results = execute(items) if items else []
            w = Writes()
            pairs = [
                (it, self._apply.apply_one(c, owner, it, res, now, True, ttl, w))
                for it, res in zip(items, results, strict=True)
            ]
            w.flush(c)
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
        with self._db.write() as c:
            return self._apply.apply_in(c, owner, results, self._db.clock(), claim_tasks, ttl)

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
        starts: Sequence[StartRequest] = (),
    ) -> tuple[list[ApplyOutcome], list[TurnItem]]:
        """One commit for a round of a remote executor: apply the answered turns (as
        :meth:`apply_turns`, new tasks leased to ``owner``), record the activity ``outcomes``
        (as ``queues.complete_tasks``), then claim up to ``limit`` turns (as
        :meth:`claim_turns`, never those in ``exclude``): what the answers made deliverable
        goes out in the same commit. ``known`` is what the caller holds *before* this round:
        the claim reads it as :func:`known_after` the applied turns (the caller extends its
        copies with each outcome's ``appended`` after the commit, and drops those of turns
        not applied, finished or restarted). ``starts`` are recorded first (as in
        :meth:`step`), so a start shares the commit, and its first turn goes out in it. The
        caller sets the requests' ``done``. Nothing of the caller runs inside the
        transaction: a failed commit leaves nothing to undo."""
        idle = not results and not outcomes and not starts
        if idle and (limit <= 0 or self._none_deliverable(owner, limit, None, None, app, exclude)):
            return [], []
        with self._db.write() as c:
            now = self._db.clock()
            self._instances.starts_in(c, starts, now)
            outs = self._apply.apply_in(c, owner, results, now, True, ttl) if results else []
            if outcomes:
                self._queues.complete_in(c, owner, outcomes, now)
            if limit <= 0:
                return outs, []
            gone = {o.instance_id for o in outs}
            items = self._claim_in(
                c,
                owner,
                now,
                limit,
                None,
                known_after(known or {}, outs),
                ttl,
                app=app,
                exclude=[i for i in exclude if i not in gone],
            )
        return outs, items


def known_after(known: Mapping[str, int], outs: Sequence[ApplyOutcome]) -> Mapping[str, int]:
    """The history lengths a remote executor holds once it has taken in ``outs``: a turn
    applied (and neither finished nor restarted) adds its appended events to a held copy; any
    other outcome drops the copy. Other instances are as in ``known`` (read, not copied)."""
    changed: dict[str, int | None] = {}
    for o in outs:
        held = known.get(o.instance_id)
        keep = held is not None and o.applied and not (o.finished or o.restarted)
        changed[o.instance_id] = held + len(o.appended) if held is not None and keep else None
    return _Overlay(known, changed)


class _Overlay(Mapping[str, int]):
    """``known`` with the lengths in ``changed`` put over it (None: no copy held)."""

    def __init__(self, known: Mapping[str, int], changed: dict[str, int | None]) -> None:
        self._known = known
        self._changed = changed

    def __getitem__(self, iid: str) -> int:
        found = self._changed[iid] if iid in self._changed else self._known.get(iid)
        if found is None:
            raise KeyError(iid)
        return found

    def __iter__(self) -> Iterator[str]:
        yield from (i for i in self._known if i not in self._changed)
        yield from (i for i, n in self._changed.items() if n is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)
