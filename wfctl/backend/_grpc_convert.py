"""Durable Task protobuf messages -> wfctl's model (WorkflowState, HistoryEntry).

History rows come out in the shape ``EmbeddedBackend.history`` gives (the same types, names,
details and outcome words), so `wfctl history` prints one table and one JSON whichever backend
answered. The differences that remain are the protocol's own: EVENTID is the Durable Task
``eventId`` (a task's id on TaskScheduled/TimerCreated/ChildWorkflowCreated, -1 on events that
have none), and a completion's task ID is its ``taskScheduledId``/``timerId``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from wfctl.model import FailureDetails, HistoryEntry, RuntimeStatus, WorkflowState

_DETAIL_LIMIT = 120
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# The oneof field of HistoryEvent -> the row type `wfctl history` shows (the engine's names).
_TYPES = {
    "executionStarted": "ExecutionStarted",
    "executionCompleted": "ExecutionCompleted",
    "executionTerminated": "ExecutionTerminated",
    "executionSuspended": "ExecutionSuspended",
    "executionResumed": "ExecutionResumed",
    "executionStalled": "ExecutionStalled",
    "taskScheduled": "TaskScheduled",
    "taskCompleted": "TaskCompleted",
    "taskFailed": "TaskFailed",
    "timerCreated": "TimerCreated",
    "timerFired": "TimerFired",
    "childWorkflowInstanceCreated": "ChildWorkflowCreated",
    "childWorkflowInstanceCompleted": "ChildWorkflowCompleted",
    "childWorkflowInstanceFailed": "ChildWorkflowFailed",
    "eventRaised": "EventRaised",
    "eventSent": "EventSent",
    "continueAsNew": "ContinueAsNew",
    "detachedWorkflowInstanceCreated": "DetachedWorkflowCreated",
}
# Turn markers: the engine's history leaves OrchestratorStarted out of the timeline too.
_SKIPPED = {"workflowStarted", "workflowCompleted"}


def status_of(value: int) -> RuntimeStatus:
    """An OrchestrationStatus enum number as a RuntimeStatus (UNKNOWN for a newer value)."""
    from wfctl.protocol import pb

    try:
        return RuntimeStatus.parse(pb.OrchestrationStatus.Name(value))
    except ValueError:
        return RuntimeStatus.UNKNOWN


#: Go's zero time.Time (0001-01-01T00:00:00Z) in Unix seconds.
_GO_ZERO_TIME = -62_135_596_800


def time_of(ts: Any) -> datetime | None:
    """A protobuf Timestamp as an aware UTC datetime; None when it is unset (zero) or Go's
    zero time (0001-01-01T00:00:00Z: daprd's times of an instance not yet recorded)."""
    if ts is None or (ts.seconds in (0, _GO_ZERO_TIME) and ts.nanos == 0):
        return None
    try:  # exact (no float): the "wait forever" sentinel is 9999-12-31T23:59:59.999999999Z
        return _EPOCH + timedelta(seconds=ts.seconds, microseconds=ts.nanos // 1000)
    except OverflowError:
        return None


def _text(msg: Any, field: str) -> str | None:
    """A ``google.protobuf.StringValue`` field's text; None when the field is absent."""
    return getattr(msg, field).value if msg.HasField(field) else None


def failure_of(fd: Any) -> FailureDetails | None:
    if not fd.errorType and not fd.errorMessage:
        return None
    return FailureDetails(
        error_type=fd.errorType,
        message=fd.errorMessage,
        stack_trace=fd.stackTrace.value if fd.HasField("stackTrace") else "",
    )


def state_of(instance_id: str, ws: Any) -> WorkflowState:
    """A GetInstanceResponse's ``workflowState`` as a WorkflowState."""
    return WorkflowState(
        instance_id=ws.instanceId or instance_id,
        name=ws.name,
        runtime_status=status_of(ws.workflowStatus),
        created_at=time_of(ws.createdTimestamp),
        last_updated_at=time_of(ws.lastUpdatedTimestamp),
        serialized_input=_text(ws, "input"),
        serialized_output=_text(ws, "output"),
        serialized_custom_status=_text(ws, "customStatus"),
        failure=failure_of(ws.failureDetails) if ws.HasField("failureDetails") else None,
    )


def _short(text: str | None) -> str:
    if text is None:
        return ""
    return text if len(text) <= _DETAIL_LIMIT else text[: _DETAIL_LIMIT - 1] + "…"


def history_of(events: Any) -> list[HistoryEntry]:
    """GetInstanceHistory's events as timeline rows (turn markers left out); completions carry
    the name of what they complete, as in the embedded engine's timeline."""
    names: dict[int, str] = {}
    out: list[HistoryEntry] = []
    for ev in events:
        kind = ev.WhichOneof("eventType")
        if kind is None or kind in _SKIPPED:
            continue
        body = getattr(ev, kind)
        row = HistoryEntry(
            event_id=ev.eventId,
            type=_TYPES.get(kind, kind[:1].upper() + kind[1:]),
            timestamp=time_of(ev.timestamp) or datetime.min,
        )
        _fill(row, kind, body, ev.eventId, names)
        out.append(row)
    return out


def _fill(row: HistoryEntry, kind: str, body: Any, event_id: int, names: dict[int, str]) -> None:
    if kind == "executionStarted":
        row.name, row.details = body.name, _short(_text(body, "input"))
    elif kind == "executionCompleted":
        status = status_of(body.workflowStatus)
        row.status = status.value
        fail = failure_of(body.failureDetails) if body.HasField("failureDetails") else None
        row.details = (
            f"{fail.error_type}: {fail.message}" if fail else _short(_text(body, "result"))
        )
    elif kind in ("executionTerminated", "executionSuspended", "executionResumed"):
        row.details = _short(_text(body, "input"))
    elif kind == "executionStalled":
        row.details = body.description
    elif kind == "taskScheduled":
        names[event_id] = body.name
        row.name, row.task_id, row.details = body.name, event_id, _short(_text(body, "input"))
    elif kind == "childWorkflowInstanceCreated":
        names[event_id] = body.name
        row.name, row.task_id = body.name, event_id
        row.details = f"{body.instanceId} {_short(_text(body, 'input'))}".strip()
    elif kind == "timerCreated":
        names[event_id] = "timer"
        row.name, row.task_id = body.name or "timer", event_id
        row.details = _fires(body.fireAt)
    elif kind == "timerFired":
        row.task_id = body.timerId
        row.name, row.details = names.get(body.timerId, "timer"), _fires(body.fireAt)
    elif kind in ("taskCompleted", "childWorkflowInstanceCompleted"):
        row.task_id = body.taskScheduledId
        row.name, row.details = names.get(body.taskScheduledId, ""), _short(_text(body, "result"))
    elif kind in ("taskFailed", "childWorkflowInstanceFailed"):
        row.task_id = body.taskScheduledId
        row.name = names.get(body.taskScheduledId, "")
        fail = failure_of(body.failureDetails)
        row.details = f"{fail.error_type}: {fail.message}" if fail else ""
    elif kind in ("eventRaised", "eventSent"):
        row.name, row.details = body.name, _short(_text(body, "input"))
        if kind == "eventSent":
            row.task_id = event_id
        if kind == "eventSent" and body.instanceId:
            row.details = f"to {body.instanceId} {row.details}".strip()
    elif kind == "continueAsNew":
        row.details = _short(_text(body, "input"))


def _fires(ts: Any) -> str:
    when = time_of(ts)
    return f"fires at {when.replace(tzinfo=None).isoformat()}" if when else ""
