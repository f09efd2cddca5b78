"""The workflow context's smaller promises, and the wfctl.workflow facade."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import wfctl.workflow as wf
from tests.engine.histories import IID, T0, Store, raised, start, timer_fired
from wfctl import model
from wfctl.engine.history import CompleteWorkflow, CreateTimer
from wfctl.engine.registry import Registry
from wfctl.engine.replay import WorkflowExecutor
from wfctl.model import RuntimeStatus

seen: list = []


def deadline_wait(ctx):
    try:
        return (yield ctx.wait_for_external_event("e", timeout=T0 + timedelta(minutes=1)))
    except TimeoutError as exc:
        return str(exc)


def aware_timer(ctx):
    yield ctx.create_timer(datetime(2026, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))))


def deterministic(ctx):
    seen.append((str(ctx.new_guid()), str(ctx.new_guid()), ctx.random().random()))
    yield ctx.wait_for_external_event("go")
    return "ok"


def yields_junk(ctx):
    yield 42


async def async_wf(ctx):
    return 1


def executor() -> WorkflowExecutor:
    reg = Registry()
    for fn in (deadline_wait, aware_timer, deterministic, yields_junk, async_wf):
        reg.add_workflow(fn)
    return WorkflowExecutor(reg)


def test_timeout_may_be_an_absolute_deadline():
    store = Store(executor())
    (timer,) = store.start("deadline_wait").actions
    assert timer == CreateTimer(1, T0 + timedelta(minutes=1))
    (done,) = store.step(timer_fired(1, timer.fire_at)).actions
    assert "Timed out" in done.result and "'e'" in done.result


def test_aware_datetimes_become_naive_utc():
    assert executor().execute(IID, [], start("aware_timer")).actions == [
        CreateTimer(1, datetime(2026, 1, 1, 12, 0))
    ]


def test_guids_and_random_are_the_same_on_replay_and_differ_between_calls():
    ex = executor()
    store = Store(ex)
    store.start("deterministic")
    ex.forget(IID)
    store.step(raised("go"))
    first, again = seen[-2], seen[-1]
    assert first == again
    assert first[0] != first[1]


def test_yielding_something_that_is_not_a_task_fails_the_run():
    (action,) = executor().execute(IID, [], start("yields_junk")).actions
    assert action.status is RuntimeStatus.FAILED and action.failure.error_type == "TypeError"
    assert "yielded int" in action.failure.message


def test_async_workflow_fails_with_advice_and_no_unawaited_coroutine():
    (action,) = executor().execute(IID, [], start("async_wf")).actions
    assert action.status is RuntimeStatus.FAILED and "generator" in action.failure.message


def test_workflow_status_numbers_and_state_from_the_model():
    assert [s.value for s in wf.WorkflowStatus] == list(range(8))
    state = wf.WorkflowState(
        model.WorkflowState(
            instance_id="i",
            name="n",
            runtime_status=RuntimeStatus.FAILED,
            serialized_output='"x"',
            failure=model.FailureDetails("E", "m", "t"),
            created_at=datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc),
        )
    )
    assert state.created_at == datetime(2026, 1, 2, 3, 4)  # naive UTC, as the SDK's
    assert state.created_at.tzinfo is None and state.last_updated_at is None
    assert state.serialized_output == '"x"' and state.serialized_input is None
    assert state.runtime_status is wf.WorkflowStatus.FAILED
    assert state.runtime_status.name == "FAILED"
    assert str(state.runtime_status) == "WorkflowStatus.FAILED"
    assert state.failure_details.error_type == "E"
    expected = {"message": "m", "error_type": "E", "stack_trace": "t"}
    assert state.to_json()["failure_details"] == expected
    assert wf.WorkflowStatus.from_runtime_status(RuntimeStatus.CONTINUED_AS_NEW).name == "RUNNING"


def test_facade_exports_the_sdk_names():
    for name in ("WorkflowRuntime", "DaprWorkflowContext", "WorkflowActivityContext", "when_all"):
        assert name in wf.__all__ and hasattr(wf, name)
    with pytest.raises(AttributeError):
        wf.NoSuchThing  # noqa: B018


def test_completed_plain_results_are_not_wrapped():
    def plain(ctx, x):
        return x

    reg = Registry()
    reg.add_workflow(plain)
    assert WorkflowExecutor(reg).execute(IID, [], start("plain", [1])).actions == [
        CompleteWorkflow(RuntimeStatus.COMPLETED, "[1]")
    ]
