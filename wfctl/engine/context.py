"""The objects a workflow and an activity receive: ``DaprWorkflowContext`` and
``WorkflowActivityContext``, with the Dapr Python SDK's names and signatures.

A ``DaprWorkflowContext`` is one run's replay state. Its methods never touch a clock, thread
or database: they create tasks and record *actions* (schedule an activity, create a timer,
start a child) that the executor in :mod:`wfctl.engine.replay` matches against history and
hands to the store. Every ``call_activity``, ``call_child_workflow`` and ``create_timer``
(retry and event-timeout timers too) takes the next task id of the run: 1, 2, 3...
"""

from __future__ import annotations

import warnings
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeVar

from wfctl.engine.history import (
    Action,
    CreateChildWorkflow,
    CreateTimer,
    EventRaised,
    ScheduleTask,
)
from wfctl.engine.registry import Registry
from wfctl.engine.serialization import from_json, to_json
from wfctl.engine.tasks import (
    CompletableTask,
    EventTask,
    EventWithTimeoutTask,
    RetryPolicy,
    Task,
    TimerTask,
)

if TYPE_CHECKING:  # uuid, random and hashlib load only when a workflow asks for them
    import random as _random
    import uuid

T = TypeVar("T")

_GUID_NAMESPACE = "5f0c2f1e-7a7e-4d1c-9b0e-77666c63746c"


def to_naive_utc(dt: datetime) -> datetime:
    """Naive UTC for any datetime (aware ones are converted; naive ones are taken as UTC)."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt


class _Retry:
    """A call under a retry policy: the action to repeat and how often it ran."""

    __slots__ = ("action", "attempts", "policy", "task")

    def __init__(
        self, policy: RetryPolicy, action: ScheduleTask | CreateChildWorkflow, task: CompletableTask
    ) -> None:
        self.policy = policy
        self.action = action
        self.task = task
        self.attempts = 1


class DaprWorkflowContext:
    """What a workflow function gets as ``ctx`` (Dapr's ``DaprWorkflowContext``)."""

    def __init__(
        self,
        instance_id: str,
        name: str,
        registry: Registry,
        now: datetime,
        *,
        parent_instance_id: str | None = None,
    ) -> None:
        self._instance_id = instance_id
        self._name = name
        self._registry = registry
        self._now = now
        self._parent_instance_id = parent_instance_id
        self._is_replaying = True
        self._seq = 0
        # Actions not yet confirmed by a scheduled event in history, by task id (in order).
        self._pending_actions: dict[int, Action] = {}
        # Tasks waiting for a completion event, by task id.
        self._pending_tasks: dict[int, CompletableTask] = {}
        self._retry_calls: dict[int, _Retry] = {}  # by the call's task id
        self._retry_timers: dict[int, _Retry] = {}  # by the retry timer's task id
        self._waits: dict[str, list[EventTask]] = {}
        # Events that arrived before anyone waited: (arrival number, event), per folded name.
        self._buffer: dict[str, deque[tuple[int, EventRaised]]] = {}
        self._arrivals = 0
        self._custom_status: str | None = None
        self._continue_as_new: tuple[str | None, bool] | None = None
        self._guid_counter = 0

    # -- read-only facts -------------------------------------------------------------------
    @property
    def instance_id(self) -> str:
        return self._instance_id

    @property
    def workflow_name(self) -> str:
        return self._name

    @property
    def parent_instance_id(self) -> str | None:
        return self._parent_instance_id

    @property
    def current_utc_datetime(self) -> datetime:
        """The turn's time (naive UTC), the same on every replay."""
        return self._now

    @property
    def is_replaying(self) -> bool:
        """True while the generator is re-running over recorded history."""
        return self._is_replaying

    # -- durable calls ---------------------------------------------------------------------
    def _next_id(self) -> int:
        self._seq += 1
        return self._seq

    def call_activity(
        self,
        activity: Callable[..., Any] | str,
        *,
        input: Any = None,
        retry_policy: RetryPolicy | None = None,
        app_id: str | None = None,
        **_options: Any,
    ) -> Task:
        """Schedule activity ``activity`` (function, wrapper or name); yield the task."""
        name = self._registry.activity_name(activity)
        task_id = self._next_id()
        action = ScheduleTask(task_id, name, None if input is None else to_json(input))
        return self._schedule(task_id, action, retry_policy)

    def call_child_workflow(
        self,
        workflow: Callable[..., Any] | str,
        *,
        input: Any = None,
        instance_id: str | None = None,
        retry_policy: RetryPolicy | None = None,
        app_id: str | None = None,
        **_options: Any,
    ) -> Task:
        """Start a child workflow (ID ``"<parent>:<task id as 4 hex digits>"`` by default)."""
        name = self._registry.workflow_name(workflow)
        task_id = self._next_id()
        child_id = instance_id or f"{self._instance_id}:{task_id:04x}"
        data = None if input is None else to_json(input)
        action = CreateChildWorkflow(task_id, name, child_id, data)
        return self._schedule(task_id, action, retry_policy)

    def _schedule(
        self,
        task_id: int,
        action: ScheduleTask | CreateChildWorkflow,
        retry_policy: RetryPolicy | None,
    ) -> Task:
        task: CompletableTask = CompletableTask()
        self._pending_actions[task_id] = action
        self._pending_tasks[task_id] = task
        if retry_policy is not None:
            self._retry_calls[task_id] = _Retry(retry_policy, action, task)
        return task

    def create_timer(self, fire_at: datetime | timedelta) -> Task:
        """A durable timer firing at ``fire_at`` (a datetime, or a delay from now)."""
        return self._new_timer(self._fire_time(fire_at))

    def _fire_time(self, fire_at: datetime | timedelta) -> datetime:
        if isinstance(fire_at, timedelta):
            return self._now + fire_at
        if isinstance(fire_at, datetime):
            return to_naive_utc(fire_at)
        raise TypeError(f"create_timer needs a datetime or timedelta, got {type(fire_at).__name__}")

    def _new_timer(self, fire_at: datetime) -> TimerTask:
        task_id = self._next_id()
        timer = TimerTask(fire_at)
        self._pending_actions[task_id] = CreateTimer(task_id, fire_at)
        self._pending_tasks[task_id] = timer
        return timer

    def wait_for_external_event(
        self, name: str, timeout: datetime | timedelta | None = None, **_options: Any
    ) -> Task:
        """Wait for event ``name`` (case-insensitive). Buffered events are used first, oldest
        first. With ``timeout``, the task fails with ``TimeoutError`` when it passes;
        ``timedelta(0)`` fails at once unless an event is already buffered."""
        key = name.casefold()
        event = EventTask(key)
        queue = self._buffer.get(key)
        if queue:
            _, raised = queue.popleft()
            if not queue:
                del self._buffer[key]
            event.complete(from_json(raised.data))
            return event
        if timeout is None:
            self._waits.setdefault(key, []).append(event)
            return event
        description = f"Timed out after {timeout!r} waiting for external event {name!r}"
        if isinstance(timeout, timedelta) and timeout <= timedelta(0):
            event.fail(TimeoutError(description))
            return event
        self._waits.setdefault(key, []).append(event)
        timer = self._new_timer(self._fire_time(timeout))
        return _TimeoutWait(self, event, timer, description)

    def continue_as_new(
        self, new_input: Any, *, save_events: bool = False, **_options: Any
    ) -> None:
        """Restart this instance with ``new_input`` once the current step yields; the rest of
        the turn is ignored. ``save_events`` carries unconsumed events into the new run."""
        data = None if new_input is None else to_json(new_input)
        self._continue_as_new = (data, save_events)

    def set_custom_status(self, custom_status: Any) -> None:
        """Set the status text readers see: a ``str`` as it is, another value as its JSON
        text (what the Dapr SDK sends to the sidecar; it deprecates non-str values)."""
        if custom_status is None or isinstance(custom_status, str):
            self._custom_status = custom_status
        else:
            warnings.warn(
                "set_custom_status() of a non-str value is deprecated by the Dapr SDK:"
                " pass the value's JSON text",
                DeprecationWarning,
                # Attributed here, not to the workflow: as the SDK's (raised inside its own
                # package) it is hidden unless warnings are turned on, even in a __main__ app.
                stacklevel=1,
            )
            self._custom_status = to_json(custom_status)

    def is_patched(self, patch_name: str) -> bool:
        """Versioning hook of the SDK; every run here starts on the newest code."""
        return True

    # -- deterministic helpers -------------------------------------------------------------
    def now(self) -> datetime:
        return self._now

    def random(self) -> _random.Random:
        """A PRNG seeded from the instance ID and the turn time (same on replay)."""
        import hashlib
        import random

        seed = f"{self._instance_id}:{int(self._now.replace(tzinfo=timezone.utc).timestamp())}"
        return random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))

    def uuid4(self) -> uuid.UUID:
        """A UUID derived from the instance ID, turn time and a per-replay counter."""
        import uuid

        name = f"{self._instance_id}_{self._now.isoformat()}_{self._guid_counter}"
        self._guid_counter += 1
        return uuid.uuid5(uuid.UUID(_GUID_NAMESPACE), name)

    def new_guid(self) -> uuid.UUID:
        return self.uuid4()

    def random_string(self, length: int, *, alphabet: str | None = None) -> str:
        chars = alphabet or ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        rnd = self.random()
        return "".join(rnd.choice(chars) for _ in range(length))

    def random_int(self, min_value: int = 0, max_value: int = 2**31 - 1) -> int:
        return self.random().randint(min_value, max_value)

    def random_choice(self, sequence: Sequence[T]) -> T:
        return self.random().choice(sequence)

    # -- used by the executor --------------------------------------------------------------
    def _take_actions(self) -> list[Action]:
        return list(self._pending_actions.values())

    def _waiting_for(self) -> list[str]:
        return sorted(k for k, waits in self._waits.items() if waits)

    def _deliver(self, event: EventRaised) -> None:
        """Hand an external event to the oldest wait for its name, else buffer it."""
        key = event.name.casefold()
        waits = self._waits.get(key)
        if waits:
            wait = waits.pop(0)
            if not waits:
                del self._waits[key]
            wait.complete(from_json(event.data))
            return
        self._arrivals += 1
        self._buffer.setdefault(key, deque()).append((self._arrivals, event))

    def _carryover(self) -> list[EventRaised]:
        """Unconsumed events, in arrival order."""
        return [e for _, e in sorted((p for q in self._buffer.values() for p in q), key=_first)]


class _TimeoutWait(EventWithTimeoutTask):
    """An event wait with a timer; a timeout withdraws the wait so later events buffer."""

    def __init__(
        self, ctx: DaprWorkflowContext, event: EventTask, timer: TimerTask, description: str
    ) -> None:
        self._ctx = ctx
        super().__init__(event, timer, description)

    def _child_done(self, task: Task) -> None:
        super()._child_done(task)
        if task is self._timer and not self._event.is_complete:
            waits = self._ctx._waits.get(self._event.name, [])
            if self._event in waits:
                waits.remove(self._event)


class WorkflowActivityContext:
    """What an activity function gets as ``ctx``."""

    def __init__(self, workflow_id: str, task_id: int, task_execution_id: str = "") -> None:
        self._workflow_id = workflow_id
        self._task_id = task_id
        self._task_execution_id = task_execution_id

    @property
    def workflow_id(self) -> str:
        """The ID of the workflow instance that scheduled this activity."""
        return self._workflow_id

    @property
    def orchestration_id(self) -> str:
        return self._workflow_id

    @property
    def task_id(self) -> int:
        """The activity's task id within its workflow run."""
        return self._task_id

    @property
    def task_execution_id(self) -> str:
        return self._task_execution_id


def _first(pair: tuple[int, EventRaised]) -> int:
    return pair[0]
