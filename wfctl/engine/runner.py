"""How the engine runs activities: thread pool, event-loop thread, or inline.

Mixed into :class:`wfctl.engine.worker.Engine`. ``def`` activities run on a thread pool of
``concurrency`` threads, ``async def`` ones on one event-loop thread; an activity whose last
few runs each took microseconds runs on the loop thread itself, where a hand-off would cost
more than the work. Every outcome lands in the engine's ``_done`` queue and wakes the loop.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from typing import Any

from wfctl.engine.store import HUB, TaskItem, TaskOutcome
from wfctl.model import FailureDetails

INLINE_MAX = 0.0005  # an activity whose last INLINE_AFTER runs each took less than this...
INLINE_AFTER = 3  # ...runs on the loop thread instead of the pool


def failure_of(exc: BaseException) -> FailureDetails:
    """Failure details of an exception: class name, message, formatted traceback."""
    return FailureDetails(
        error_type=type(exc).__name__,
        message=str(exc),
        stack_trace="".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
    )


class ActivityRunner:
    """_submit(item) and the pools behind it."""

    registry: Any
    concurrency: int
    _runner: Any
    _inflight: dict[int, TaskItem]
    _done: queue.SimpleQueue[TaskOutcome]
    _fast: dict[str, int]
    _pool: Any
    _aloop: Any

    # ------------------------------------------------------------------ activities
    def _submit(self, item: TaskItem) -> None:
        self._inflight[item.id] = item
        if self._runner is None and self._is_async(item.name):
            import asyncio

            from wfctl.engine.activities import run_activity_async

            coro = run_activity_async(
                self.registry,
                item.name,
                item.input,
                instance_id=item.instance_id,
                task_id=item.task_id,
            )
            fut: Any = asyncio.run_coroutine_threadsafe(coro, self._async_loop())
        elif self._fast.get(item.name, 0) >= INLINE_AFTER:
            # Known to take microseconds: a hand-off to the pool would cost more than the
            # activity. Run it here; its outcome is recorded by the next round.
            try:
                outcome = TaskOutcome(item, *self._run_sync(item))
            except Exception as exc:
                outcome = TaskOutcome(item, None, failure_of(exc))
            self._done.put(outcome)
            return
        else:
            fut = self._thread_pool().submit(self._run_sync, item)
        fut.add_done_callback(lambda f, item=item: self._finished(item, f))

    def _is_async(self, name: str) -> bool:
        from wfctl.engine.activities import is_async_activity

        try:
            return bool(is_async_activity(self.registry, name))
        except Exception:
            return False

    def _run_sync(self, item: TaskItem) -> tuple[str | None, FailureDetails | None]:
        t = time.perf_counter()
        try:
            if self._runner is not None:
                return self._runner(item.name, item.input, item.instance_id, item.task_id)
            from wfctl.engine.activities import run_activity

            out = run_activity(
                self.registry,
                item.name,
                item.input,
                instance_id=item.instance_id,
                task_id=item.task_id,
            )
            return out.result, out.failure
        finally:
            # Count consecutive quick runs per activity; one slow run sends it back to the pool.
            quick = time.perf_counter() - t < INLINE_MAX
            self._fast[item.name] = self._fast.get(item.name, 0) + 1 if quick else 0

    def _finished(self, item: TaskItem, fut: Any) -> None:
        try:
            res = fut.result()
            if isinstance(res, tuple):
                result, failure = res
            else:
                result, failure = res.result, res.failure
            outcome = TaskOutcome(item, result, failure)
        except BaseException as exc:
            outcome = TaskOutcome(item, None, failure_of(exc))
        self._done.put(outcome)
        HUB.bump()

    def _thread_pool(self) -> Any:
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="wfctl-activity")
        return self._pool

    def _async_loop(self) -> Any:
        if self._aloop is None:
            import asyncio

            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=loop.run_forever, name="wfctl-async-activities", daemon=True
            )
            thread.start()
            self._aloop = (loop, thread)
        return self._aloop[0]
