"""Replay: (past events, new events) → the turn's actions. No thread, clock or database.

``WorkflowExecutor.execute(instance_id, past, new)`` re-runs the workflow generator over
``past`` (``is_replaying`` true), then feeds it ``new``, and returns a
:class:`~wfctl.engine.history.TurnResult`:

- ``actions``: work decided in this turn and not yet in history, in task-id order
  (``ScheduleTask``, ``CreateTimer``, ``CreateChildWorkflow``), or exactly one
  ``CompleteWorkflow`` when the run ended (COMPLETED, FAILED, CONTINUED_AS_NEW).
- ``custom_status``: the value last given to ``set_custom_status`` (or None): a ``str`` as it
  is, another value as its JSON text.
- ``waiting_for``: the case-folded event names the workflow is now blocked on.

Caching: the executor keeps each unfinished run's live generator. When ``past`` begins with
exactly the events the cached run has consumed (checked by length, the run's
ExecutionStarted and the last consumed event; ``event_id`` may differ), only the rest of
``past`` and then ``new`` are applied, so a step costs O(1) however long the history. Any
mismatch falls back to a full replay. The store must therefore persist each event it passed
in ``new`` unchanged (type, timestamp, task_id, name) for cache hits; ``forget(id)`` drops an
entry (call it when a claim is lost, an instance is terminated, purged or replaced).

Non-determinism: every TaskScheduled / TimerCreated / ChildWorkflowCreated in history must
meet a pending action of the same task id, kind and name; otherwise the run fails with
error type ``NonDeterminismError``. Completions for unknown task ids are ignored.
"""

from __future__ import annotations

import inspect
import os
import threading
import traceback
from collections import OrderedDict
from collections.abc import Callable, Generator, Sequence
from datetime import datetime
from typing import Any

from wfctl.engine.context import DaprWorkflowContext, to_naive_utc
from wfctl.engine.history import (
    SCHEDULED_EVENTS,
    Action,
    ChildWorkflowCompleted,
    ChildWorkflowCreated,
    ChildWorkflowFailed,
    CompleteWorkflow,
    CreateChildWorkflow,
    CreateTimer,
    EventRaised,
    ExecutionStarted,
    HistoryEvent,
    OrchestratorStarted,
    ScheduleTask,
    TaskCompleted,
    TaskFailed,
    TaskScheduled,
    TimerFired,
    TurnResult,
)
from wfctl.engine.registry import Registry
from wfctl.engine.serialization import from_json, input_parameter, to_json
from wfctl.engine.tasks import NonDeterminismError, Task, TaskFailedError
from wfctl.model import FailureDetails, RuntimeStatus, UsageError

_SCHEDULED = SCHEDULED_EVENTS  # what must meet an action of the same number


def failure_from_exception(exc: BaseException) -> FailureDetails:
    """Dapr's failure details for an exception: class name, message, formatted traceback."""
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return FailureDetails(error_type=type(exc).__name__, message=str(exc), stack_trace=trace)


def _sig(ev: HistoryEvent) -> tuple[Any, ...]:
    """What identifies an event across its trip from ``new`` into ``past``."""
    return (ev.TYPE, ev.timestamp, getattr(ev, "task_id", None), getattr(ev, "name", None))


def _describe_event(ev: HistoryEvent) -> str:
    if isinstance(ev, TaskScheduled):
        return f"activity {ev.name!r}"
    if isinstance(ev, ChildWorkflowCreated):
        return f"child workflow {ev.name!r}"
    return "a timer"


def _describe_action(action: Action | None) -> str:
    if isinstance(action, ScheduleTask):
        return f"schedules activity {action.name!r}"
    if isinstance(action, CreateChildWorkflow):
        return f"starts child workflow {action.name!r}"
    if isinstance(action, CreateTimer):
        return "creates a timer"
    return "schedules nothing"


class _Run:
    """One run of one instance: its context, live generator and what it has consumed."""

    def __init__(self, instance_id: str, registry: Registry) -> None:
        self.instance_id = instance_id
        self.registry = registry
        self.ctx: DaprWorkflowContext | None = None
        self.gen: Generator[Any, Any, Any] | None = None
        self.current: Task | None = None
        self.outcome: CompleteWorkflow | None = None
        self.save_events = False
        self.consumed = 0
        self.start_index = -1
        self.start_sig: tuple[Any, ...] | None = None
        self.last_sig: tuple[Any, ...] | None = None
        self.now: datetime | None = None
        self.name = ""
        self.early_events: list[EventRaised] = []

    # -- feeding events ----------------------------------------------------------------
    def apply(self, ev: HistoryEvent, replaying: bool) -> None:
        self.consumed += 1
        self.last_sig = _sig(ev)
        ctx = self.ctx
        if ctx is not None:
            ctx._is_replaying = replaying
        if isinstance(ev, OrchestratorStarted):
            self.now = to_naive_utc(ev.timestamp)
            if ctx is not None:
                ctx._now = self.now
            return
        if isinstance(ev, ExecutionStarted):
            if ctx is None and self.outcome is None:
                self.start_index = self.consumed - 1
                self.start_sig = self.last_sig
                self._start(ev, replaying)
            return
        if ctx is None:
            if isinstance(ev, EventRaised):
                self.early_events.append(ev)  # raised before the start: delivered at start
            return
        if self.outcome is not None:
            status = self.outcome.status
            if isinstance(ev, EventRaised) and status is RuntimeStatus.CONTINUED_AS_NEW:
                ctx._deliver(ev)  # kept for save_events
            elif isinstance(ev, _SCHEDULED) and status is not RuntimeStatus.FAILED:
                self._nondeterminism(ev, None)
            return
        try:
            self._dispatch(ctx, ev)
        except NonDeterminismError as exc:
            self._fail(FailureDetails("NonDeterminismError", str(exc), ""))
            return
        except Exception as exc:  # e.g. a payload in history that is not JSON
            self._fail(failure_from_exception(exc))
            return
        self._resume()

    def _dispatch(self, ctx: DaprWorkflowContext, ev: HistoryEvent) -> None:
        if isinstance(ev, _SCHEDULED):
            action = ctx._pending_actions.get(ev.task_id)
            if not _matches(ev, action):
                self._raise_nondeterminism(ev, action)
            del ctx._pending_actions[ev.task_id]
        elif isinstance(ev, (TaskCompleted, ChildWorkflowCompleted)):
            task = ctx._pending_tasks.pop(ev.task_id, None)
            if task is not None:
                ctx._retry_calls.pop(ev.task_id, None)
                task.complete(from_json(ev.result))
        elif isinstance(ev, (TaskFailed, ChildWorkflowFailed)):
            task = ctx._pending_tasks.pop(ev.task_id, None)
            if task is not None and not self._retry(ctx, ev):
                ctx._retry_calls.pop(ev.task_id, None)
                # Worded as the Dapr SDK words it; apps print and match these.
                if isinstance(ev, TaskFailed):
                    head = f"{ctx.instance_id}: Activity task #{ev.task_id}"
                else:
                    head = f"Sub-orchestration task #{ev.task_id}"
                message = f"{head} failed: {ev.failure.message}"
                task.fail(TaskFailedError(message, ev.failure))
        elif isinstance(ev, TimerFired):
            task = ctx._pending_tasks.pop(ev.task_id, None)
            retry = ctx._retry_timers.pop(ev.task_id, None)
            if retry is not None:
                retry.attempts += 1
                call_id = retry.action.task_id
                ctx._pending_actions[call_id] = retry.action
                ctx._pending_tasks[call_id] = retry.task
            if task is not None:
                task.complete(None)
        elif isinstance(ev, EventRaised):
            ctx._deliver(ev)
        # ExecutionSuspended/Resumed/Terminated/Completed: the store's business.

    def _retry(self, ctx: DaprWorkflowContext, ev: TaskFailed | ChildWorkflowFailed) -> bool:
        """Arm a retry timer for a failed call under a retry policy; False when out of tries."""
        retry = ctx._retry_calls.get(ev.task_id)
        if retry is None or not retry.policy.is_retryable(ev.failure.error_type):
            return False
        delay = retry.policy.next_delay(retry.attempts)
        if delay is None:
            return False
        timer_id = ctx._next_id()
        ctx._pending_actions[timer_id] = CreateTimer(timer_id, ctx._now + delay)
        ctx._retry_timers[timer_id] = retry
        return True

    def _raise_nondeterminism(self, ev: HistoryEvent, action: Action | None) -> None:
        task_id = getattr(ev, "task_id", 0)
        raise NonDeterminismError(
            f"Non-deterministic workflow {self.name!r}: step {task_id} (task id {task_id}) "
            f"was {_describe_event(ev)} in history, but the code now {_describe_action(action)} "
            "there. Finish or purge running instances before changing a workflow's steps."
        )

    def _nondeterminism(self, ev: HistoryEvent, action: Action | None) -> None:
        try:
            self._raise_nondeterminism(ev, action)
        except NonDeterminismError as exc:
            self.outcome = CompleteWorkflow(
                RuntimeStatus.FAILED, failure=FailureDetails("NonDeterminismError", str(exc), "")
            )

    # -- the generator -----------------------------------------------------------------
    def _start(self, ev: ExecutionStarted, replaying: bool) -> None:
        self.name = ev.name
        now = self.now or to_naive_utc(ev.timestamp)
        self.now = now
        ctx = DaprWorkflowContext(
            ev.instance_id or self.instance_id,
            ev.name,
            self.registry,
            now,
            parent_instance_id=ev.parent_instance_id,
        )
        ctx._is_replaying = replaying
        self.ctx = ctx
        fn = self.registry.workflows.get(ev.name)
        if fn is None:
            known = ", ".join(sorted(self.registry.workflows)) or "none"
            self._fail(
                FailureDetails(
                    "WorkflowNotRegisteredError",
                    f"workflow {ev.name!r} is not registered in this app (registered: {known})",
                    "",
                )
            )
            return
        try:
            for early in self.early_events:
                ctx._deliver(early)
            self.early_events.clear()
            takes_input, annotation = input_parameter(fn)
            result = fn(ctx, from_json(ev.input, annotation)) if takes_input else fn(ctx)
        except Exception as exc:
            self._fail(failure_from_exception(exc))
            return
        if inspect.isgenerator(result):
            self.gen = result
            self._step(result.send, None)
            self._resume()
        elif inspect.iscoroutine(result):
            result.close()
            self._fail(
                FailureDetails(
                    "TypeError",
                    f"workflow {ev.name!r} is an async function; write it as a generator "
                    "(def + yield)",
                    "",
                )
            )
        else:
            self._finish(result)

    def _resume(self) -> None:
        while self.outcome is None and self.current is not None and self.current.is_complete:
            task, gen = self.current, self.gen
            assert gen is not None
            if task.is_failed:
                self._step(gen.throw, task.get_exception())
            else:
                self._step(gen.send, task._result)

    def _step(self, advance: Callable[[Any], Any], arg: Any) -> None:
        try:
            yielded = advance(arg)
        except StopIteration as stop:
            self._finish(stop.value)
            return
        except Exception as exc:
            self._fail(failure_from_exception(exc))
            return
        assert self.ctx is not None
        if self.ctx._continue_as_new is not None:
            self._finish(None)
        elif isinstance(yielded, Task):
            self.current = yielded
        else:
            self._fail(
                FailureDetails(
                    "TypeError",
                    f"workflow {self.name!r} yielded {type(yielded).__name__}; yield a task "
                    "from ctx.call_activity, create_timer, wait_for_external_event, "
                    "when_all or when_any",
                    "",
                )
            )

    def _finish(self, value: Any) -> None:
        assert self.ctx is not None
        self.current = None
        if self.ctx._continue_as_new is not None:
            data, self.save_events = self.ctx._continue_as_new
            self.outcome = CompleteWorkflow(RuntimeStatus.CONTINUED_AS_NEW, result=data)
            return
        try:
            result = None if value is None else to_json(value)
        except Exception as exc:
            self._fail(failure_from_exception(exc))
            return
        self.outcome = CompleteWorkflow(RuntimeStatus.COMPLETED, result=result)

    def _fail(self, failure: FailureDetails) -> None:
        self.current = None
        self.outcome = CompleteWorkflow(RuntimeStatus.FAILED, failure=failure)

    # -- the answer --------------------------------------------------------------------
    def result(self) -> TurnResult:
        ctx = self.ctx
        status = ctx._custom_status if ctx is not None else None
        if self.outcome is not None:
            outcome = self.outcome
            if outcome.status is RuntimeStatus.CONTINUED_AS_NEW:
                carry = ctx._carryover() if (ctx is not None and self.save_events) else []
                outcome = CompleteWorkflow(outcome.status, result=outcome.result)
                outcome.carryover_events = list(carry)
            if ctx is not None:
                # The SDK numbers the completing action as the run's next task.
                outcome.action_id = ctx._seq + 1
            return TurnResult(actions=[outcome], custom_status=status)
        if ctx is None:
            return TurnResult()
        actions = sorted(ctx._take_actions(), key=lambda a: a.task_id)  # type: ignore[union-attr]
        return TurnResult(actions=actions, custom_status=status, waiting_for=ctx._waiting_for())


def _matches(ev: HistoryEvent, action: Action | None) -> bool:
    if isinstance(ev, TaskScheduled):
        return isinstance(action, ScheduleTask) and action.name == ev.name
    if isinstance(ev, ChildWorkflowCreated):
        return isinstance(action, CreateChildWorkflow) and action.name == ev.name
    return isinstance(action, CreateTimer)


_DEFAULT_CACHE = 10_000


def _default_cache_size() -> int:
    raw = os.environ.get("WFCTL_REPLAY_CACHE", "").strip()
    if not raw:
        return _DEFAULT_CACHE
    try:
        return max(0, int(raw))
    except ValueError:
        raise UsageError(
            f"WFCTL_REPLAY_CACHE must be a whole number of workflows to cache, got {raw!r}"
        ) from None


class WorkflowExecutor:
    """Runs workflow turns for one registry, keeping live generators between turns.

    Thread-safe for different instances; a single instance must not run two turns at once
    (the store's claim guarantees that).
    """

    def __init__(self, registry: Registry, *, max_cached: int | None = None) -> None:
        """``max_cached`` live generators are kept (default: ``$WFCTL_REPLAY_CACHE``, else
        10,000); 0 replays every turn from the start, as the Dapr SDK does, so that prints
        in workflow code repeat exactly as they do under a sidecar."""
        self.registry = registry
        self.max_cached = _default_cache_size() if max_cached is None else max(0, max_cached)
        self.cache_hits = 0
        self.cache_misses = 0
        self._cache: OrderedDict[str, _Run] = OrderedDict()
        self._lock = threading.Lock()

    def execute(
        self, instance_id: str, past: Sequence[HistoryEvent], new: Sequence[HistoryEvent]
    ) -> TurnResult:
        """One turn; see the module docstring. Never raises for workflow-code errors."""
        with self._lock:
            run = self._cache.pop(instance_id, None)
        if run is not None and self._fits(run, past):
            self.cache_hits += 1
            rest = past[run.consumed :]
        else:
            self.cache_misses += 1
            run = _Run(instance_id, self.registry)
            rest = past
        for ev in rest:
            run.apply(ev, True)
        for ev in new:
            run.apply(ev, False)
        result = run.result()
        if run.outcome is None and run.ctx is not None:
            with self._lock:
                self._cache[instance_id] = run
                while len(self._cache) > self.max_cached:
                    self._cache.popitem(last=False)
        return result

    @staticmethod
    def _fits(run: _Run, past: Sequence[HistoryEvent]) -> bool:
        n = run.consumed
        if n == 0 or len(past) < n or run.start_index < 0:
            return False
        return _sig(past[run.start_index]) == run.start_sig and _sig(past[n - 1]) == run.last_sig

    def forget(self, instance_id: str) -> None:
        """Drop the cached generator of ``instance_id`` (the next turn replays in full)."""
        with self._lock:
            self._cache.pop(instance_id, None)

    def cached(self, instance_id: str) -> bool:
        """Whether a live generator is cached for ``instance_id``."""
        with self._lock:
            return instance_id in self._cache
