"""when_all / when_any, child workflows, retries, continue_as_new and custom status."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.engine.histories import (
    IID,
    Store,
    child_done,
    child_failed,
    done,
    failed,
    raised,
    timer_fired,
)
from wfctl.engine.history import (
    CompleteWorkflow,
    CreateChildWorkflow,
    CreateTimer,
    EventRaised,
    ScheduleTask,
)
from wfctl.engine.registry import Registry
from wfctl.engine.replay import WorkflowExecutor
from wfctl.engine.tasks import RetryPolicy, TaskFailedError, when_all, when_any
from wfctl.model import RuntimeStatus


def act(ctx, x):
    return x


def fan_out(ctx, n):
    results = yield when_all([ctx.call_activity(act, input=i) for i in range(n)])
    return results


def fan_out_catching(ctx, n):
    try:
        yield when_all([ctx.call_activity(act, input=i) for i in range(n)])
    except TaskFailedError as exc:
        return f"caught {exc.details.error_type}: {exc.details.message}"


def first_of(ctx):
    a = ctx.call_activity(act, input="a")
    b = ctx.call_activity(act, input="b")
    winner = yield when_any([a, b])
    return ["a" if winner is a else "b", winner.get_result()]


def empties(ctx):
    all_ = yield when_all([])
    any_ = yield when_any([])
    return [all_, any_]


def parent(ctx, explicit):
    first = yield ctx.call_child_workflow(child, input=1)
    second = yield ctx.call_child_workflow("child", input=2, instance_id=explicit)
    return [first, second]


def child(ctx, x):
    return x * 10


POLICY = RetryPolicy(
    first_retry_interval=timedelta(seconds=1),
    max_number_of_attempts=4,
    backoff_coefficient=2,
    max_retry_interval=timedelta(seconds=3),
)


def retried(ctx):
    try:
        return (yield ctx.call_activity(act, input="r", retry_policy=POLICY))
    except TaskFailedError as exc:
        return f"gave up: {exc.details.message}"


def retried_child(ctx):
    return (yield ctx.call_child_workflow(child, input=3, retry_policy=POLICY))


def looping(ctx, n):
    got = yield ctx.wait_for_external_event("tick")
    ctx.set_custom_status(json.dumps({"n": n, "got": got}))  # the JSON text, as the SDK asks
    ctx.continue_as_new(n + 1, save_events=(n % 2 == 0))
    yield ctx.call_activity(act, input="never scheduled")


def monitor(ctx, n):
    yield ctx.create_timer(timedelta(seconds=5))
    yield ctx.continue_as_new(n + 1)


def status_setter(ctx):
    ctx.set_custom_status("Waiting for approval")
    yield ctx.wait_for_external_event("x")


def dict_status(ctx):
    ctx.set_custom_status({"step": 2, "ok": True})
    yield ctx.wait_for_external_event("x")


WORKFLOWS = (fan_out, fan_out_catching, first_of, empties, parent, child, retried)
WORKFLOWS += (retried_child, looping, monitor, status_setter, dict_status)


@pytest.fixture
def store() -> Store:
    reg = Registry()
    for wf in WORKFLOWS:
        reg.add_workflow(wf)
    reg.add_activity(act)
    return Store(WorkflowExecutor(reg))


def completed(result: str | None) -> list:
    return [CompleteWorkflow(RuntimeStatus.COMPLETED, result=result)]


def test_when_all_schedules_every_task_and_returns_results_in_input_order(store):
    first = store.start("fan_out", 3)
    assert [(a.task_id, a.input) for a in first.actions] == [(1, "0"), (2, "1"), (3, "2")]
    assert store.step(done(3, "c"), done(1, "a")).actions == []
    assert store.step(done(2, "b")).actions == completed('["a", "b", "c"]')


def test_when_all_waits_for_every_task_then_raises_the_first_failure(store):
    store.start("fan_out_catching", 3)
    assert store.step(failed(2, "KeyError", "second")).actions == []
    assert store.step(failed(1, "ValueError", "first")).actions == []
    assert store.step(done(3, "c")).actions == completed('"caught KeyError: second"')


def test_when_any_returns_the_first_task_object_to_finish(store):
    store.start("first_of")
    assert store.step(done(2, "B"), done(1, "A")).actions == completed('["b", "B"]')


def test_when_all_and_when_any_of_nothing_complete_at_once(store):
    assert store.start("empties").actions == completed("[[], []]")


def test_child_workflow_ids_default_to_parent_and_four_hex_digits(store):
    first = store.start("parent", "mine")
    assert first.actions == [CreateChildWorkflow(1, "child", f"{IID}:0001", "1")]
    second = store.step(child_done(1, 10))
    assert second.actions == [CreateChildWorkflow(2, "child", "mine", "2")]
    assert store.step(child_done(2, 20)).actions == completed("[10, 20]")


def test_child_failure_raises_task_failed_error_in_the_parent(store):
    store.start("parent", "mine")
    (action,) = store.step(child_failed(1, "ZeroDivisionError", "oops")).actions
    assert action.status is RuntimeStatus.FAILED
    assert action.failure.error_type == "TaskFailedError"
    assert "oops" in action.failure.message


def test_retry_policy_waits_on_durable_timers_with_backoff_then_succeeds(store):
    assert store.start("retried").actions == [ScheduleTask(1, "act", '"r"')]
    t1 = store.step(failed(1))
    assert t1.actions == [CreateTimer(2, store.clock + timedelta(seconds=1))]
    again = store.step(timer_fired(2, t1.actions[0].fire_at))
    assert again.actions == [ScheduleTask(1, "act", '"r"')]  # the retry keeps its task id
    t2 = store.step(failed(1))
    assert t2.actions == [CreateTimer(3, store.clock + timedelta(seconds=2))]
    store.step(timer_fired(3, t2.actions[0].fire_at))
    t3 = store.step(failed(1))
    assert t3.actions == [CreateTimer(4, store.clock + timedelta(seconds=3))]  # capped
    store.step(timer_fired(4, t3.actions[0].fire_at))
    assert store.step(done(1, "ok")).actions == completed('"ok"')


def test_retry_policy_gives_up_after_max_attempts(store):
    store.start("retried")
    for timer_id in (2, 3, 4):
        (timer,) = store.step(failed(1, message=f"try {timer_id - 1}")).actions
        assert timer.task_id == timer_id
        store.step(timer_fired(timer_id, timer.fire_at))
    assert store.step(failed(1, message="try 4")).actions == completed('"gave up: try 4"')


def test_non_retryable_error_is_not_retried(store):
    store.start("retried")
    result = store.step(failed(1, "NonRetryableError", "stop"))
    assert result.actions == completed('"gave up: stop"')


def test_retry_timeout_stops_retrying_when_the_next_attempt_would_start_too_late():
    policy = RetryPolicy(
        first_retry_interval=timedelta(seconds=10),
        max_number_of_attempts=10,
        retry_timeout=timedelta(seconds=15),
    )
    assert policy.next_delay(1) == timedelta(seconds=10)
    assert policy.next_delay(2) is None
    once = RetryPolicy(first_retry_interval=timedelta(seconds=1), max_number_of_attempts=1)
    assert once.next_delay(1) is None
    with pytest.raises(ValueError):
        RetryPolicy(first_retry_interval=timedelta(seconds=1), max_number_of_attempts=0)


def test_retried_child_keeps_its_instance_id(store):
    (create,) = store.start("retried_child").actions
    assert create == CreateChildWorkflow(1, "child", f"{IID}:0001", "3")
    (timer,) = store.step(child_failed(1)).actions
    assert store.step(timer_fired(timer.task_id, timer.fire_at)).actions == [create]
    assert store.step(child_done(1, 30)).actions == completed("30")


def test_continue_as_new_ends_the_run_with_the_new_input_and_drops_the_rest(store):
    store.start("looping", 1)
    (action,) = store.step(raised("tick", "a"), raised("tick", "extra")).actions
    assert action.status is RuntimeStatus.CONTINUED_AS_NEW
    assert action.result == "2"
    assert action.carryover_events == []
    assert store.results[-1].custom_status == '{"n": 1, "got": "a"}'


def test_continue_as_new_with_save_events_carries_unconsumed_events_in_order(store):
    store.start("looping", 2)
    (action,) = store.step(raised("tick", "a"), raised("other", 1), raised("TICK", "b")).actions
    assert action.status is RuntimeStatus.CONTINUED_AS_NEW and action.result == "3"
    carried = action.carryover_events
    assert all(isinstance(e, EventRaised) for e in carried)
    assert [(e.name, e.data) for e in carried] == [("other", "1"), ("TICK", '"b"')]


def test_yielded_continue_as_new_completes_like_the_monitor_pattern(store):
    (timer,) = store.start("monitor", 7).actions
    (action,) = store.step(timer_fired(1, timer.fire_at)).actions
    assert (action.status, action.result) == (RuntimeStatus.CONTINUED_AS_NEW, "8")


def test_a_str_custom_status_is_kept_as_it_is_and_survives_replay(store):
    first = store.start("status_setter")
    assert first.custom_status == "Waiting for approval"  # as the Dapr SDK sends a str
    store.executor.forget(IID)
    again = store.step(raised("unrelated"))
    assert again.custom_status == "Waiting for approval"
    assert again.waiting_for == ["x"]


def test_another_custom_status_value_is_its_json_text_with_the_sdk_deprecation(store):
    with pytest.warns(DeprecationWarning, match="non-str value is deprecated"):
        first = store.start("dict_status")
    assert first.custom_status == '{"step": 2, "ok": true}'  # as the Dapr SDK sends it
