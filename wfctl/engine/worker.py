"""The engine loop: claim turns -> executor -> apply; claim activity tasks -> run -> record.

One :class:`Engine` owns one store connection and one lease-owner ID. Its loop runs in the
thread that calls :meth:`Engine.drive` or :meth:`Engine.run_forever`; activities run on a
thread pool (``async def`` ones on one event-loop thread) and hand their outcomes back to the
loop, which records them in batches. Timers are inbox rows that become visible when due: the
loop sleeps until the next one (or a change in this process, or a short poll for changes
made by other processes).

How an engine is run (a background thread, the ``wfctl worker`` process) is in
:mod:`wfctl.engine.background`.

While this process holds an instance, its history stays in memory and the executor keeps the
live generator, so a step costs no replay; when another process moved the instance on (the
history length no longer matches) the executor is told to forget it and replays.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from wfctl.engine.faults import Reaper, StorageTrouble, pause_after, start_lease_renewer
from wfctl.engine.history import CompleteWorkflow, HistoryEvent, TurnResult
from wfctl.engine.interrupt import Interrupt, deferred_sigint
from wfctl.engine.runner import ActivityRunner, failure_of
from wfctl.engine.schema import TransientStorageError
from wfctl.engine.store import (
    HUB,
    ApplyOutcome,
    StartRequest,
    Store,
    TaskItem,
    TaskOutcome,
    TurnItem,
    new_owner_id,
)
from wfctl.model import FailureDetails, RuntimeStatus, StorageError

log = logging.getLogger("wfctl.engine")
Until = Literal["idle", "start", "completion"]
MAX_CACHED = 10_000  # instances whose history (and live generator) stay in memory
POLL = 0.05  # how often an idle loop looks for work written by other processes
SWITCH_INTERVAL = 0.001  # the GIL switch interval while an engine runs
LINGER = 0.0003  # how long a round waits for the next start of a stream of starts
# An activity runner: (name, input_json, instance_id, task_id) -> (result_json, failure).
Runner = Callable[[str, "str | None", str, int], "tuple[str | None, FailureDetails | None]"]


def _names(registry: Any, attr: str) -> list[str] | None:
    table = getattr(registry, attr, None)
    return None if table is None else sorted(table)


class Engine(ActivityRunner):
    """Drives workflows stored in ``db_path`` with the code in ``registry``.

    ``executor`` (default: ``wfctl.engine.replay.WorkflowExecutor(registry)``) computes turns;
    ``runner`` (default: ``wfctl.engine.activities``) runs activities; ``concurrency`` bounds
    the activities running at once. Not re-entrant: one loop at a time per Engine.
    """

    def __init__(
        self,
        db_path: str | Path,
        registry: Any = None,
        *,
        executor: Any = None,
        runner: Runner | None = None,
        concurrency: int = 8,
        ttl: float = 30.0,
        batch: int = 128,
        store: Store | None = None,
    ) -> None:
        self.registry = registry
        if sys.getswitchinterval() > SWITCH_INTERVAL:
            # The loop, the activity threads and waiting clients hand work to each other
            # many times per step: let a woken thread get the GIL within 1 ms, not 5 ms.
            sys.setswitchinterval(SWITCH_INTERVAL)
        self.store = store if store is not None else Store(db_path)
        self.owner = new_owner_id()
        if executor is None:
            from wfctl.engine.replay import WorkflowExecutor

            executor = WorkflowExecutor(registry)
        self.executor = executor
        self._runner = runner
        # Work of workflows or activities this registry lacks is left to engines that have
        # them (several apps may share a file); None: take everything.
        self.workflows = _names(registry, "workflows")
        self.activities = None if runner is not None else _names(registry, "activities")
        # ...and of instances another app owns (same-named workflows of two apps must not
        # run each other's code): the registry's app identity; None: any instance.
        self.app: str | None = getattr(registry, "app_identity", None)
        self.concurrency = max(1, concurrency)
        self.ttl = ttl
        self.batch = batch
        self._hist: dict[str, list[HistoryEvent]] = {}
        self._known: dict[str, int] = {}
        self._ready: deque[TaskItem] = deque()
        self._inflight: dict[int, TaskItem] = {}
        self._done: queue.SimpleQueue[TaskOutcome] = queue.SimpleQueue()
        self._pool: Any = None
        self._aloop: Any = None
        self._reap = Reaper(self.store)
        self._last_task_poll = 0.0
        self._run_lock = threading.Lock()
        self._starts: deque[StartRequest] = deque()
        self._start_lock = threading.Lock()
        self._accepting = False
        self._start_streak = 0
        self._fast: dict[str, int] = {}
        self._due: float | None = None
        self._due_at = 0.0
        self._due_dirty = True
        self._due_roots: Sequence[str] | None = None
        self._trouble: StorageTrouble | None = None

    @property
    def failed_writes(self) -> int:
        """How many times in a row ``run_forever`` could not commit (a full disk); 0 when
        its last round went through."""
        return self._trouble.failing if self._trouble is not None else 0

    # ------------------------------------------------------------------ public
    def drive(
        self,
        instance_ids: Sequence[str] | None = None,
        *,
        until: Until = "idle",
        limit: float | None = None,
    ) -> bool:
        """Run until the instances (their families; all, when None) are idle — finished, or
        waiting only for events or future timers — or have started / completed (``until``),
        or ``limit`` seconds pass. Then let activities in flight finish, record them, hand
        back every lease and return whether the condition held."""
        ids = list(instance_ids) if instance_ids is not None else None
        deadline = None if limit is None else time.monotonic() + limit
        # Ctrl-C is taken at the top of a round and after a sleep, where every activity the
        # engine counts as in flight really is (see wfctl.engine.interrupt).
        with self._run_lock, deferred_sigint() as intr:
            roots = self.store.queues.roots_of(ids) if ids is not None else None
            if roots is not None and not roots:
                return True  # none of them exists: nothing to drive
            met = False
            renewer = self._start_renewer()
            try:
                while True:
                    intr.check()
                    seen, writes = HUB.version, self.store.db.writes
                    did = self._cycle(roots)
                    if until != "idle" or not did:
                        met = self._condition(ids, roots, until)
                        if met:
                            break
                    now = time.monotonic()
                    if deadline is not None and now >= deadline:
                        break
                    left = None if deadline is None else deadline - now
                    if not did:
                        self._sleep(seen, roots, left)
                    elif self._only_waiting_for_activities(seen, writes):
                        self._sleep(seen + self.store.db.writes - writes, roots, left)
            finally:
                try:
                    self._finish(intr)
                finally:
                    renewer.set()
            return met

    def run_forever(self, stop: threading.Event) -> None:
        """Drive every instance in the file until ``stop`` is set; then finish the activities
        in flight and hand back every lease."""
        with self._run_lock:
            key = _key(self.store.db.path)
            self._accepting = True
            _LOCAL.setdefault(key, self)
            renewer = self._start_renewer()
            trouble = self._trouble = StorageTrouble(self.store, lambda: len(self._inflight))
            broken = False
            try:
                while not stop.is_set():
                    seen, writes = HUB.version, self.store.db.writes
                    try:
                        did = self._cycle(None)
                    except TransientStorageError as exc:
                        # A full disk: the activity results stay in memory (never run
                        # again) and the same commit is retried, backing off.
                        stop.wait(trouble.failed(exc))
                        continue
                    except StorageError:  # read-only, corrupt, gone: no retry can help
                        broken = True
                        raise
                    except Exception as exc:  # WfctlError, or a bug
                        pause_after(exc, stop, log, "wfctl engine")
                        continue
                    trouble.ok()
                    if not did:
                        self._sleep(seen, None, None)
                    elif self._only_waiting_for_activities(seen, writes):
                        self._sleep(seen + self.store.db.writes - writes, None, None)
            finally:
                with self._start_lock:
                    self._accepting = False
                if _LOCAL.get(key) is self:
                    del _LOCAL[key]
                try:
                    self._finish()
                except StorageError:
                    if not (broken or trouble.failing):
                        raise
                    # The file cannot take the results: they are lost with this process,
                    # and their activities run again after it, as after a crash.
                finally:
                    renewer.set()

    def submit_start(self, instance_id: str, name: str, input: str | None) -> StartRequest | None:
        """Have this running engine (``run_forever``) record a start (owned by this engine's
        app) in its next commit, together with the instance's first turn; wait on
        ``request.done`` (it is always set, with ``error`` on failure). None when the engine
        is not running."""
        req = StartRequest(instance_id, name, input, app=self.app)
        with self._start_lock:
            if not self._accepting:
                return None
            self._starts.append(req)
        HUB.bump()
        return req

    def _start_renewer(self) -> threading.Event:
        return start_lease_renewer(
            self.store, self.owner, self.ttl, lambda: bool(self._inflight or self._ready)
        )

    def close(self) -> None:
        """Stop the pools and close the store (after drive/run_forever returned)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._aloop is not None:
            loop, thread = self._aloop
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            loop.close()
            self._aloop = None
        self.store.close()

    # ------------------------------------------------------------------ the loop
    def _cycle(self, roots: Sequence[str] | None) -> bool:
        now = time.monotonic()
        self._reap(now)
        if not self._starts and self._start_streak >= 2 and LINGER:
            # Starts are arriving one per round (a client starting many in a row): give the
            # next one a moment to join this round's commit instead of waiting for the next.
            HUB.wait(HUB.version, LINGER)
        outcomes = self._drain_done()
        for o in outcomes:
            self._inflight.pop(o.item.id, None)
        starts = self._take_starts()
        pasts: dict[str, list[HistoryEvent]] = {}

        def execute(items: list[TurnItem]) -> list[TurnResult]:
            out = []
            for it in items:
                res, pasts[it.instance_id] = self._execute(it)
                out.append(res)
            return out

        try:
            _, pairs = self.store.dispatch.step(
                self.owner,
                outcomes,
                execute,
                limit=self.batch,
                roots=roots,
                known=self._known,
                ttl=self.ttl,
                starts=starts,
                workflows=self.workflows,
                app=self.app,
            )
        except BaseException as exc:
            self._not_committed(outcomes, pasts, starts, exc)
            raise
        self._applied(pairs, pasts)
        if starts:
            live = {o.instance_id for _, o in pairs if o.applied and not o.finished}
            for r in starts:
                r.running = r.error is None and r.instance_id in live
                r.done.set()
        did = bool(outcomes or pairs)
        did = self._submit_ready() or did
        return self._claim_others(roots, now, did) or did

    def _take_starts(self) -> list[StartRequest]:
        """The starts submitted since the last round (``submit_start``)."""
        starts = []
        while self._starts:
            starts.append(self._starts.popleft())
        self._start_streak = self._start_streak + 1 if starts else 0
        return starts

    def _applied(
        self, pairs: list[tuple[TurnItem, ApplyOutcome]], pasts: dict[str, list[HistoryEvent]]
    ) -> None:
        """Keep what a round committed: the live histories, the new tasks to run.

        Runs once the commit is durable, never before: a commit that fails (a full disk)
        must leave no trace here, or its activities would run although nothing scheduled
        them, once per retry. Started before the commit, a crash in it would re-run the
        activity whose result it carried *and* the new one."""
        for _, out in pairs:
            iid = out.instance_id
            if out.restarted or any(e.TYPE == "TimerCreated" for e in out.appended):
                self._due_dirty = True
            if out.applied and not out.finished and not out.restarted:
                hist = [*pasts[iid], *out.appended]
                self._hist.pop(iid, None)
                self._hist[iid] = hist
                self._known[iid] = len(hist)
                self._ready.extend(out.tasks)
                if len(self._hist) > MAX_CACHED:  # least recently stepped goes first
                    self._forget(next(iter(self._hist)))
            else:
                self._forget(iid)

    def _not_committed(
        self,
        outcomes: list[TaskOutcome],
        pasts: dict[str, list[HistoryEvent]],
        starts: list[StartRequest],
        exc: BaseException,
    ) -> None:
        """Undo a round whose commit failed, so that the next round redoes it."""
        for o in outcomes:  # not recorded: keep them for the next round
            self._inflight[o.item.id] = o.item
            self._done.put(o)
        for iid in pasts:  # computed, not committed: the live generators are ahead
            self._forget(iid)
        for r in starts:
            r.error = exc if isinstance(exc, Exception) else RuntimeError(str(exc))
            r.done.set()

    def _claim_others(self, roots: Sequence[str] | None, now: float, did: bool) -> bool:
        """Claim activity tasks this engine did not create (released, or their owner's lease
        expired), up to its free slots; whether it claimed any."""
        free = self.concurrency - len(self._inflight)
        # Tasks this engine created come leased to it; look for others' only when otherwise
        # idle, or every POLL seconds.
        if free <= 0 or (did and now - self._last_task_poll <= POLL):
            return False
        self._last_task_poll = now
        claimed = False
        for t in self.store.queues.claim_tasks(
            self.owner,
            limit=free,
            roots=roots,
            ttl=self.ttl,
            activities=self.activities,
            app=self.app,
        ):
            self._submit(t)
            claimed = True
        return claimed

    def _only_waiting_for_activities(self, seen: int, writes: int) -> bool:
        """After a round with work: True when another round now would find nothing — no
        change but this engine's own commits, no outcome or start queued — and activities
        are running, whose end will wake the loop. Saves an empty round per step."""
        own = self.store.db.writes - writes
        return (
            bool(self._inflight)
            and HUB.version - seen == own
            and self._done.empty()
            and not self._starts
        )

    def _submit_ready(self) -> bool:
        free = self.concurrency - len(self._inflight)
        n = 0
        while self._ready and n < free:
            self._submit(self._ready.popleft())
            n += 1
        return n > 0

    def _condition(self, ids: list[str] | None, roots: Sequence[str] | None, until: Until) -> bool:
        if until == "idle" or ids is None:
            return not (self._inflight or self._ready) and not self.store.queues.busy(
                roots, workflows=self.workflows, activities=self.activities, app=self.app
            )
        statuses = self.store.instances.get_statuses(ids)
        if until == "start":
            return all(s != RuntimeStatus.PENDING for s in statuses.values())
        return all(s.is_terminal for s in statuses.values())

    def _sleep(self, seen: int, roots: Sequence[str] | None, left: float | None) -> None:
        timeout = POLL
        if left is not None:
            timeout = min(timeout, max(left, 0.0))
        now = time.monotonic()
        if self._due_dirty or now - self._due_at > POLL or self._due_roots is not roots:
            # Timers come from this engine's own rounds (which mark the cache dirty) or from
            # elsewhere (seen within POLL): no query per sleep on the hot path.
            self._due = self.store.queues.next_due(roots, workflows=self.workflows, app=self.app)
            self._due_at, self._due_dirty, self._due_roots = now, False, roots
        nxt = self._due
        if nxt is not None:
            timeout = min(timeout, max(nxt - self.store.db.clock(), 0.0))
        HUB.wait(seen, timeout)

    def _finish(self, intr: Interrupt | None = None) -> None:
        """Let activities in flight finish, record them, hand back every lease. A Ctrl-C
        (``intr``) while they run stops the waiting: what has not finished runs again
        later, as after a crash."""
        try:
            while self._inflight and not (intr is not None and intr.pending):
                seen = HUB.version
                self._record_done()
                if not self._inflight:
                    break
                HUB.wait(seen, POLL)
            self._record_done()
        finally:
            self._ready.clear()
            self.store.leases.release(self.owner)
            while self._starts:  # starts that arrived as the loop stopped: record them
                r = self._starts.popleft()
                try:
                    self.store.instances.create_instance(r.instance_id, r.name, r.input, app=r.app)
                except Exception as exc:
                    r.error = exc
                r.done.set()

    def _drain_done(self) -> list[TaskOutcome]:
        outcomes: list[TaskOutcome] = []
        while True:
            try:
                outcomes.append(self._done.get_nowait())
            except queue.Empty:
                return outcomes

    def _record_done(self) -> bool:
        outcomes = self._drain_done()
        if not outcomes:
            return False
        self.store.queues.complete_tasks(self.owner, outcomes)
        for o in outcomes:
            self._inflight.pop(o.item.id, None)
        return True

    # ------------------------------------------------------------------ turns
    def _execute(self, it: TurnItem) -> tuple[TurnResult, list[HistoryEvent]]:
        iid = it.instance_id
        if it.past is None:
            past = self._hist[iid]
        else:
            past = it.past
            if iid in self._hist:
                self._forget(iid)
        try:
            return self.executor.execute(iid, past, it.new), past
        except Exception as exc:  # an executor bug must not stop the loop: fail the run
            self._forget(iid)
            failed = CompleteWorkflow(status=RuntimeStatus.FAILED, failure=failure_of(exc))
            return TurnResult(actions=[failed]), past

    def _forget(self, iid: str) -> None:
        self._hist.pop(iid, None)
        self._known.pop(iid, None)
        forget = getattr(self.executor, "forget", None)
        if forget is not None:
            forget(iid)


_LOCAL: dict[str, Engine] = {}


def _key(path: Path) -> str:
    return os.path.realpath(path)


def local_engine(db_path: str | Path, *, key: str | None = None) -> Engine | None:
    """The engine running ``run_forever`` on ``db_path`` in this process, if any. ``key``:
    ``os.path.realpath(db_path)`` when the caller has it already (it costs a few stat calls)."""
    return _LOCAL.get(key if key is not None else _key(Path(db_path)))
