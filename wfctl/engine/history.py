"""History events and turn actions: the seam between the store and the executors.

A workflow *turn* is a pure function::

    (past events, new events) --executor--> TurnResult(actions, custom_status, ...)

The store hands out turns (an instance's committed history plus the events in its inbox) and
applies results in one transaction; an executor (in-process replay today, a remote Durable
Task worker later) computes them. Nothing here touches SQLite, threads or the clock.

Sequence numbers: every ``call_activity``, ``call_child_workflow`` and ``create_timer``
(retry and event-timeout timers included) takes the next ``task_id`` of the run: 1, 2, 3, ...
(as the Dapr SDK numbers them; child IDs use it as ``"<parent>:<task_id as 4 hex digits>"``,
so the first child of ``abc`` is ``abc:0001``).

Payloads are raw JSON text (``str``) or ``None``; times are naive UTC datetimes.
Every event serializes to a JSON object with a ``"type"`` key (``to_dict``/``event_from_dict``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from wfctl.model import FailureDetails, RuntimeStatus

# ---------------------------------------------------------------------------------- events


@dataclass
class HistoryEvent:
    """Base of every history event. ``timestamp`` is when the engine recorded it (naive UTC)."""

    TYPE: ClassVar[str] = ""
    timestamp: datetime = field(default_factory=lambda: datetime(1970, 1, 1), kw_only=True)
    # Position in the instance's history (0, 1, 2, ...); -1 until the store assigns it. Not
    # the Durable Task event id users see: that is :func:`dt_event_id`.
    event_id: int = field(default=-1, kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.TYPE}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, datetime):
                v = v.isoformat()
            elif isinstance(v, FailureDetails):
                v = dataclasses.asdict(v)
            elif isinstance(v, RuntimeStatus):
                v = v.value
            elif isinstance(v, list) and v and isinstance(v[0], HistoryEvent):
                v = [e.to_dict() for e in v]
            out[f.name] = v
        return out


@dataclass
class OrchestratorStarted(HistoryEvent):
    """Marks the start of a turn; its timestamp is the turn's ``current_utc_datetime``."""

    TYPE: ClassVar[str] = "OrchestratorStarted"


@dataclass
class ExecutionStarted(HistoryEvent):
    """The first event of a run (after a turn marker)."""

    TYPE: ClassVar[str] = "ExecutionStarted"
    name: str = ""
    input: str | None = None
    instance_id: str = ""
    parent_instance_id: str | None = None
    parent_task_id: int | None = None
    scheduled_start: datetime | None = None


@dataclass
class ExecutionCompleted(HistoryEvent):
    """The run ended: COMPLETED, FAILED or CONTINUED_AS_NEW (TERMINATED has its own event)."""

    TYPE: ClassVar[str] = "ExecutionCompleted"
    status: RuntimeStatus = RuntimeStatus.COMPLETED
    result: str | None = None
    failure: FailureDetails | None = None
    # The completing action's sequence number (the SDK numbers it like a task); -1: unknown.
    action_id: int = -1


@dataclass
class ExecutionTerminated(HistoryEvent):
    TYPE: ClassVar[str] = "ExecutionTerminated"
    output: str | None = None
    recursive: bool = True


@dataclass
class ExecutionSuspended(HistoryEvent):
    TYPE: ClassVar[str] = "ExecutionSuspended"
    reason: str | None = None


@dataclass
class ExecutionResumed(HistoryEvent):
    TYPE: ClassVar[str] = "ExecutionResumed"
    reason: str | None = None


@dataclass
class TaskScheduled(HistoryEvent):
    TYPE: ClassVar[str] = "TaskScheduled"
    task_id: int = 0
    name: str = ""
    input: str | None = None
    # The instance this run was rerun from, on the event it was rerun from (else None).
    rerun_of: str | None = None


@dataclass
class TaskCompleted(HistoryEvent):
    TYPE: ClassVar[str] = "TaskCompleted"
    task_id: int = 0
    result: str | None = None


@dataclass
class TaskFailed(HistoryEvent):
    TYPE: ClassVar[str] = "TaskFailed"
    task_id: int = 0
    failure: FailureDetails = field(default_factory=FailureDetails)


@dataclass
class TimerCreated(HistoryEvent):
    TYPE: ClassVar[str] = "TimerCreated"
    task_id: int = 0
    fire_at: datetime = field(default_factory=lambda: datetime(1970, 1, 1))


@dataclass
class TimerFired(HistoryEvent):
    TYPE: ClassVar[str] = "TimerFired"
    task_id: int = 0
    fire_at: datetime = field(default_factory=lambda: datetime(1970, 1, 1))


@dataclass
class ChildWorkflowCreated(HistoryEvent):
    TYPE: ClassVar[str] = "ChildWorkflowCreated"
    task_id: int = 0
    name: str = ""
    instance_id: str = ""
    input: str | None = None
    rerun_of: str | None = None  # as TaskScheduled's


@dataclass
class ChildWorkflowCompleted(HistoryEvent):
    TYPE: ClassVar[str] = "ChildWorkflowCompleted"
    task_id: int = 0
    result: str | None = None


@dataclass
class ChildWorkflowFailed(HistoryEvent):
    TYPE: ClassVar[str] = "ChildWorkflowFailed"
    task_id: int = 0
    failure: FailureDetails = field(default_factory=FailureDetails)


@dataclass
class EventRaised(HistoryEvent):
    """An external event. ``name`` keeps the sender's spelling; matching is case-insensitive."""

    TYPE: ClassVar[str] = "EventRaised"
    name: str = ""
    data: str | None = None


@dataclass
class EventSent(HistoryEvent):
    """The workflow raised event ``name`` on instance ``instance_id`` (a Durable Task
    ``sendEvent`` action; ``task_id`` is the action's id). The target gets an EventRaised."""

    TYPE: ClassVar[str] = "EventSent"
    task_id: int = 0
    instance_id: str = ""
    name: str = ""
    data: str | None = None


EVENT_TYPES: dict[str, type[HistoryEvent]] = {
    cls.TYPE: cls
    for cls in (
        OrchestratorStarted,
        ExecutionStarted,
        ExecutionCompleted,
        ExecutionTerminated,
        ExecutionSuspended,
        ExecutionResumed,
        TaskScheduled,
        TaskCompleted,
        TaskFailed,
        TimerCreated,
        TimerFired,
        ChildWorkflowCreated,
        ChildWorkflowCompleted,
        ChildWorkflowFailed,
        EventRaised,
        EventSent,
    )
}

_DATETIME_FIELDS = {"timestamp", "fire_at", "scheduled_start"}


def event_from_dict(data: dict[str, Any]) -> HistoryEvent:
    """Inverse of ``HistoryEvent.to_dict``."""
    data = dict(data)
    cls = EVENT_TYPES[data.pop("type")]
    for key in _DATETIME_FIELDS:
        if isinstance(data.get(key), str):
            data[key] = datetime.fromisoformat(data[key])
    if isinstance(data.get("failure"), dict):
        data["failure"] = FailureDetails(**data["failure"])
    if "status" in data and isinstance(data["status"], str):
        data["status"] = RuntimeStatus(data["status"])
    return cls(**data)


#: The events a workflow's actions make, each carrying its action's ``task_id``.
SCHEDULED_EVENTS = (
    TaskScheduled,
    TimerCreated,
    ChildWorkflowCreated,
)


def dt_event_id(event: HistoryEvent) -> int:
    """The Durable Task event id of ``event``, as daprd numbers the history it shows (and
    ``RerunWorkflowFromEvent`` takes): an event made from a workflow action carries the
    action's sequence number (TaskScheduled, TimerCreated, ChildWorkflowCreated: their
    ``task_id``, 1, 2, 3...; ExecutionCompleted: its ``action_id``); every other event
    (turn markers, ExecutionStarted, completions, timer firings, external events, terminate,
    suspend, resume) has -1; EventSent carries its action's id too. The one rule for
    ``wfctl history`` and the gRPC history."""
    if isinstance(event, (*SCHEDULED_EVENTS, EventSent)):
        return event.task_id
    if isinstance(event, ExecutionCompleted):
        return event.action_id
    return -1


# --------------------------------------------------------------------------------- actions


@dataclass
class ScheduleTask:
    """Run activity ``name`` with ``input``; its result comes back as TaskCompleted/Failed."""

    task_id: int
    name: str
    input: str | None = None


@dataclass
class CreateTimer:
    """Deliver TimerFired(task_id) at ``fire_at`` (naive UTC)."""

    task_id: int
    fire_at: datetime


@dataclass
class CreateChildWorkflow:
    """Start child ``instance_id``; its end comes back as ChildWorkflowCompleted/Failed."""

    task_id: int
    name: str
    instance_id: str
    input: str | None = None


@dataclass
class CompleteWorkflow:
    """End the run. For CONTINUED_AS_NEW, ``result`` is the new input and ``carryover_events``
    (EventRaised, only with save_events=True) go to the new run's inbox."""

    status: RuntimeStatus
    result: str | None = None
    failure: FailureDetails | None = None
    carryover_events: list[HistoryEvent] = field(default_factory=list)
    # The action's sequence number (the run's next task id when it ended); -1: unknown. Left
    # out of ==: two outcomes are the same whatever number the run had reached.
    action_id: int = field(default=-1, compare=False)


@dataclass
class SendEvent:
    """Raise event ``name`` on instance ``instance_id`` (dropped if it is unknown or
    finished); recorded as EventSent(task_id). Only remote workers send it."""

    task_id: int
    instance_id: str
    name: str
    data: str | None = None


@dataclass
class TerminateInstance:
    """Terminate instance ``instance_id`` (another one; its children too when ``recursive``);
    nothing is recorded in this instance's history. Only remote workers send it."""

    instance_id: str
    reason: str | None = None
    recursive: bool = False


Action = (
    ScheduleTask
    | CreateTimer
    | CreateChildWorkflow
    | SendEvent
    | TerminateInstance
    | CompleteWorkflow
)


@dataclass
class TurnResult:
    """What one turn decided. ``actions`` are new since the turn's past events.

    ``waiting_for`` lists the (case-folded) event names the workflow is now blocked on, so
    completion and status can be answered without importing the app.
    """

    actions: list[Action] = field(default_factory=list)
    custom_status: str | None = None
    waiting_for: list[str] = field(default_factory=list)
