"""Non-determinism detection, the generator cache, and the built-in demo workflows."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from tests.engine.histories import (
    IID,
    Store,
    done,
    drive,
    raised,
    scheduled,
    start,
    timer_created,
    timer_fired,
    turn,
)
from wfctl import demo as wfctl_demo
from wfctl.engine.history import CompleteWorkflow, ScheduleTask, TaskScheduled
from wfctl.engine.registry import Registry
from wfctl.engine.replay import WorkflowExecutor
from wfctl.engine.serialization import from_json
from wfctl.engine.tasks import when_all
from wfctl.model import RuntimeStatus
from wfctl.workflow.loader import load_app


def act(ctx, x):
    return x


def other(ctx, x):
    return x


def two_steps(ctx):
    yield ctx.call_activity(act, input=1)
    yield ctx.call_activity(act, input=2)


def executor(*wfs) -> WorkflowExecutor:
    reg = Registry()
    for wf in wfs:
        reg.add_workflow(wf)
    reg.add_activity(act)
    reg.add_activity(other)
    return WorkflowExecutor(reg)


def failure_of(result):
    (action,) = result.actions
    assert action.status is RuntimeStatus.FAILED
    return action.failure


def test_history_naming_another_activity_fails_the_run_naming_the_step():
    past = [*start("two_steps"), scheduled(1, "act"), done(1), scheduled(2, "renamed_act")]
    failure = failure_of(executor(two_steps).execute(IID, past, [turn(), done(2)]))
    assert failure.error_type == "NonDeterminismError"
    assert "task id 2" in failure.message
    assert "'renamed_act'" in failure.message and "'act'" in failure.message


def test_history_with_a_timer_where_the_code_calls_an_activity_fails_the_run():
    past = [*start("two_steps"), timer_created(1, turn().timestamp)]
    failure = failure_of(executor(two_steps).execute(IID, past, [turn()]))
    assert failure.error_type == "NonDeterminismError"
    assert "a timer" in failure.message and "schedules activity 'act'" in failure.message


def test_history_with_a_step_the_code_no_longer_takes_fails_the_run():
    def one_step(ctx):
        yield ctx.call_activity(act, input=1)

    past = [*start("one_step"), scheduled(1, "act"), done(1), scheduled(2, "act")]
    failure = failure_of(executor(one_step).execute(IID, past, [turn(), done(2)]))
    assert failure.error_type == "NonDeterminismError"
    assert "schedules nothing" in failure.message


def test_matching_history_is_not_flagged():
    past = [*start("two_steps"), scheduled(1, "act"), done(1), scheduled(2, "act")]
    result = executor(two_steps).execute(IID, past, [turn(), done(2)])
    assert result.actions == [CompleteWorkflow(RuntimeStatus.COMPLETED)]


# ----------------------------------------------------------------------- generator cache


def long_chain(ctx, n):
    total = 0
    for i in range(n):
        total += yield ctx.call_activity(act, input=i)
        if i % 7 == 3:
            yield ctx.create_timer(timedelta(seconds=1))
        if i % 11 == 5:
            pair = [ctx.call_activity(act, input=i), ctx.call_activity(other, input=1)]
            got = yield when_all(pair)
            total += sum(got)
        if i % 13 == 6:
            total += yield ctx.wait_for_external_event("bump")
    ctx.set_custom_status(str(total))
    return total


def play(store: Store, rng: random.Random | None = None) -> None:
    """Answer every action: activities complete with their input, timers fire, events come."""
    result = store.start("long_chain", 40)
    while not (result.actions and isinstance(result.actions[0], CompleteWorkflow)):
        events = []
        for a in result.actions:
            if isinstance(a, ScheduleTask):
                events.append(done(a.task_id, from_json(a.input)))
            else:
                events.append(timer_fired(a.task_id, a.fire_at))
        if result.waiting_for:
            events.append(raised("bump", 2))
        if rng is not None:
            rng.shuffle(events)
        result = store.step(*events)


@pytest.mark.parametrize("seed", [None, 1, 2, 3])
def test_incremental_and_full_replay_give_identical_turns(seed):
    rng = None if seed is None else random.Random(seed)
    cached = executor(long_chain)
    incremental = Store(cached)
    play(incremental, rng)
    assert cached.cache_hits > 30 and cached.cache_misses == 1

    full = executor(long_chain)
    replayed = Store(full)
    replayed.results = []
    # Same inputs turn by turn, but with the cache dropped before every turn.
    original = full.execute

    def forgetful(iid, past, new):
        full.forget(iid)
        return original(iid, past, new)

    full.execute = forgetful  # type: ignore[method-assign]
    play(replayed, None if seed is None else random.Random(seed))
    assert full.cache_hits == 0
    assert replayed.results == incremental.results
    assert [e.to_dict() for e in replayed.history] == [e.to_dict() for e in incremental.history]
    assert incremental.completion.result == replayed.completion.result


def test_a_history_that_does_not_extend_the_cached_run_falls_back_to_full_replay():
    ex = executor(two_steps)
    store = Store(ex)
    store.start("two_steps")
    assert ex.cached(IID)
    # Another process advanced the instance: history differs from what the cache consumed.
    past = [*start("two_steps"), scheduled(1, "act"), done(1), scheduled(2, "act")]
    result = ex.execute(IID, past, [turn(), done(2)])
    assert result.actions == [CompleteWorkflow(RuntimeStatus.COMPLETED)]
    assert ex.cache_misses == 2
    assert not ex.cached(IID)


def test_cache_hit_tolerates_event_ids_assigned_by_the_store():
    ex = executor(two_steps)
    store = Store(ex)
    store.start("two_steps")
    for i, ev in enumerate(store.history):
        ev.event_id = i
    store.step(done(1))
    assert ex.cache_hits == 1


def test_forget_drops_the_cached_generator():
    ex = executor(two_steps)
    Store(ex).start("two_steps")
    ex.forget(IID)
    assert not ex.cached(IID)


def test_is_replaying_is_true_only_over_past_events():
    seen = []

    def watcher(ctx):
        seen.append(ctx.is_replaying)
        yield ctx.call_activity(act, input=1)
        seen.append(ctx.is_replaying)
        yield ctx.call_activity(act, input=2)

    ex = executor(watcher)
    past = [*start("watcher"), scheduled(1, "act")]
    ex.execute(IID, past, [turn(), done(1)])
    assert seen == [True, False]


# ------------------------------------------------------------------------------ the demo


@pytest.fixture
def demo() -> tuple[Store, Registry]:
    registry = load_app(None, default=wfctl_demo.registry)
    return Store(WorkflowExecutor(registry), iid="order-1"), registry


def test_hello_world_chains_three_activities(demo):
    store, registry = demo
    store.start("hello_world_wf")
    result = drive(store, registry)
    assert result.actions == [
        CompleteWorkflow(RuntimeStatus.COMPLETED, '"Hello, world! Welcome to wfctl."')
    ]
    scheduled_names = [e.name for e in store.history if isinstance(e, TaskScheduled)]
    assert scheduled_names == ["hello_act"] * 3


def test_hello_world_greets_the_given_name(demo):
    store, registry = demo
    store.start("hello_world_wf", "Ada")
    assert drive(store, registry).actions[0].result == '"Hello, Ada! Welcome to wfctl."'


def test_small_order_completes_without_approval(demo):
    store, registry = demo
    order = {"Name": "Paperclips", "TotalCost": 99.95, "Quantity": 1}
    store.start("OrderProcessingWorkflow", order)
    out = from_json(drive(store, registry).actions[0].result)
    assert out["status"] == "completed" and out["order"] == "Paperclips"
    assert out["tracking_id"] == "trk-order-1"


@pytest.mark.parametrize(
    ("decision", "status"), [({"approved": True}, "completed"), ({"approved": False}, "rejected")]
)
def test_large_order_waits_for_approval(demo, decision, status):
    store, registry = demo
    store.start("OrderProcessingWorkflow", {"Name": "Gold", "TotalCost": 5000, "Quantity": 2})
    waiting = drive(store, registry)
    assert waiting.waiting_for == ["approval"]
    assert waiting.custom_status == "Waiting for approval"
    store.step(raised("approval", decision))
    out = from_json(drive(store, registry).actions[0].result)
    assert out["status"] == status


def test_large_order_times_out_after_24_hours(demo):
    store, registry = demo
    store.start("OrderProcessingWorkflow", {"Name": "Gold", "TotalCost": 5000, "Quantity": 2})
    drive(store, registry)
    (timer,) = [e for e in store.history if e.TYPE == "TimerCreated"]
    assert timer.fire_at - timer.timestamp == timedelta(hours=24)
    store.step(timer_fired(timer.task_id, timer.fire_at))
    out = from_json(drive(store, registry).actions[0].result)
    assert out["status"] == "timed_out"
