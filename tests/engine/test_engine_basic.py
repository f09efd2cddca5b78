"""The worker loop over a real SQLite file with the real replay executor."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from wfctl.engine.store import Store
from wfctl.model import RuntimeStatus


def test_chain_runs_to_completion(store, engine):
    store.instances.create_instance("a", "chain", "3")
    assert engine.drive(["a"], until="completion", limit=10)
    st = store.instances.get_state("a")
    assert st.runtime_status == RuntimeStatus.COMPLETED
    assert st.serialized_output == "3"
    kinds = [e.TYPE for e in store.instances.history("a")]
    assert kinds.count("TaskScheduled") == 3 and kinds.count("TaskCompleted") == 3
    assert kinds[-1] == "ExecutionCompleted"
    assert [e.event_id for e in store.instances.history("a")] == list(range(len(kinds)))


def test_failing_activity_fails_workflow(store, engine):
    store.instances.create_instance("f", "failing", "7")
    engine.drive(["f"], limit=10)
    st = store.instances.get_state("f")
    assert st.runtime_status == RuntimeStatus.FAILED
    assert st.failure.error_type == "TaskFailedError"
    assert "boom 7" in st.failure.message


def test_event_wait_and_raise(store, engine):
    store.instances.create_instance("w", "waiter", json.dumps("go"))
    engine.drive(["w"], limit=10)
    assert store.instances.get_state("w").runtime_status == RuntimeStatus.RUNNING
    assert store.instances.waiting_for("w") == ["go"]
    assert store.manage.raise_event("w", "GO", json.dumps({"ok": 1})) is True
    engine.drive(["w"], limit=10)
    st = store.instances.get_state("w")
    assert st.runtime_status == RuntimeStatus.COMPLETED
    assert json.loads(st.serialized_output) == {"ok": 1}


def test_events_before_wait_are_buffered_in_order(store, engine):
    store.instances.create_instance("c", "counter", "3")
    for i in range(3):
        store.manage.raise_event("c", "tick", str(i))
    engine.drive(["c"], limit=10)
    assert json.loads(store.instances.get_state("c").serialized_output) == [0, 1, 2]


def test_child_workflow(store, engine):
    store.instances.create_instance("p", "parent", "2")
    engine.drive(["p"], limit=10)
    assert store.instances.get_state("p").serialized_output == "2"
    assert store.instances.get_state("p:0001").runtime_status == RuntimeStatus.COMPLETED


def test_async_activities(store, engine):
    store.instances.create_instance("x", "achain", "2")
    engine.drive(["x"], limit=10)
    assert store.instances.get_state("x").serialized_output == "2"


def test_continue_as_new_restarts_with_same_id(store, engine):
    store.instances.create_instance("r", "restarter", "2")
    engine.drive(["r"], limit=10)
    st = store.instances.get_state("r")
    assert st.runtime_status == RuntimeStatus.COMPLETED
    assert st.serialized_output == json.dumps("done")
    assert st.serialized_input == "0"


def test_timer_fires_when_due(db):
    now = [1_000_000.0]
    store = Store(db, clock=lambda: now[0])
    from tests.engine.support import make_engine

    eng = make_engine(db, store=store)
    try:
        store.instances.create_instance("t", "sleeper", "60")
        assert eng.drive(["t"], limit=5)  # idle: waiting for a future timer
        assert store.instances.get_state("t").runtime_status == RuntimeStatus.RUNNING
        assert store.queues.due_timer_roots() == []
        now[0] += 61
        assert store.queues.due_timer_roots() == ["t"]
        eng.drive(["t"], limit=5)
        assert store.instances.get_state("t").serialized_output == json.dumps("woke")
    finally:
        eng.close()


def test_delayed_start_waits_and_keeps_early_events(db):
    now = [1_000_000.0]
    store = Store(db, clock=lambda: now[0])
    from tests.engine.support import make_engine

    eng = make_engine(db, store=store)
    try:
        at = datetime(1970, 1, 1) + timedelta(seconds=now[0] + 30)
        store.instances.create_instance("d", "waiter", json.dumps("go"), start_at=at)
        store.manage.raise_event("d", "go", "1")
        eng.drive(["d"], limit=2)
        assert store.instances.get_state("d").runtime_status == RuntimeStatus.PENDING
        now[0] += 31
        eng.drive(["d"], limit=5)
        st = store.instances.get_state("d")
        assert st.runtime_status == RuntimeStatus.COMPLETED and st.serialized_output == "1"
    finally:
        eng.close()


def test_continue_as_new_carries_unconsumed_events(store, engine):
    store.instances.create_instance("cv", "carrier", "1")
    store.manage.raise_event("cv", "x", '"kept"')  # buffered by run 1, consumed by run 2
    engine.drive(["cv"], limit=10)
    st = store.instances.get_state("cv")
    assert st.runtime_status == RuntimeStatus.COMPLETED
    assert st.serialized_output == '"kept"'


def test_failed_child_raises_in_parent(store, engine):
    store.instances.create_instance("pf", "parent_of_failing")
    engine.drive(["pf"], limit=10)
    assert store.instances.get_state("pf:0001").runtime_status == RuntimeStatus.FAILED
    assert store.instances.get_state("pf").serialized_output == '"caught TaskFailedError"'


def test_terminate_without_recursion_leaves_children(store, engine):
    store.instances.create_instance("pn", "parent_of_waiter")
    engine.drive(["pn"], limit=10)
    store.manage.terminate("pn", recursive=False)
    assert store.instances.get_state("pn").runtime_status == RuntimeStatus.TERMINATED
    assert store.instances.get_state("pn:0001").runtime_status == RuntimeStatus.RUNNING
    store.manage.raise_event("pn:0001", "go", "1")
    engine.drive(["pn:0001"], limit=10)
    assert store.instances.get_state("pn:0001").runtime_status == RuntimeStatus.COMPLETED


def test_history_event_ids_are_durable_task_ids(store, engine):
    """EVENTID (wfctl history) is the Durable Task event id: an action's sequence number on the
    events made from actions (the completing action numbered after the tasks), -1 elsewhere."""
    from wfctl.backend.entries import history_entries

    store.instances.create_instance("c", "chain", "2")
    store.instances.create_instance("p", "parent", "1")
    assert engine.drive(["c", "p"], until="completion", limit=20)
    rows = [(e.type, e.event_id) for e in history_entries(store.instances.history("c"))]
    assert rows == [
        ("ExecutionStarted", -1),
        ("TaskScheduled", 1),
        ("TaskCompleted", -1),
        ("TaskScheduled", 2),
        ("TaskCompleted", -1),
        ("ExecutionCompleted", 3),
    ]
    rows = [(e.type, e.event_id) for e in history_entries(store.instances.history("p"))]
    assert rows[:2] == [("ExecutionStarted", -1), ("ChildWorkflowCreated", 1)]
    assert rows[-1] == ("ExecutionCompleted", 2)


def test_dt_event_id_rule():
    from wfctl.engine import history as h

    at = datetime(2026, 1, 1)
    assert h.dt_event_id(h.TimerCreated(task_id=4, fire_at=at)) == 4
    assert h.dt_event_id(h.TaskScheduled(task_id=2, name="a", event_id=9)) == 2
    assert h.dt_event_id(h.ChildWorkflowCreated(task_id=3, name="c", instance_id="x")) == 3
    assert h.dt_event_id(h.ExecutionCompleted(action_id=5)) == 5
    assert h.dt_event_id(h.ExecutionCompleted()) == -1  # a file written before action_id
    for ev in (
        h.OrchestratorStarted(event_id=0),
        h.ExecutionStarted(event_id=1),
        h.TaskCompleted(task_id=2),
        h.TaskFailed(task_id=2),
        h.TimerFired(task_id=4, fire_at=at),
        h.ChildWorkflowCompleted(task_id=3),
        h.ChildWorkflowFailed(task_id=3),
        h.EventRaised(name="go"),
        h.ExecutionTerminated(),
        h.ExecutionSuspended(),
        h.ExecutionResumed(),
    ):
        assert h.dt_event_id(ev) == -1, ev.TYPE
