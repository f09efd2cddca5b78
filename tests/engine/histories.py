"""Building workflow histories event by event, and a tiny in-memory "store" for replay tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from wfctl.engine.history import (
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
    TimerCreated,
    TimerFired,
    TurnResult,
)
from wfctl.engine.replay import WorkflowExecutor
from wfctl.engine.serialization import to_json
from wfctl.model import FailureDetails

T0 = datetime(2026, 1, 1, 12, 0, 0)
IID = "abc"


def turn(at: datetime = T0) -> OrchestratorStarted:
    return OrchestratorStarted(timestamp=at)


def start(name: str, input: object = None, *, iid: str = IID, at: datetime = T0) -> list:
    data = None if input is None else to_json(input)
    return [turn(at), ExecutionStarted(name=name, input=data, instance_id=iid, timestamp=at)]


def _j(value: object) -> str | None:
    return None if value is None else to_json(value)


def scheduled(task_id: int, name: str, input: object = None) -> TaskScheduled:
    return TaskScheduled(task_id=task_id, name=name, input=_j(input))


def done(task_id: int, result: object = None) -> TaskCompleted:
    return TaskCompleted(task_id=task_id, result=None if result is None else to_json(result))


def failed(task_id: int, error_type: str = "ValueError", message: str = "boom") -> TaskFailed:
    return TaskFailed(task_id=task_id, failure=FailureDetails(error_type, message, "trace"))


def timer_created(task_id: int, fire_at: datetime) -> TimerCreated:
    return TimerCreated(task_id=task_id, fire_at=fire_at)


def timer_fired(task_id: int, fire_at: datetime) -> TimerFired:
    return TimerFired(task_id=task_id, fire_at=fire_at)


def child_created(task_id: int, name: str, iid: str) -> ChildWorkflowCreated:
    return ChildWorkflowCreated(task_id=task_id, name=name, instance_id=iid)


def child_done(task_id: int, result: object = None) -> ChildWorkflowCompleted:
    return ChildWorkflowCompleted(task_id=task_id, result=_j(result))


def child_failed(task_id: int, error_type: str = "ValueError", msg: str = "bad") -> HistoryEvent:
    return ChildWorkflowFailed(task_id=task_id, failure=FailureDetails(error_type, msg, ""))


def raised(name: str, data: object = None) -> EventRaised:
    return EventRaised(name=name, data=None if data is None else to_json(data))


def as_events(result: TurnResult, at: datetime) -> list[HistoryEvent]:
    """The scheduled events a store records for a turn's actions."""
    out: list[HistoryEvent] = []
    for a in result.actions:
        if isinstance(a, ScheduleTask):
            out.append(TaskScheduled(task_id=a.task_id, name=a.name, input=a.input, timestamp=at))
        elif isinstance(a, CreateTimer):
            out.append(TimerCreated(task_id=a.task_id, fire_at=a.fire_at, timestamp=at))
        elif isinstance(a, CreateChildWorkflow):
            out.append(
                ChildWorkflowCreated(
                    task_id=a.task_id, name=a.name, instance_id=a.instance_id, timestamp=at
                )
            )
    return out


class Store:
    """Keeps one instance's history like the real store: past + new + scheduled events."""

    def __init__(self, executor: WorkflowExecutor, iid: str = IID) -> None:
        self.executor = executor
        self.iid = iid
        self.history: list[HistoryEvent] = []
        self.clock = T0
        self.results: list[TurnResult] = []

    def step(self, *events: HistoryEvent, advance: timedelta = timedelta(seconds=1)) -> TurnResult:
        self.clock += advance
        new = [turn(self.clock), *events]
        for ev in new:
            ev.timestamp = self.clock
        result = self.executor.execute(self.iid, list(self.history), new)
        self.history.extend(new)
        self.history.extend(as_events(result, self.clock))
        self.results.append(result)
        return result

    def start(self, name: str, input: object = None) -> TurnResult:
        data = None if input is None else to_json(input)
        return self.step(ExecutionStarted(name=name, input=data, instance_id=self.iid))

    @property
    def completion(self) -> CompleteWorkflow | None:
        last = self.results[-1].actions if self.results else []
        return last[0] if last and isinstance(last[0], CompleteWorkflow) else None


def run_pending(store: Store, registry) -> TurnResult:
    """Run the last turn's activities (as the worker would) and feed their outcomes back."""
    from wfctl.engine.activities import run_activity

    events: list[HistoryEvent] = []
    for a in store.results[-1].actions:
        if isinstance(a, ScheduleTask):
            out = run_activity(registry, a.name, a.input, instance_id=store.iid, task_id=a.task_id)
            if out.failure is None:
                events.append(TaskCompleted(task_id=a.task_id, result=out.result))
            else:
                events.append(TaskFailed(task_id=a.task_id, failure=out.failure))
    return store.step(*events)


def drive(store: Store, registry, limit: int = 100) -> TurnResult:
    """Run activities until the run completes or stops scheduling activities."""
    result = store.results[-1]
    for _ in range(limit):
        if not any(isinstance(a, ScheduleTask) for a in result.actions):
            return result
        result = run_pending(store, registry)
    raise AssertionError("workflow did not settle")
