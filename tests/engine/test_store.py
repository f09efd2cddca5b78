"""The store's contract, method by method, on real SQLite files (huey's test_storage style)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import timezone

import pytest

from tests.engine.support import make_engine
from wfctl.engine import schema
from wfctl.engine.history import CompleteWorkflow, ScheduleTask, TurnResult
from wfctl.engine.store import Store, new_owner_id, pid_alive
from wfctl.model import ConflictError, RuntimeStatus, StorageError


# ------------------------------------------------------------------ file handling
def test_new_file_gets_wal_and_current_version(db):
    Store(db).close()
    c = sqlite3.connect(db)
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("SELECT max(version) FROM schema_version").fetchone()[0] == (
        schema.SCHEMA_VERSION
    )


def test_newer_schema_is_refused(db):
    Store(db).close()
    c = sqlite3.connect(db)
    c.execute("INSERT INTO schema_version (version) VALUES (?)", (schema.SCHEMA_VERSION + 5,))
    c.commit()
    c.close()
    with pytest.raises(StorageError, match="newer than this wfctl"):
        Store(db)


def test_older_schema_is_migrated_forward(db, monkeypatch):
    s = Store(db)
    s.instances.create_instance("keep", "chain", "1")
    s.close()
    extra = "ALTER TABLE instances ADD COLUMN note TEXT; CREATE TABLE extra_probe (x INTEGER)"
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, extra])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    s = Store(db)
    assert s.instances.get_state("keep").name == "chain"
    s.close()
    c = sqlite3.connect(db)
    assert c.execute("SELECT max(version) FROM schema_version").fetchone()[0] == (
        schema.SCHEMA_VERSION
    )
    c.execute("SELECT note FROM instances")
    c.execute("SELECT x FROM extra_probe")


def test_corrupt_file_is_one_line_storage_error(db):
    db.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StorageError) as err:
        Store(db)
    assert "corrupt" in str(err.value) and "\n" not in str(err.value)


def _make_read_only(path):
    """chmod for ordinary users; chattr +i for root (which ignores permissions)."""
    if os.geteuid() != 0:
        os.chmod(path, 0o444)
        return lambda: os.chmod(path, 0o644)
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a file read-only for root here")
    return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)


def test_read_only_file_is_storage_error(tmp_path):
    db = tmp_path / "wf.db"
    s = Store(db)
    s.instances.create_instance("x", "chain")
    s.close()
    undo = _make_read_only(db)
    try:
        with pytest.raises(StorageError) as err:
            s = Store(db)
            s.instances.create_instance("y", "chain")
        assert "read-only" in str(err.value) and "\n" not in str(err.value)
    finally:
        undo()


def test_unopenable_path_is_storage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError):
        Store(blocker / "sub" / "wf.db")


# ------------------------------------------------------------------ instances
def test_create_get_and_unknown(store):
    assert store.instances.get_state("nope") is None
    store.instances.create_instance("a", "chain", '"in"')
    st = store.instances.get_state("a")
    assert (st.name, st.runtime_status, st.serialized_input) == (
        "chain",
        RuntimeStatus.PENDING,
        '"in"',
    )
    assert st.created_at is not None and st.created_at.tzinfo is timezone.utc


def test_start_with_active_id_conflicts_and_finished_is_replaced(store, engine):
    store.instances.create_instance("a", "chain", "1")
    with pytest.raises(ConflictError):
        store.instances.create_instance("a", "chain", "1")
    engine.drive(["a"])
    assert store.instances.get_state("a").runtime_status == RuntimeStatus.COMPLETED
    store.instances.create_instance("a", "chain", "2")
    st = store.instances.get_state("a")
    assert st.runtime_status == RuntimeStatus.PENDING and st.serialized_input == "2"
    assert store.instances.history("a") == []
    engine.drive(["a"])
    assert store.instances.get_state("a").serialized_output == "2"


def test_list_filters_and_order(store):
    for i in range(5):
        store.instances.create_instance(f"i{i}", "chain" if i % 2 else "waiter")
    assert [s.instance_id for s in store.instances.list_instances()] == [
        "i4",
        "i3",
        "i2",
        "i1",
        "i0",
    ]
    assert {s.instance_id for s in store.instances.list_instances(name="chain")} == {"i1", "i3"}
    assert len(store.instances.list_instances(limit=2)) == 2
    assert store.instances.list_instances(statuses=[RuntimeStatus.COMPLETED]) == []
    assert len(store.instances.list_instances(max_age=3600)) == 5


def test_registered_workflow_names(store):
    store.instances.register_workflows(["b", "a"])
    store.instances.register_workflows(["a", "c"])
    assert store.instances.workflow_names() == ["a", "b", "c"]


def test_raise_event_unknown_and_finished(store, engine):
    assert store.manage.raise_event("nope", "x") is None
    store.instances.create_instance("a", "chain", "0")
    engine.drive(["a"])
    assert store.manage.raise_event("a", "x") is False


# ------------------------------------------------------------------ suspend / resume
def test_suspend_queues_events_until_resume(store, engine):
    store.instances.create_instance("c", "counter", "2")
    engine.drive(["c"])
    assert store.manage.suspend("c") == RuntimeStatus.SUSPENDED
    store.manage.raise_event("c", "tick", "1")
    store.manage.raise_event("c", "tick", "2")
    engine.drive(["c"])
    assert store.instances.get_state("c").runtime_status == RuntimeStatus.SUSPENDED
    assert store.manage.resume("c") == RuntimeStatus.RUNNING
    engine.drive(["c"])
    st = store.instances.get_state("c")
    assert st.runtime_status == RuntimeStatus.COMPLETED
    assert json.loads(st.serialized_output) == [1, 2]
    kinds = [e.TYPE for e in store.instances.history("c")]
    assert kinds.index("ExecutionSuspended") < kinds.index("EventRaised")
    assert "ExecutionResumed" in kinds


def test_a_timer_due_while_paused_waits_for_resume(db):
    """A timer created before the pause that falls due during it is not delivered until
    resume (it arrives when it fires, after the pause marker)."""
    now = [1_000_000.0]
    store = Store(db, clock=lambda: now[0])
    engine = make_engine(db, store=store)
    try:
        store.instances.create_instance("t", "sleeper", "3600")
        engine.drive(["t"])
        assert store.instances.get_state("t").runtime_status == RuntimeStatus.RUNNING
        assert store.manage.suspend("t") == RuntimeStatus.SUSPENDED
        now[0] += 3601  # the timer falls due during the pause
        assert store.queues.due_timer_roots() == []
        engine.drive(["t"], limit=5)
        assert store.instances.get_state("t").runtime_status == RuntimeStatus.SUSPENDED
        assert store.queues.busy() is False  # nothing to do until resume
        kinds = [e.TYPE for e in store.instances.history("t")]
        assert "TimerFired" not in kinds and kinds[-1] == "ExecutionSuspended"
        assert store.manage.resume("t") == RuntimeStatus.RUNNING
        engine.drive(["t"], limit=5)
        assert store.instances.get_state("t").runtime_status == RuntimeStatus.COMPLETED
        kinds = [e.TYPE for e in store.instances.history("t")]
        assert kinds.index("ExecutionSuspended") < kinds.index("TimerFired")
        assert "ExecutionResumed" in kinds
    finally:
        engine.close()


def test_suspend_and_resume_of_finished_or_unknown(store, engine):
    assert store.manage.suspend("nope") is None and store.manage.resume("nope") is None
    store.instances.create_instance("a", "chain", "0")
    engine.drive(["a"])
    assert store.manage.suspend("a") == RuntimeStatus.COMPLETED
    assert store.manage.resume("a") == RuntimeStatus.COMPLETED


# ------------------------------------------------------------------ terminate / purge
def test_terminate_is_recursive_and_leaves_finished_alone(store, engine):
    store.instances.create_instance("p", "parent_of_waiter")
    engine.drive(["p"])
    assert store.instances.get_state("p:0001").runtime_status == RuntimeStatus.RUNNING
    assert store.manage.terminate("p", '"stop"') == RuntimeStatus.TERMINATED
    assert store.instances.get_state("p").runtime_status == RuntimeStatus.TERMINATED
    assert store.instances.get_state("p").serialized_output == '"stop"'
    assert store.instances.get_state("p:0001").runtime_status == RuntimeStatus.TERMINATED
    assert store.manage.terminate("p") == RuntimeStatus.TERMINATED
    assert store.instances.history("p")[-1].TYPE == "ExecutionTerminated"
    store.instances.create_instance("done", "chain", "0")
    engine.drive(["done"])
    assert store.manage.terminate("done") == RuntimeStatus.COMPLETED
    assert store.manage.terminate("nope") is None


def test_terminated_child_reports_failure_to_parent(store, engine):
    store.instances.create_instance("p", "parent_of_waiter")
    engine.drive(["p"])
    store.manage.terminate("p:0001")
    engine.drive(["p"])
    st = store.instances.get_state("p")
    assert st.runtime_status == RuntimeStatus.FAILED
    assert "terminated" in st.failure.message


def test_purge_only_finished_and_children(store, engine):
    store.instances.create_instance("p", "parent", "1")
    with pytest.raises(ConflictError):
        store.manage.purge("p")
    engine.drive(["p"])
    assert store.manage.purge("p") is True
    assert store.instances.get_state("p") is None and store.instances.get_state("p:0001") is None
    assert store.instances.history("p") is None
    assert store.manage.purge("p") is False


def test_bulk_purge_by_age_and_status(db):
    now = [1_000_000.0]
    s = Store(db, clock=lambda: now[0])
    eng = make_engine(db, store=s)
    try:
        for i in range(30):
            s.instances.create_instance(f"ok{i}", "chain", "0")
        s.instances.create_instance("bad", "failing", "1")
        s.instances.create_instance("live", "waiter")
        eng.drive()
        now[0] += 100
        seen = []
        assert sorted(s.manage.purge_older_than(50, dry_run=True)) == sorted(
            [f"ok{i}" for i in range(30)] + ["bad"]
        )
        gone = s.manage.purge_older_than(
            50,
            statuses=[RuntimeStatus.COMPLETED],
            batch_size=7,
            progress=lambda d, t: seen.append((d, t)),
        )
        assert len(gone) == 30 and seen[-1] == (30, 30) and len(seen) == 5
        assert (
            s.instances.get_state("bad") is not None and s.instances.get_state("live") is not None
        )
        assert s.manage.purge_older_than(500) == []
    finally:
        eng.close()


# ------------------------------------------------------------------ leases
def test_claimed_turn_is_not_claimed_twice_and_lost_claim_is_not_applied(store):
    store.instances.create_instance("a", "chain", "1")
    me, other = new_owner_id(), new_owner_id()
    (item,) = store.dispatch.claim_turns(me)
    assert store.dispatch.claim_turns(other) == []
    store.manage.terminate("a")
    done = TurnResult(actions=[CompleteWorkflow(RuntimeStatus.COMPLETED, result="1")])
    (out,) = store.dispatch.apply_turns(me, [(item, done)])
    assert not out.applied
    assert store.instances.get_state("a").runtime_status == RuntimeStatus.TERMINATED


def test_task_result_recorded_once_under_lease(store):
    store.instances.create_instance("a", "chain", "1")
    me, other = new_owner_id(), new_owner_id()
    (item,) = store.dispatch.claim_turns(me)
    (out,) = store.dispatch.apply_turns(
        me, [(item, TurnResult(actions=[ScheduleTask(1, "inc", "0")]))]
    )
    (task,) = out.tasks
    assert store.queues.claim_tasks(other) == []
    from wfctl.engine.store import TaskOutcome

    assert store.queues.complete_tasks(other, [TaskOutcome(task, "1")]) == 0
    assert store.queues.complete_tasks(me, [TaskOutcome(task, "1")]) == 1
    assert store.queues.complete_tasks(me, [TaskOutcome(task, "1")]) == 0
    (turn,) = store.dispatch.claim_turns(other)
    assert [e.TYPE for e in turn.new] == ["OrchestratorStarted", "TaskCompleted"]


def test_expired_lease_is_taken_over(db):
    now = [1_000_000.0]
    s = Store(db, clock=lambda: now[0])
    s.instances.create_instance("a", "chain", "1")
    assert s.dispatch.claim_turns("otherhost:1:aa", ttl=10)
    assert s.dispatch.claim_turns("me:2:bb") == []
    now[0] += 11
    assert s.dispatch.claim_turns("me:2:bb")
    s.close()


def test_dead_local_owner_is_taken_over_at_once(store):
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    assert not pid_alive(p.pid) and pid_alive(os.getpid())
    from wfctl.engine.store import HOST

    dead = f"{HOST}:{p.pid}:dead"
    store.instances.create_instance("a", "chain", "1")
    assert store.dispatch.claim_turns(dead, ttl=3600)
    assert store.dispatch.claim_turns(new_owner_id()) == []
    assert store.leases.reap_dead_owners() == [dead]
    assert store.dispatch.claim_turns(new_owner_id())


def test_renew_extends_leases(db):
    now = [1_000_000.0]
    s = Store(db, clock=lambda: now[0])
    s.instances.create_instance("a", "chain", "1")
    s.dispatch.claim_turns("h:1:a", ttl=10)
    now[0] += 8
    s.leases.renew("h:1:a", ttl=10)
    now[0] += 8
    assert s.dispatch.claim_turns("h:2:b") == []
    s.leases.release("h:1:a")
    assert s.dispatch.claim_turns("h:2:b")
    s.close()


def test_placeholder_timer_never_fires(store):
    from datetime import datetime

    from wfctl.engine.history import CreateTimer

    store.instances.create_instance("a", "waiter")
    me = new_owner_id()
    (item,) = store.dispatch.claim_turns(me)
    far = datetime(9999, 12, 31, 23, 59, 59)
    (out,) = store.dispatch.apply_turns(me, [(item, TurnResult(actions=[CreateTimer(1, far)]))])
    assert out.applied
    assert store.queues.next_due() is None and not store.queues.busy()
    assert out.appended[-1].TYPE == "TimerCreated"


def test_fast_event_encoding_matches_to_dict():
    from datetime import datetime

    from wfctl.engine import history as h
    from wfctl.engine.schema import dump_event, dumps
    from wfctl.model import FailureDetails

    samples = {
        h.ExecutionStarted: dict(name="n", input='"x"', scheduled_start=datetime(2026, 1, 2)),
        h.ExecutionCompleted: dict(status=RuntimeStatus.FAILED, failure=FailureDetails("a")),
        h.TaskFailed: dict(task_id=2, failure=FailureDetails("E", "m", "s")),
        h.TimerCreated: dict(task_id=3, fire_at=datetime(2030, 1, 1, 0, 0, 0, 5)),
    }
    for cls in h.EVENT_TYPES.values():
        e = cls(**samples.get(cls, {}), timestamp=datetime(2026, 5, 5, 1, 2, 3), event_id=7)
        assert dump_event(e) == dumps(e.to_dict())
        assert h.event_from_dict(json.loads(dump_event(e))) == e


def test_outcome_for_a_paused_instance_waits_in_the_inbox(store, engine):
    from wfctl.engine.store import TaskOutcome

    store.instances.create_instance("s", "chain", "1")
    me = new_owner_id()
    (item,) = store.dispatch.claim_turns(me)
    (out,) = store.dispatch.apply_turns(
        me, [(item, TurnResult(actions=[ScheduleTask(1, "inc", "0")]))]
    )
    (task,) = out.tasks
    store.manage.suspend("s")
    recorded, pairs = store.dispatch.step(
        me, [TaskOutcome(task, "1")], lambda items: [TurnResult() for _ in items]
    )
    assert recorded == 1
    for it, _ in pairs:  # the pause marker may be delivered, the result may not
        assert "TaskCompleted" not in [e.TYPE for e in it.new]
    assert store.db.read("SELECT kind FROM inbox WHERE instance_id='s'") == [("TaskCompleted",)]
    store.manage.resume("s")
    engine.drive(["s"], limit=10)
    assert store.instances.get_state("s").serialized_output == "1"
