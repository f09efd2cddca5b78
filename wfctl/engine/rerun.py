"""Rerun from an event: which part of a finished instance's history a new instance keeps, and
what it must start again (pure; the store's :meth:`Manage.rerun` writes the plan).

The caller names the event by its Durable Task event id (:func:`dt_event_id`: what
``wfctl history`` shows and daprd's ``RerunWorkflowFromEvent`` takes). It must be an
activity's TaskScheduled, or, for a root workflow, a ChildWorkflowCreated. The new instance
keeps the source's history up to the end of the turn that scheduled it (that turn's other
actions too, so fan-out peers stay concurrent) and carries on from there as if that turn had
just been committed: every step it scheduled that has no outcome in the kept history starts
again (the chosen one with the new input, when asked), timers re-arm, children start anew.
What the workflow did before that turn is not done again. The chosen event records where it
was rerun from (``rerun_of``: daprd's ``rerunParentInstanceInfo``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from wfctl.engine.history import (
    SCHEDULED_EVENTS,
    ChildWorkflowCompleted,
    ChildWorkflowCreated,
    ChildWorkflowFailed,
    ExecutionStarted,
    HistoryEvent,
    TaskCompleted,
    TaskFailed,
    TaskScheduled,
    TimerCreated,
    TimerFired,
    dt_event_id,
)
from wfctl.model import UsageError

_OUTCOMES = (TaskCompleted, TaskFailed, TimerFired, ChildWorkflowCompleted, ChildWorkflowFailed)


@dataclass
class RerunPlan:
    """The new instance's history (positions set) and the steps it must start again."""

    history: list[HistoryEvent]
    tasks: list[TaskScheduled] = field(default_factory=list)
    timers: list[TimerCreated] = field(default_factory=list)
    children: list[ChildWorkflowCreated] = field(default_factory=list)


def _what(ev: HistoryEvent) -> str:
    if isinstance(ev, TaskScheduled):
        return f"activity {ev.name!r}'s TaskScheduled"
    if isinstance(ev, ChildWorkflowCreated):
        return f"child workflow {ev.name!r}'s ChildWorkflowCreated"
    if isinstance(ev, TimerCreated):
        return "a timer's TimerCreated"
    return f"the run's {ev.TYPE}"


def _choices(events: list[HistoryEvent], root: bool) -> str:
    ok = [
        f"{e.task_id} ({e.name})"
        for e in events
        if isinstance(e, TaskScheduled) or (root and isinstance(e, ChildWorkflowCreated))
    ]
    return "; it can rerun from " + ", ".join(ok) if ok else "; it scheduled no activity"


def plan_rerun(
    events: list[HistoryEvent],
    event_id: int,
    *,
    source_id: str,
    new_id: str,
    root: bool,
    new_input: str | None = None,
    overwrite_input: bool = False,
) -> RerunPlan:
    """Plan a rerun of ``source_id`` (whose committed history is ``events``; ``root``: it
    has no parent) from Durable Task event ``event_id`` as instance ``new_id``. UsageError
    naming the event when it is not one a rerun can start from."""
    if event_id < 1:
        raise UsageError(
            f"event id {event_id}: events a rerun can start from are numbered from 1"
            + _choices(events, root)
        )
    scheduled = [k for k, e in enumerate(events) if isinstance(e, SCHEDULED_EVENTS)]
    at = next((k for k in scheduled if dt_event_id(events[k]) == event_id), None)
    if at is None:
        other = next((e for e in events if dt_event_id(e) == event_id), None)
        if other is None:
            raise UsageError(
                f"instance {source_id!r} has no event {event_id}" + _choices(events, root)
            )
        at = events.index(other)
    target = events[at]
    if not isinstance(target, (TaskScheduled, ChildWorkflowCreated)):
        raise UsageError(
            f"event {event_id} of {source_id!r} is {_what(target)}: a rerun starts from an"
            " activity's TaskScheduled (or a root workflow's ChildWorkflowCreated)"
            + _choices(events, root)
        )
    if isinstance(target, ChildWorkflowCreated) and not root:
        raise UsageError(
            f"event {event_id} of {source_id!r} is {_what(target)}: only a root workflow can"
            " be rerun from a child workflow's creation" + _choices(events, False)
        )
    end = at + 1
    while end < len(events) and isinstance(events[end], SCHEDULED_EVENTS):
        end += 1  # the rest of that turn's actions
    kept: list[HistoryEvent] = []
    for k, ev in enumerate(events[:end]):
        ev = dataclasses.replace(ev, event_id=k)
        if isinstance(ev, ExecutionStarted):
            # A root of its own (a rerun child reports to no parent), under its new ID.
            ev.instance_id, ev.parent_instance_id, ev.parent_task_id = new_id, None, None
            ev.scheduled_start = None
        elif k == at:
            assert isinstance(ev, (TaskScheduled, ChildWorkflowCreated))
            ev.rerun_of = source_id
            if overwrite_input:
                ev.input = new_input
        kept.append(ev)
    done = {e.task_id for e in kept if isinstance(e, _OUTCOMES)}
    plan = RerunPlan(kept)
    for ev in kept:
        if not isinstance(ev, SCHEDULED_EVENTS) or ev.task_id in done:
            continue
        if isinstance(ev, TaskScheduled):
            plan.tasks.append(ev)
        elif isinstance(ev, TimerCreated):
            plan.timers.append(ev)
        else:
            if ev.instance_id == f"{source_id}:{ev.task_id:04x}":
                ev.instance_id = f"{new_id}:{ev.task_id:04x}"  # the SDK's name for it, anew
            plan.children.append(ev)
    return plan
