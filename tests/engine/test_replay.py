"""Replay as a pure function: histories in, actions out (sequencing, results, failures)."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.engine.histories import (
    IID,
    T0,
    Store,
    done,
    failed,
    scheduled,
    start,
    timer_created,
    timer_fired,
    turn,
)
from wfctl.engine.history import (
    CompleteWorkflow,
    CreateTimer,
    ExecutionResumed,
    ExecutionSuspended,
    ScheduleTask,
)
from wfctl.engine.registry import Registry
from wfctl.engine.replay import WorkflowExecutor
from wfctl.model import RuntimeStatus


def hello(ctx, name):
    return f"Hello {name}"


def chain(ctx, n):
    a = yield ctx.call_activity(hello, input=n)
    b = yield ctx.call_activity("hello", input=a)
    return [a, b]


def no_input(ctx):
    return "ran"


def plain(ctx, x):
    return {"doubled": x * 2}


def make(*workflows, activities=(hello,)) -> WorkflowExecutor:
    reg = Registry()
    for wf in workflows:
        reg.add_workflow(wf)
    for act in activities:
        reg.add_activity(act)
    return WorkflowExecutor(reg)


def test_first_turn_schedules_the_first_activity_with_task_id_1():
    ex = make(chain)
    result = ex.execute(IID, [], start("chain", 5))
    assert result.actions == [ScheduleTask(task_id=1, name="hello", input="5")]
    assert result.waiting_for == []


def test_completion_resumes_the_generator_and_schedules_the_next_step():
    ex = make(chain)
    past = [*start("chain", 5), scheduled(1, "hello", 5)]
    result = ex.execute(IID, past, [turn(), done(1, "Hello 5")])
    assert result.actions == [ScheduleTask(task_id=2, name="hello", input='"Hello 5"')]


def test_last_completion_completes_the_run_with_json_output():
    ex = make(chain)
    past = [*start("chain", 5), scheduled(1, "hello"), done(1, "a"), scheduled(2, "hello")]
    result = ex.execute(IID, past, [turn(), done(2, "b")])
    assert result.actions == [CompleteWorkflow(RuntimeStatus.COMPLETED, result='["a", "b"]')]


def test_string_output_is_stored_as_json_text():
    ex = make(plain, hello)
    result = ex.execute(IID, [], start("hello", "world"))
    assert result.actions == [CompleteWorkflow(RuntimeStatus.COMPLETED, result='"Hello world"')]


def test_plain_function_completes_at_once_and_input_needs_a_second_parameter():
    ex = make(no_input, plain)
    assert ex.execute(IID, [], start("no_input", {"ignored": 1})).actions == [
        CompleteWorkflow(RuntimeStatus.COMPLETED, result='"ran"')
    ]
    assert ex.execute("other", [], start("plain", 21, iid="other")).actions == [
        CompleteWorkflow(RuntimeStatus.COMPLETED, result='{"doubled": 42}')
    ]


def test_none_result_completes_with_no_output():
    def nothing(ctx):
        yield ctx.call_activity(hello, input=1)

    ex = make(nothing)
    past = [*start("nothing"), scheduled(1, "hello")]
    result = ex.execute(IID, past, [turn(), done(1, "x")])
    assert result.actions == [CompleteWorkflow(RuntimeStatus.COMPLETED, result=None)]


def test_activity_failure_raises_task_failed_error_at_the_yield():
    seen = {}

    def careful(ctx):
        try:
            yield ctx.call_activity(hello, input=1)
        except Exception as exc:  # noqa: BLE001 - the test looks at what arrived
            seen["type"] = type(exc).__name__
            seen["details"] = exc.details
            return "recovered"

    ex = make(careful)
    past = [*start("careful"), scheduled(1, "hello")]
    result = ex.execute(IID, past, [turn(), failed(1, "KeyError", "missing")])
    assert result.actions == [CompleteWorkflow(RuntimeStatus.COMPLETED, result='"recovered"')]
    assert seen["type"] == "TaskFailedError"
    assert (seen["details"].error_type, seen["details"].message) == ("KeyError", "missing")


def test_uncaught_exception_fails_the_run_with_type_message_and_trace():
    def broken(ctx, x):
        yield ctx.call_activity(hello, input=x)
        raise RuntimeError("went wrong")

    ex = make(broken)
    past = [*start("broken", 1), scheduled(1, "hello")]
    (action,) = ex.execute(IID, past, [turn(), done(1, "ok")]).actions
    assert action.status is RuntimeStatus.FAILED
    assert action.failure.error_type == "RuntimeError"
    assert action.failure.message == "went wrong"
    assert "in broken" in action.failure.stack_trace
    assert "RuntimeError: went wrong" in action.failure.stack_trace


def test_unhandled_activity_failure_fails_the_run_as_task_failed_error():
    ex = make(chain)
    past = [*start("chain", 1), scheduled(1, "hello")]
    (action,) = ex.execute(IID, past, [turn(), failed(1)]).actions
    assert action.status is RuntimeStatus.FAILED
    assert action.failure.error_type == "TaskFailedError"
    assert "boom" in action.failure.message


def test_unknown_workflow_fails_with_workflow_not_registered_error():
    ex = make(chain)
    (action,) = ex.execute(IID, [], start("nope")).actions
    assert action.status is RuntimeStatus.FAILED
    assert action.failure.error_type == "WorkflowNotRegisteredError"
    assert "'nope'" in action.failure.message


def test_completion_for_unknown_task_id_is_ignored():
    ex = make(chain)
    past = [*start("chain", 1), scheduled(1, "hello")]
    result = ex.execute(IID, past, [turn(), done(7, "stray")])
    assert result.actions == []


def test_suspend_and_resume_events_are_ignored():
    ex = make(chain)
    past = [*start("chain", 1), scheduled(1, "hello")]
    result = ex.execute(IID, past, [turn(), ExecutionSuspended(), ExecutionResumed()])
    assert result.actions == []


def test_timer_from_timedelta_fires_at_turn_time_plus_delay_and_resumes():
    def sleepy(ctx):
        yield ctx.create_timer(timedelta(minutes=5))
        return ctx.current_utc_datetime.isoformat()

    ex = make(sleepy)
    first = ex.execute(IID, [], start("sleepy"))
    fire = T0 + timedelta(minutes=5)
    assert first.actions == [CreateTimer(task_id=1, fire_at=fire)]
    past = [*start("sleepy"), timer_created(1, fire)]
    result = ex.execute("x2", past, [turn(fire), timer_fired(1, fire)])
    assert result.actions == [
        CompleteWorkflow(RuntimeStatus.COMPLETED, result=json.dumps(fire.isoformat()))
    ]


def test_current_utc_datetime_is_naive_and_comes_from_the_latest_turn_marker():
    seen = []

    def clock(ctx):
        seen.append((ctx.current_utc_datetime, ctx.is_replaying))
        yield ctx.call_activity(hello, input=1)
        seen.append((ctx.current_utc_datetime, ctx.is_replaying))

    ex = make(clock)
    later = T0 + timedelta(hours=1)
    past = [*start("clock"), scheduled(1, "hello")]
    ex.execute(IID, past, [turn(later), done(1, "x")])
    assert seen == [(T0, True), (later, False)]
    assert seen[0][0].tzinfo is None


def test_store_simulation_runs_a_chain_to_completion():
    ex = make(chain)
    store = Store(ex)
    assert store.start("chain", 1).actions == [ScheduleTask(1, "hello", "1")]
    assert store.step(done(1, "a")).actions == [ScheduleTask(2, "hello", '"a"')]
    assert store.step(done(2, "b")).actions == [
        CompleteWorkflow(RuntimeStatus.COMPLETED, result='["a", "b"]')
    ]
    assert not ex.cached(IID)
