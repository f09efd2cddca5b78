"""The worker loop over a real SQLite file with the real replay executor."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from wfctl.engine.store import Store
from wfctl.model import RuntimeStatus


def test_chain_runs_to_completion(store, engine):
    store.create_instance("a", "chain", "3")
    assert engine.drive(["a"], until="completion", limit=10)
    st = store.get_state("a")
    assert st.runtime_status == RuntimeStatus.COMPLETED
    assert st.serialized_output == "3"
    kinds = [e.TYPE for e in store.history("a")]
    assert kinds.count("TaskScheduled") == 3 and kinds.count("TaskCompleted") == 3
    assert kinds[-1] == "ExecutionCompleted"
    assert [e.event_id for e in store.history("a")] == list(range(len(kinds)))


def test_failing_activity_fails_workflow(store, engine):
    store.create_instance("f", "failing", "7")
    engine.drive(["f"], limit=10)
    st = store.get_state("f")
    assert st.runtime_status == RuntimeStatus.FAILED
    assert st.failure.error_type == "TaskFailedError"
    assert "boom 7" in st.failure.message


def test_event_wait_and_raise(store, engine):
    store.create_instance("w", "waiter", json.dumps("go"))
    engine.drive(["w"], limit=10)
    assert store.get_state("w").runtime_status == RuntimeStatus.RUNNING
    assert store.waiting_for("w") == ["go"]
    assert store.raise_event("w", "GO", json.dumps({"ok": 1})) is True
    engine.drive(["w"], limit=10)
    st = store.get_state("w")
    assert st.runtime_status == RuntimeStatus.COMPLETED
    assert json.loads(st.serialized_output) == {"ok": 1}


def test_events_before_wait_are_buffered_in_order(store, engine):
    store.create_instance("c", "counter", "3")
    for i in range(3):
        store.raise_event("c", "tick", str(i))
    engine.drive(["c"], limit=10)
    assert json.loads(store.get_state("c").serialized_output) == [0, 1, 2]


def test_child_workflow(store, engine):
    store.create_instance("p", "parent", "2")
    engine.drive(["p"], limit=10)
    assert store.get_state("p").serialized_output == "2"
    assert store.get_state("p:0001").runtime_status == RuntimeStatus.COMPLETED


def test_async_activities(store, engine):
    store.create_instance("x", "achain", "2")
    engine.drive(["x"], limit=10)
    assert store.get_state("x").serialized_output == "2"


def test_continue_as_new_restarts_with_same_id(store, engine):
    store.create_instance("r", "restarter", "2")
    engine.drive(["r"], limit=10)
    st = store.get_state("r")
    assert st.runtime_status == RuntimeStatus.COMPLETED
    assert st.serialized_output == json.dumps("done")
    assert st.serialized_input == "0"


def test_timer_fires_when_due(db):
    now = [1_000_000.0]
    store = Store(db, clock=lambda: now[0])
    from tests.engine.conftest import make_engine

    eng = make_engine(db, store=store)
    try:
        store.create_instance("t", "sleeper", "60")
        assert eng.drive(["t"], limit=5)  # idle: waiting for a future timer
        assert store.get_state("t").runtime_status == RuntimeStatus.RUNNING
        assert store.due_timer_roots() == []
        now[0] += 61
        assert store.due_timer_roots() == ["t"]
        eng.drive(["t"], limit=5)
        assert store.get_state("t").serialized_output == json.dumps("woke")
    finally:
        eng.close()


def test_delayed_start_waits_and_keeps_early_events(db):
    now = [1_000_000.0]
    store = Store(db, clock=lambda: now[0])
    from tests.engine.conftest import make_engine

    eng = make_engine(db, store=store)
    try:
        at = datetime(1970, 1, 1) + timedelta(seconds=now[0] + 30)
        store.create_instance("d", "waiter", json.dumps("go"), start_at=at)
        store.raise_event("d", "go", "1")
        eng.drive(["d"], limit=2)
        assert store.get_state("d").runtime_status == RuntimeStatus.PENDING
        now[0] += 31
        eng.drive(["d"], limit=5)
        st = store.get_state("d")
        assert st.runtime_status == RuntimeStatus.COMPLETED and st.serialized_output == "1"
    finally:
        eng.close()


def test_continue_as_new_carries_unconsumed_events(store, engine):
    store.create_instance("cv", "carrier", "1")
    store.raise_event("cv", "x", '"kept"')  # buffered by run 1, consumed by run 2
    engine.drive(["cv"], limit=10)
    st = store.get_state("cv")
    assert st.runtime_status == RuntimeStatus.COMPLETED
    assert st.serialized_output == '"kept"'


def test_failed_child_raises_in_parent(store, engine):
    store.create_instance("pf", "parent_of_failing")
    engine.drive(["pf"], limit=10)
    assert store.get_state("pf:0001").runtime_status == RuntimeStatus.FAILED
    assert store.get_state("pf").serialized_output == '"caught TaskFailedError"'


def test_terminate_without_recursion_leaves_children(store, engine):
    store.create_instance("pn", "parent_of_waiter")
    engine.drive(["pn"], limit=10)
    store.terminate("pn", recursive=False)
    assert store.get_state("pn").runtime_status == RuntimeStatus.TERMINATED
    assert store.get_state("pn:0001").runtime_status == RuntimeStatus.RUNNING
    store.raise_event("pn:0001", "go", "1")
    engine.drive(["pn:0001"], limit=10)
    assert store.get_state("pn:0001").runtime_status == RuntimeStatus.COMPLETED
