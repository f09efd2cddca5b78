"""What an instance is waiting for, derived from its history (one function for every front).

:func:`derive` reads a timeline of :class:`~wfctl.model.HistoryEntry` rows — from the embedded
store, `wfctl serve`'s history route or a Durable Task history over gRPC — and returns the
activities still in flight, the timers not yet fired, the child workflows still running and,
when the backend knows them (a waiting turn records them; history does not), the external
events the workflow waits for. :func:`describe` words it for `wfctl status` and the web view.

Imports nothing but the model: cheap for the CLI, usable by the server. :func:`wait_reached`
is the one test of whether a wait is over, for every backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal

from wfctl.model import HistoryEntry, RuntimeStatus

#: What a wait waits for: the instance to leave PENDING, or to settle.
WaitFor = Literal["start", "completion"]

_SCHEDULED = {"TaskScheduled"}
_TASK_DONE = {"TaskCompleted", "TaskFailed"}
_TIMER_SET = {"TimerCreated"}
_TIMER_DONE = {"TimerFired"}
_CHILD_SET = {"ChildWorkflowCreated", "SubOrchestrationInstanceCreated"}
_CHILD_DONE = {
    "ChildWorkflowCompleted",
    "ChildWorkflowFailed",
    "SubOrchestrationInstanceCompleted",
    "SubOrchestrationInstanceFailed",
}
_RESET = {"ExecutionStarted", "ContinueAsNew"}  # a new generation begins: old waits are gone
_ENDED = {"ExecutionCompleted", "ExecutionTerminated", "ExecutionFailed"}


def wait_reached(status: RuntimeStatus, until: WaitFor) -> bool:
    """Whether a wait for ``until`` is over at ``status`` (every backend's ``wait`` and every
    front ask this one function). "start": the instance has left PENDING. "completion": it
    has finished, or settled where nothing will move it on: STALLED, or UNKNOWN (a status the
    server reports that wfctl cannot read; over HTTP a stalled run reads so)."""
    if until == "start":
        return status is not RuntimeStatus.PENDING
    return status.is_terminal or status in (RuntimeStatus.STALLED, RuntimeStatus.UNKNOWN)


@dataclass
class Waiting:
    """Everything an instance waits for; empty when it waits for nothing (or has finished)."""

    events: list[str] = field(default_factory=list)
    timers: list[datetime | None] = field(default_factory=list)  # fire times, soonest first
    activities: list[str] = field(default_factory=list)
    children: list[tuple[str, str]] = field(default_factory=list)  # (instance ID, workflow)

    def __bool__(self) -> bool:
        return bool(self.events or self.timers or self.activities or self.children)


def fire_time(details: str) -> datetime | None:
    """The time in a timer row's ``fires at <RFC 3339>`` details, or None."""
    if not details.startswith("fires at "):
        return None
    from wfctl.wire import parse_time

    return parse_time(details[len("fires at ") :].strip())


def derive(entries: Sequence[HistoryEntry], events: Sequence[str] = ()) -> Waiting:
    """What the run recorded in ``entries`` still waits for; ``events``: the event names the
    backend says the workflow waits for (history alone cannot tell)."""
    tasks: dict[int, str] = {}
    timers: dict[int, datetime | None] = {}
    children: dict[int, tuple[str, str]] = {}
    ended = False
    for e in entries:
        key = e.task_id if e.task_id is not None else -1
        if e.type in _RESET:
            tasks.clear()
            timers.clear()
            children.clear()
            ended = False
        elif e.type in _ENDED:
            ended = True
        elif e.type in _SCHEDULED:
            tasks[key] = e.name
        elif e.type in _TASK_DONE:
            tasks.pop(key, None)
        elif e.type in _TIMER_SET:
            timers[key] = fire_time(e.details)
        elif e.type in _TIMER_DONE:
            timers.pop(key, None)
        elif e.type in _CHILD_SET:
            child_id = e.details.split(" ", 1)[0] if e.details else ""
            children[key] = (child_id, e.name)
        elif e.type in _CHILD_DONE:
            children.pop(key, None)
    if ended:
        return Waiting()
    far = datetime.max.replace(tzinfo=timezone.utc)
    return Waiting(
        events=list(dict.fromkeys(events)),
        timers=sorted(timers.values(), key=lambda t: t or far),
        activities=list(tasks.values()),
        children=list(children.values()),
    )


def describe(w: Waiting, now: datetime | None = None) -> list[str]:
    """One line per thing waited for: events, the next timer ("due in 5m", or overdue), the
    activities in flight, the running child workflows."""
    from wfctl.durations import format_duration

    now = now or datetime.now(timezone.utc)
    lines = [f"event {name}" for name in w.events]
    if w.timers:
        due = w.timers[0]
        more = f" (+{len(w.timers) - 1} more)" if len(w.timers) > 1 else ""
        if due is None:
            lines.append("timer" + more)
        else:
            left = (due - now).total_seconds()
            when = due.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
            word = f"due in {format_duration(left)}" if left > 0 else "due now"
            lines.append(f"timer {word} ({when}){more}")
    counts: dict[str, int] = {}
    for name in w.activities:
        counts[name] = counts.get(name, 0) + 1
    for name, n in counts.items():
        lines.append(f"activity {name}" + (f" ×{n}" if n > 1 else ""))
    for child_id, name in w.children:
        lines.append(f"child {child_id} ({name})" if name else f"child {child_id}")
    return lines
