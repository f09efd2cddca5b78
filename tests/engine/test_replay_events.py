"""External events: buffering, case-insensitive names, FIFO, timeouts, when_any with timers."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from tests.engine.histories import (
    IID,
    T0,
    Store,
    raised,
    start,
    timer_created,
    timer_fired,
    turn,
)
from wfctl.engine.history import CompleteWorkflow, CreateTimer
from wfctl.engine.registry import Registry
from wfctl.engine.replay import WorkflowExecutor
from wfctl.engine.tasks import when_any
from wfctl.model import RuntimeStatus


def two_events(ctx):
    first = yield ctx.wait_for_external_event("Approval")
    second = yield ctx.wait_for_external_event("APPROVAL")
    return [first, second]


def with_timeout(ctx, seconds):
    try:
        data = yield ctx.wait_for_external_event("go", timeout=timedelta(seconds=seconds))
    except TimeoutError as exc:
        return f"timeout: {exc}"
    return data


def timeout_then_wait(ctx):
    with contextlib.suppress(TimeoutError):
        yield ctx.wait_for_external_event("go", timeout=timedelta(seconds=10))
    late = yield ctx.wait_for_external_event("go")
    return late


def race(ctx):
    event = ctx.wait_for_external_event("event1")
    timeout = ctx.create_timer(timedelta(seconds=30))
    winner = yield when_any([event, timeout])
    if winner == timeout:
        return "Timeout"
    return winner.get_result()


def executor() -> WorkflowExecutor:
    reg = Registry()
    for wf in (two_events, with_timeout, timeout_then_wait, race):
        reg.add_workflow(wf)
    return WorkflowExecutor(reg)


def completed(result: str) -> list:
    return [CompleteWorkflow(RuntimeStatus.COMPLETED, result=result)]


def test_indefinite_wait_creates_no_timer_and_reports_the_folded_name():
    result = executor().execute(IID, [], start("two_events"))
    assert result.actions == []
    assert result.waiting_for == ["approval"]


def test_events_match_case_insensitively_first_in_first_out():
    ex = executor()
    store = Store(ex)
    store.start("two_events")
    result = store.step(raised("approval", 1), raised("Approval", 2))
    assert result.actions == completed("[1, 2]")
    assert result.waiting_for == []


def test_events_raised_before_the_wait_are_buffered():
    ex = executor()
    new = [*start("two_events"), raised("APPROVAL", "a"), raised("approval", "b")]
    assert ex.execute(IID, [], new).actions == completed('["a", "b"]')


def test_each_event_satisfies_one_wait():
    ex = executor()
    store = Store(ex)
    store.start("two_events")
    result = store.step(raised("approval", 1))
    assert result.actions == [] and result.waiting_for == ["approval"]
    assert store.step(raised("approval", 2)).actions == completed("[1, 2]")


def test_event_without_payload_arrives_as_none():
    ex = executor()
    new = [*start("two_events"), raised("approval"), raised("approval")]
    assert ex.execute(IID, [], new).actions == completed("[null, null]")


def test_timeout_creates_a_timer_that_fails_the_wait_with_timeout_error():
    ex = executor()
    first = ex.execute(IID, [], start("with_timeout", 60))
    fire = T0 + timedelta(seconds=60)
    assert first.actions == [CreateTimer(task_id=1, fire_at=fire)]
    assert first.waiting_for == ["go"]
    past = [*start("with_timeout", 60), timer_created(1, fire)]
    (done,) = ex.execute(IID, past, [turn(fire), timer_fired(1, fire)]).actions
    assert done.status is RuntimeStatus.COMPLETED
    assert done.result.startswith('"timeout: ') and "go" in done.result


def test_event_before_timeout_wins_and_the_late_timer_is_ignored():
    ex = executor()
    store = Store(ex)
    store.start("with_timeout", 60)
    assert store.step(raised("GO", {"ok": True})).actions == completed('{"ok": true}')


def test_zero_timeout_fails_at_once_without_a_timer():
    result = executor().execute(IID, [], start("with_timeout", 0))
    (done,) = result.actions
    assert done.status is RuntimeStatus.COMPLETED and done.result.startswith('"timeout')


def test_zero_timeout_takes_an_already_buffered_event():
    def timer_then_poll(ctx):
        yield ctx.create_timer(timedelta(seconds=1))
        try:
            return (yield ctx.wait_for_external_event("go", timeout=timedelta(0)))
        except TimeoutError:
            return "nothing buffered"

    reg = Registry()
    reg.add_workflow(timer_then_poll)
    store = Store(WorkflowExecutor(reg))
    (timer,) = store.start("timer_then_poll").actions
    result = store.step(raised("go", 5), timer_fired(1, timer.fire_at))
    assert result.actions == completed("5")


def test_event_after_a_timeout_is_buffered_for_the_next_wait():
    ex = executor()
    store = Store(ex)
    assert store.start("timeout_then_wait").actions[0].task_id == 1
    fire = store.results[0].actions[0].fire_at
    result = store.step(timer_fired(1, fire))
    assert result.actions == [] and result.waiting_for == ["go"]
    assert store.step(raised("go", "late")).actions == completed('"late"')


def test_when_any_of_event_and_timer_reports_the_timer_by_identity():
    ex = executor()
    store = Store(ex)
    (timer,) = store.start("race").actions
    assert timer.task_id == 1 and store.results[0].waiting_for == ["event1"]
    assert store.step(timer_fired(1, timer.fire_at)).actions == completed('"Timeout"')


def test_when_any_of_event_and_timer_returns_the_event_when_it_comes_first():
    ex = executor()
    store = Store(ex)
    store.start("race")
    assert store.step(raised("Event1", "data")).actions == completed('"data"')


def test_event_raised_before_the_start_event_is_kept_for_the_first_wait():
    ex = executor()
    new = [turn(), raised("approval", "early"), *start("two_events")[1:], raised("approval", 2)]
    assert ex.execute(IID, [], new).actions == completed('["early", 2]')


def test_an_event_payload_that_is_not_json_fails_the_run_instead_of_raising():
    ex = executor()
    store = Store(ex)
    store.start("two_events")
    bad = raised("approval")
    bad.data = "{not json"
    (action,) = store.step(bad).actions
    assert action.status is RuntimeStatus.FAILED
    assert action.failure.error_type == "JSONDecodeError"
