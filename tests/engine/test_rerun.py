"""Store.rerun over a real SQLite file with the real replay executor: a run that failed at
step 2, rerun from step 2 after the fix, runs step 2 again and not step 1."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from wfctl.engine.history import dt_event_id
from wfctl.engine.store import Store
from wfctl.model import ConflictError, NotFoundError, RuntimeStatus, UsageError


@pytest.fixture
def side(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The side-effect log: one ``<instance>:<task_id>`` line per activity execution."""
    f = tmp_path / "side.log"
    monkeypatch.setenv("WFCTL_TEST_SIDE", str(f))
    return f


@pytest.fixture
def gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """While this file exists the ``gate`` activity (step 2) fails."""
    f = tmp_path / "gate-closed"
    f.write_text("bug")
    monkeypatch.setenv("WFCTL_TEST_GATE", str(f))
    return f


def lines(side: Path) -> list[str]:
    return side.read_text().split() if side.exists() else []


def snapshot(store: Store, iid: str) -> tuple:
    st = store.instances.get_state(iid)
    return st, [e.to_dict() for e in store.instances.history(iid)]


def scheduled_id(store: Store, iid: str, name: str) -> int:
    (ev,) = [
        e for e in store.instances.history(iid) if e.TYPE == "TaskScheduled" and e.name == name
    ]
    return dt_event_id(ev)


def failed_run(store: Store, engine, iid: str = "src", x: int = 1) -> None:
    store.instances.create_instance(iid, "fixable", json.dumps(x))
    assert engine.drive([iid], until="completion", limit=20)
    assert store.instances.get_state(iid).runtime_status == RuntimeStatus.FAILED


def test_rerun_from_step_two_after_the_fix(store, engine, side, gate):
    failed_run(store, engine)
    assert lines(side) == ["src:1"]  # step 1 ran; step 2 failed (no line)
    before = snapshot(store, "src")
    step2 = scheduled_id(store, "src", "gate")
    assert step2 == 2  # the Durable Task event id: the step's sequence number

    gate.unlink()  # the fix
    new = store.manage.rerun("src", step2, new_instance_id="again")
    assert new == "again"
    assert engine.drive([new], until="completion", limit=20)
    st = store.instances.get_state(new)
    assert st.runtime_status == RuntimeStatus.COMPLETED, st.failure
    assert st.serialized_output == "20"  # (1 + 1) * 10: step 1's recorded result reused
    assert st.name == "fixable" and st.serialized_input == "1"
    assert lines(side) == ["src:1", "again:2"]  # step 1 NOT run again
    assert snapshot(store, "src") == before  # the source is untouched
    hist = store.instances.history(new)
    kinds = [e.TYPE for e in hist]
    assert kinds.count("TaskScheduled") == 2 and kinds[-1] == "ExecutionCompleted"
    assert [e.event_id for e in hist] == list(range(len(hist)))  # positions renumbered
    (redo,) = [e for e in hist if e.TYPE == "TaskScheduled" and e.name == "gate"]
    assert redo.rerun_of == "src"  # provenance
    assert hist[1].TYPE == "ExecutionStarted" and hist[1].instance_id == "again"


def test_rerun_with_a_new_input_for_the_step(store, engine, side, gate):
    failed_run(store, engine)
    gate.unlink()
    new = store.manage.rerun("src", 2, new_input="41", overwrite_input=True)
    assert str(uuid.UUID(new)) == new  # generated as start makes IDs: a dashed UUIDv4
    assert engine.drive([new], until="completion", limit=20)
    assert store.instances.get_state(new).serialized_output == "410"
    # new_input without overwrite_input changes nothing
    again = store.manage.rerun("src", 2, new_input="41")
    assert engine.drive([again], until="completion", limit=20)
    assert store.instances.get_state(again).serialized_output == "20"


def test_rerun_of_a_completed_run_from_step_one(store, engine, side):
    store.instances.create_instance("ok", "fixable", "5")
    assert engine.drive(["ok"], until="completion", limit=20)
    new = store.manage.rerun("ok", 1, new_instance_id="ok2", new_input="100", overwrite_input=True)
    assert engine.drive([new], until="completion", limit=20)
    assert store.instances.get_state(new).serialized_output == "1010"
    assert sorted(lines(side)) == ["ok2:1", "ok2:2", "ok:1", "ok:2"]


def test_rerun_restarts_fan_out_peers_and_timers(store, engine, side, gate):
    store.instances.create_instance("fan", "fan_then_gate", "3")
    assert engine.drive(["fan"], until="completion", limit=30)
    assert store.instances.get_state("fan").runtime_status == RuntimeStatus.FAILED
    gate.unlink()
    # From the second of three concurrent steps: the turn that scheduled them is kept, and
    # every step of it without an outcome there runs again (all three, nothing before).
    new = store.manage.rerun("fan", 2, new_instance_id="fan2")
    assert engine.drive([new], until="completion", limit=30)
    st = store.instances.get_state(new)
    assert st.runtime_status == RuntimeStatus.COMPLETED, st.failure
    assert st.serialized_output == json.dumps((1 + 2 + 3) * 10)
    assert sorted(x for x in lines(side) if x.startswith("fan2:")) == [
        "fan2:1",
        "fan2:2",
        "fan2:3",
        "fan2:5",
    ]
    # From the gate (task 5, after the timer 4): nothing before it runs again.
    new = store.manage.rerun("fan", 5, new_instance_id="fan3")
    assert engine.drive([new], until="completion", limit=30)
    assert store.instances.get_state(new).serialized_output == "60"
    assert [x for x in lines(side) if x.startswith("fan3:")] == ["fan3:5"]


def test_rerun_of_a_root_from_its_child_creation(store, engine, side, gate):
    store.instances.create_instance("p", "parent_of_fixable", "1")
    assert engine.drive(["p"], until="completion", limit=30)
    assert store.instances.get_state("p").runtime_status == RuntimeStatus.FAILED
    gate.unlink()
    new = store.manage.rerun("p", 1, new_instance_id="p2", new_input="2", overwrite_input=True)
    assert engine.drive([new], until="completion", limit=30)
    st = store.instances.get_state(new)
    assert st.runtime_status == RuntimeStatus.COMPLETED, st.failure
    assert st.serialized_output == "30"
    child = store.instances.get_state(
        "p2:0001"
    )  # the child starts anew under the new parent's name
    assert child is not None and child.runtime_status == RuntimeStatus.COMPLETED
    assert store.instances.get_state("p:0001").runtime_status == RuntimeStatus.FAILED  # untouched
    # A child cannot be rerun from a grandchild's creation, but from its own activities yes.
    store.instances.create_instance("g", "grandparent_of_fixable", "1")
    assert engine.drive(["g"], until="completion", limit=30)
    with pytest.raises(UsageError, match="only a root workflow"):
        store.manage.rerun("g:0001", 1)
    c2 = store.manage.rerun("p:0001", 2, new_instance_id="c2")
    assert engine.drive([c2], until="completion", limit=30)
    assert store.instances.get_state("c2").serialized_output == "20"


def test_rerun_errors(store, engine, side, gate):
    failed_run(store, engine)
    with pytest.raises(NotFoundError, match="ghost"):
        store.manage.rerun("ghost", 1)
    store.instances.create_instance("w", "waiter", '"go"')
    engine.drive(["w"], limit=10)
    with pytest.raises(ConflictError, match="RUNNING"):
        store.manage.rerun("w", 1)
    with pytest.raises(ConflictError, match="differ"):
        store.manage.rerun("src", 2, new_instance_id="src")
    store.instances.create_instance("busy", "fixable", "1")
    with pytest.raises(ConflictError, match="'busy' exists"):
        store.manage.rerun("src", 2, new_instance_id="busy")
    with pytest.raises(UsageError, match=r"no event 9.*1 \(inc\), 2 \(gate\)"):
        store.manage.rerun("src", 9)
    with pytest.raises(UsageError, match="numbered from 1"):
        store.manage.rerun("src", -1)
    with pytest.raises(UsageError, match="ExecutionCompleted"):
        store.manage.rerun("src", 3)  # the failing run's end carries the completing action's id
    store.instances.create_instance("t", "sleeper", "0")
    assert engine.drive(["t"], until="completion", limit=10)
    with pytest.raises(UsageError, match="timer"):
        store.manage.rerun("t", 1)
    # Nothing was created by the refused reruns.
    ids = {s.instance_id for s in store.instances.list_instances()}
    assert ids == {"src", "w", "busy", "t"}


def test_rerun_of_a_run_terminated_mid_step_runs_that_step(
    store, engine, side, tmp_path, monkeypatch
):
    """Terminated while step 1 was in flight: a rerun from step 1 runs it (and step 2)."""
    import threading
    import time

    release = tmp_path / "release"
    started = Path(str(release) + ".started")
    monkeypatch.setenv("WFCTL_TEST_HOLD", f"1:{release}")
    store.instances.create_instance("t", "fixable", "1")
    driver = threading.Thread(target=engine.drive, args=(["t"],), kwargs={"limit": 60})
    driver.start()
    deadline = time.monotonic() + 60
    while not started.exists():  # step 1 is running (held)
        assert time.monotonic() < deadline, "step 1 never started"
        time.sleep(0.01)
    assert store.manage.terminate("t") == RuntimeStatus.TERMINATED
    release.touch()
    driver.join(60)
    assert lines(side) == ["t:1"]  # it ran, but its result came after the end
    assert [e.TYPE for e in store.instances.history("t")].count("TaskCompleted") == 0
    new = store.manage.rerun("t", 1, new_instance_id="t2")
    assert engine.drive([new], until="completion", limit=30)
    assert store.instances.get_state(new).serialized_output == "20"
    assert lines(side) == ["t:1", "t2:1", "t2:2"]
