"""Durable Task protobuf messages <-> the engine's history events, actions and states.

The engine's events (:mod:`wfctl.engine.history`) are the durable record; the protobuf form
is made on the way out to a worker or a client. Event IDs on the wire follow Durable Task
(:func:`wfctl.engine.history.dt_event_id`): the events an action created (taskScheduled,
timerCreated, childWorkflowInstanceCreated) carry the action's id, which is how the SDKs
match them on replay; every other event has -1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from wfctl.engine import history as h
from wfctl.engine.schema import NEVER_YEAR
from wfctl.model import FailureDetails, RuntimeStatus, WorkflowState

# ``wait forever`` timers: recorded with the SDK's exact sentinel, never fired.
SENTINEL_SECONDS = 253402300799  # 9999-12-31T23:59:59Z
SENTINEL_NANOS = 999999999

_STATUS_TO_PB = {
    RuntimeStatus.RUNNING: 0,
    RuntimeStatus.COMPLETED: 1,
    RuntimeStatus.CONTINUED_AS_NEW: 2,
    RuntimeStatus.FAILED: 3,
    RuntimeStatus.CANCELED: 4,
    RuntimeStatus.TERMINATED: 5,
    RuntimeStatus.PENDING: 6,
    RuntimeStatus.SUSPENDED: 7,
    RuntimeStatus.STALLED: 8,
}
_PB_TO_STATUS = {v: k for k, v in _STATUS_TO_PB.items()}


class BadActions(ValueError):
    """A worker's answer the engine cannot apply; the message says why, ``error_type``
    names the reason in the failure the workflow gets."""

    def __init__(self, message: str, error_type: str = "WorkerProtocolError") -> None:
        super().__init__(message)
        self.error_type = error_type


#: The actions of the 1.19 protos this server refuses: the workflow fails with the reason.
REFUSED_ACTIONS = {
    "createDetachedWorkflow": (
        "UnsupportedWorkflowAction",
        "this server does not start detached workflows (createDetachedWorkflow)",
    ),
    "workflowVersionNotAvailable": (
        "WorkflowVersionNotAvailable",
        "the worker does not have this workflow's version (workflowVersionNotAvailable); "
        "this server does not stall workflows for a later worker version",
    ),
}


def status_to_pb(status: RuntimeStatus) -> int:
    return _STATUS_TO_PB.get(status, 0)


def status_from_pb(value: int) -> RuntimeStatus:
    return _PB_TO_STATUS.get(value, RuntimeStatus.UNKNOWN)


def ts(pb: Any, dt: datetime) -> Any:
    """A protobuf Timestamp of a naive-UTC (or aware) datetime."""
    out = pb.Timestamp()
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    if dt.year >= NEVER_YEAR:
        out.seconds, out.nanos = SENTINEL_SECONDS, SENTINEL_NANOS
        return out
    out.FromDatetime(dt)
    return out


def from_ts(t: Any, what: str = "a timestamp") -> datetime:
    """A naive UTC datetime of a protobuf Timestamp (the sentinel stays in year 9999);
    BadActions (``InvalidTimestamp``) names ``what`` when it is not a valid time."""
    try:
        if not 0 <= t.nanos < 1_000_000_000:
            raise ValueError
        return t.ToDatetime()
    except (ValueError, OverflowError, OSError):
        raise BadActions(
            f"{what} is not a valid time (seconds={t.seconds}, nanos={t.nanos}): give one "
            "from year 1 to 9999",
            "InvalidTimestamp",
        ) from None


def _sv(pb: Any, text: str | None) -> Any:
    return None if text is None else pb.StringValue(value=text)


def _text(msg: Any, field: str) -> str | None:
    """A StringValue field's text, or None when unset."""
    return getattr(msg, field).value if msg.HasField(field) else None


def failure_to_pb(pb: Any, f: FailureDetails | None) -> Any:
    if f is None:
        return None
    return pb.TaskFailureDetails(
        errorType=f.error_type,
        errorMessage=f.message,
        stackTrace=_sv(pb, f.stack_trace or None),
    )


def failure_from_pb(msg: Any) -> FailureDetails:
    return FailureDetails(
        error_type=msg.errorType,
        message=msg.errorMessage,
        stack_trace=msg.stackTrace.value if msg.HasField("stackTrace") else "",
    )


def event_to_pb(pb: Any, e: h.HistoryEvent, app_id: str) -> Any:
    """One engine history event as a ``pb.HistoryEvent``."""
    out = pb.HistoryEvent(eventId=h.dt_event_id(e), timestamp=ts(pb, e.timestamp))
    if isinstance(e, h.OrchestratorStarted):
        out.workflowStarted.SetInParent()
    elif isinstance(e, h.ExecutionStarted):
        x = out.executionStarted
        x.name = e.name
        if e.input is not None:
            x.input.value = e.input
        x.workflowInstance.instanceId = e.instance_id
        if e.parent_instance_id is not None:
            x.parentInstance.workflowInstance.instanceId = e.parent_instance_id
            x.parentInstance.taskScheduledId = e.parent_task_id or 0
        if e.scheduled_start is not None:
            x.scheduledStartTimestamp.CopyFrom(ts(pb, e.scheduled_start))
        out.router.sourceAppID = app_id  # the SDK's ctx app id comes from here
    elif isinstance(e, h.ExecutionCompleted):
        x = out.executionCompleted
        x.workflowStatus = status_to_pb(e.status)
        if e.result is not None:
            x.result.value = e.result
        if e.failure is not None:
            x.failureDetails.CopyFrom(failure_to_pb(pb, e.failure))
    elif isinstance(e, h.ExecutionTerminated):
        out.executionTerminated.recurse = e.recursive
        if e.output is not None:
            out.executionTerminated.input.value = e.output
    elif isinstance(e, h.ExecutionSuspended):
        out.executionSuspended.SetInParent()
        if e.reason is not None:
            out.executionSuspended.input.value = e.reason
    elif isinstance(e, h.ExecutionResumed):
        out.executionResumed.SetInParent()
        if e.reason is not None:
            out.executionResumed.input.value = e.reason
    elif isinstance(e, h.TaskScheduled):
        out.taskScheduled.name = e.name
        if e.input is not None:
            out.taskScheduled.input.value = e.input
        if e.rerun_of is not None:  # the event a rerun started from
            out.taskScheduled.rerunParentInstanceInfo.instanceID = e.rerun_of
    elif isinstance(e, h.TaskCompleted):
        out.taskCompleted.taskScheduledId = e.task_id
        if e.result is not None:
            out.taskCompleted.result.value = e.result
    elif isinstance(e, h.TaskFailed):
        out.taskFailed.taskScheduledId = e.task_id
        out.taskFailed.failureDetails.CopyFrom(failure_to_pb(pb, e.failure))
    elif isinstance(e, h.TimerCreated):
        out.timerCreated.fireAt.CopyFrom(ts(pb, e.fire_at))
    elif isinstance(e, h.TimerFired):
        out.timerFired.timerId = e.task_id
        out.timerFired.fireAt.CopyFrom(ts(pb, e.fire_at))
    elif isinstance(e, h.ChildWorkflowCreated):
        x = out.childWorkflowInstanceCreated
        x.instanceId, x.name = e.instance_id, e.name
        if e.input is not None:
            x.input.value = e.input
        if e.rerun_of is not None:
            x.rerunParentInstanceInfo.instanceID = e.rerun_of
    elif isinstance(e, h.ChildWorkflowCompleted):
        out.childWorkflowInstanceCompleted.taskScheduledId = e.task_id
        if e.result is not None:
            out.childWorkflowInstanceCompleted.result.value = e.result
    elif isinstance(e, h.ChildWorkflowFailed):
        out.childWorkflowInstanceFailed.taskScheduledId = e.task_id
        out.childWorkflowInstanceFailed.failureDetails.CopyFrom(failure_to_pb(pb, e.failure))
    elif isinstance(e, h.EventRaised):
        out.eventRaised.name = e.name
        if e.data is not None:
            out.eventRaised.input.value = e.data
    elif isinstance(e, h.EventSent):
        out.eventSent.instanceId, out.eventSent.name = e.instance_id, e.name
        if e.data is not None:
            out.eventSent.input.value = e.data
    else:  # pragma: no cover - every engine event type is listed above
        raise ValueError(f"no protobuf form for history event {e.TYPE}")
    return out


def child_id(parent: str, action_id: int) -> str:
    """The ID daprd gives a child started without one."""
    return f"{parent}:{(0x10000 + action_id) & 0xFFFF:04x}"


def carryover_from_pb(events: Any) -> list[h.HistoryEvent]:
    """continue-as-new carryover events (only raised events mean anything there)."""
    out: list[h.HistoryEvent] = []
    for e in events:
        if e.HasField("eventRaised"):
            out.append(h.EventRaised(name=e.eventRaised.name, data=_text(e.eventRaised, "input")))
    return out


def _cross(what: str, target: str, app_id: str) -> str:
    """Why an action aimed at app ``target`` is refused here."""
    return (
        f"cannot {what} of app {target!r}: this wfctl serve is app {app_id!r} only "
        "(cross-app calls need one server per app)"
    )


def actions_from_pb(
    resp: Any, instance_id: str, app_id: str, scheduled: set[int]
) -> tuple[h.TurnResult, list[tuple[int, str]]]:
    """A ``WorkflowResponse`` as the engine's TurnResult, plus the (action id, message) of
    each task to fail at once (a cross-app call this server cannot route).

    ``scheduled``: the action ids the history already holds; an action reusing one
    contradicts the history. BadActions names what cannot be applied."""
    actions: list[h.Action] = []
    r = _Reading(instance_id, app_id)
    seen: set[int] = set()
    for a in resp.actions:
        kind = a.WhichOneof("workflowActionType")
        if kind not in ("completeWorkflow", "terminateWorkflow"):  # neither makes an event
            if a.id in scheduled or a.id in seen:
                raise BadActions(
                    f"the worker's {kind} action reuses id {a.id}, which the history "
                    "already holds (its actions contradict the history)"
                )
            seen.add(a.id)
        r.target = a.router.targetAppID if a.HasField("router") else ""
        convert = _ACTION_FROM_PB.get(kind)
        if convert is None:
            if kind in REFUSED_ACTIONS:
                error_type, why = REFUSED_ACTIONS[kind]
                raise BadActions(why, error_type)
            raise BadActions(f"this server does not support the {kind or 'empty'} action")
        actions.append(convert(a, r))
        if kind == "completeWorkflow":
            break  # nothing after the end of a run counts
    custom = _text(resp, "customStatus")
    return h.TurnResult(actions=actions, custom_status=custom), r.refused


@dataclass
class _Reading:
    """What converting one action needs beside it: whose turn it is, and where it goes."""

    instance_id: str
    app_id: str
    target: str = ""  # the action's router.targetAppID ("": this app)
    refused: list[tuple[int, str]] = field(default_factory=list)

    @property
    def cross(self) -> bool:
        return bool(self.target) and self.target != self.app_id


def _schedule_task(a: Any, r: _Reading) -> h.Action:
    x = a.scheduleTask
    if r.cross:
        r.refused.append((a.id, _cross(f"call activity {x.name!r}", r.target, r.app_id)))
    return h.ScheduleTask(task_id=a.id, name=x.name, input=_text(x, "input"))


def _create_timer(a: Any, r: _Reading) -> h.Action:
    fire_at = from_ts(a.createTimer.fireAt, "the worker's timer time")
    return h.CreateTimer(task_id=a.id, fire_at=fire_at)


def _create_child(a: Any, r: _Reading) -> h.Action:
    x = a.createChildWorkflow
    if r.cross:
        raise BadActions(_cross(f"start child workflow {x.name!r}", r.target, r.app_id))
    return h.CreateChildWorkflow(
        task_id=a.id,
        name=x.name,
        instance_id=x.instanceId or child_id(r.instance_id, a.id),
        input=_text(x, "input"),
    )


def _send_event(a: Any, r: _Reading) -> h.Action:
    x = a.sendEvent
    if r.cross:
        raise BadActions(_cross(f"send event {x.name!r} to an instance", r.target, r.app_id))
    if not x.instance.instanceId:
        raise BadActions("the worker's sendEvent action names no target instance")
    return h.SendEvent(
        task_id=a.id, instance_id=x.instance.instanceId, name=x.name, data=_text(x, "data")
    )


def _terminate(a: Any, r: _Reading) -> h.Action:
    x = a.terminateWorkflow
    if r.cross:
        raise BadActions(_cross("terminate an instance", r.target, r.app_id))
    if not x.instanceId:
        raise BadActions("the worker's terminateWorkflow action names no instance")
    return h.TerminateInstance(
        instance_id=x.instanceId, reason=_text(x, "reason"), recursive=x.recurse
    )


def _complete(a: Any, r: _Reading) -> h.Action:
    x = a.completeWorkflow
    status = status_from_pb(x.workflowStatus)
    if status not in (
        RuntimeStatus.COMPLETED,
        RuntimeStatus.FAILED,
        RuntimeStatus.CONTINUED_AS_NEW,
        RuntimeStatus.TERMINATED,
    ):
        raise BadActions(f"the worker completed the workflow as {status.value}")
    failure = failure_from_pb(x.failureDetails) if x.HasField("failureDetails") else None
    return h.CompleteWorkflow(
        status=status,
        result=_text(x, "result"),
        failure=failure,
        carryover_events=carryover_from_pb(x.carryoverEvents),
        action_id=a.id,
    )


#: The workflow actions this server applies, by their oneof name in ``WorkflowAction``.
_ACTION_FROM_PB: dict[str, Callable[[Any, _Reading], h.Action]] = {
    "scheduleTask": _schedule_task,
    "createTimer": _create_timer,
    "createChildWorkflow": _create_child,
    "sendEvent": _send_event,
    "terminateWorkflow": _terminate,
    "completeWorkflow": _complete,
}


def state_to_pb(pb: Any, st: WorkflowState, payloads: bool) -> Any:
    """A store state as ``pb.WorkflowState``."""
    out = pb.WorkflowState(
        instanceId=st.instance_id,
        name=st.name,
        workflowStatus=status_to_pb(st.runtime_status),
        createdTimestamp=None if st.created_at is None else ts(pb, st.created_at),
        lastUpdatedTimestamp=None if st.last_updated_at is None else ts(pb, st.last_updated_at),
    )
    if st.serialized_custom_status is not None:
        out.customStatus.value = st.serialized_custom_status
    if payloads:
        if st.serialized_input is not None:
            out.input.value = st.serialized_input
        if st.serialized_output is not None:
            out.output.value = st.serialized_output
    if st.failure is not None:
        out.failureDetails.CopyFrom(failure_to_pb(pb, st.failure))
    return out
