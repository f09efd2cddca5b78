"""End to end through EmbeddedBackend and DaprWorkflowClient on a real file."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.engine.support import make_timers_due
from wfctl.backend.embedded import EmbeddedBackend
from wfctl.backend.protocol import Backend
from wfctl.model import (
    ConflictError,
    NotFoundError,
    RuntimeStatus,
    UsageError,
)

APP = str(Path(__file__).with_name("sample_app.py"))


@pytest.fixture
def backend(db):
    b = EmbeddedBackend(db, app=APP, drive_limit=10)
    yield b
    b.close()


def test_is_a_backend(backend):
    assert isinstance(backend, Backend)


def test_demo_hello_world_start_drives_to_completion(db):
    b = EmbeddedBackend(db)
    try:
        iid = b.start("hello_world_wf", json.dumps("Ada"))
        st = b.get(iid)
        assert st.runtime_status == RuntimeStatus.COMPLETED
        assert "Ada" in json.loads(st.serialized_output)
        assert str(uuid.UUID(iid)) == iid  # a dashed UUID, as daprd makes them
    finally:
        b.close()


def test_unknown_workflow_lists_known_names(backend):
    with pytest.raises(UsageError, match="unknown workflow 'nope'.*chain"):
        backend.start("nope")
    assert "chain" in backend.store.instances.workflow_names()


def test_invalid_id_and_unknown_instance(backend):
    with pytest.raises(UsageError):
        backend.start("chain", "1", instance_id="bad/id")
    for call in (backend.get, backend.pause, backend.resume, backend.terminate, backend.purge):
        with pytest.raises(NotFoundError):
            call("missing")
    with pytest.raises(NotFoundError):
        backend.raise_event("missing", "x")
    with pytest.raises(NotFoundError):
        backend.history("missing")


def test_reads_of_a_missing_file_create_nothing(tmp_path):
    db = tmp_path / "not" / "yet" / "wf.db"
    b = EmbeddedBackend(db, app=APP, drive_limit=10)
    try:
        calls = (b.get, b.history, b.history_with_waits, b.wait, b.pause, b.resume)
        for call in (*calls, b.terminate, b.purge):
            with pytest.raises(NotFoundError):
                call("missing")
        with pytest.raises(NotFoundError):
            b.raise_event("missing", "x")
        assert b.list_instances() == []
        assert b.purge_older_than(0).instance_ids == []
        assert b.page_instances() == ([], None) and b.count_by_status() == {}
        assert b.pending_reason("missing") is None and b.foreign_app("missing") is None
        assert not (tmp_path / "not").exists()
        iid = b.start("chain", "1")  # the first change creates the file
        assert db.is_file() and b.get(iid).runtime_status == RuntimeStatus.COMPLETED
    finally:
        b.close()


def test_cli_status_of_a_missing_file_creates_nothing(tmp_path):
    db = tmp_path / "x" / "nope.db"
    for args, code in ((["status", "abc"], 3), (["list", "-o", "json"], 0)):
        r = subprocess.run(
            [sys.executable, "-m", "wfctl", "--embedded", "--db", str(db), *args],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert r.returncode == code, r
    assert r.stdout.strip() == "[]"
    assert not (tmp_path / "x").exists()


def test_pause_resume_event_terminate_purge_cycle(backend):
    iid = backend.start("counter", "2", instance_id="c1")
    backend.pause(iid)
    assert backend.get(iid).runtime_status == RuntimeStatus.SUSPENDED
    backend.raise_event(iid, "tick", '"a"')
    backend.raise_event(iid, "tick", '"b"')
    assert backend.get(iid).runtime_status == RuntimeStatus.SUSPENDED
    backend.resume(iid)
    st = backend.get(iid)
    assert st.runtime_status == RuntimeStatus.COMPLETED and json.loads(st.serialized_output) == [
        "a",
        "b",
    ]
    w = backend.start("waiter", instance_id="w2")
    with pytest.raises(ConflictError):
        backend.purge(w)
    backend.terminate(w, '"bye"')
    assert backend.get(w).runtime_status == RuntimeStatus.TERMINATED
    backend.purge(w)
    with pytest.raises(NotFoundError):
        backend.get(w)


# Conflict/replace of an ID and wait's timeout are the Backend contract's (tests/contract,
# target embedded).


def test_wait_picks_up_event_from_another_process(backend, db):
    iid = backend.start("waiter", instance_id="w4")
    code = (
        "import sys; from wfctl.backend.embedded import EmbeddedBackend as B;"
        f"b=B(sys.argv[1], app={APP!r}, detach=True); b.raise_event('w4','go','7'); b.close()"
    )
    threading.Timer(
        0.3, lambda: subprocess.run([sys.executable, "-c", code, str(db)], check=True)
    ).start()
    st = backend.wait(iid, timeout=20)
    assert st.serialized_output == "7"


def test_list_history_and_bulk_purge(backend):
    for i in range(3):
        backend.start("chain", "1", instance_id=f"l{i}")
    backend.start("waiter", instance_id="lw")
    got = backend.list_instances(statuses=[RuntimeStatus.COMPLETED])
    assert [s.instance_id for s in got] == ["l2", "l1", "l0"]
    assert [s.instance_id for s in backend.list_instances(name="waiter")] == ["lw"]
    hist = backend.history("l0")
    types = [h.type for h in hist]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionCompleted"
    done = [h for h in hist if h.type == "TaskCompleted"][0]
    assert done.name == "inc" and done.task_id == 1 and done.details == "1"
    res = backend.purge_older_than(0, dry_run=True)
    assert sorted(res.instance_ids) == ["l0", "l1", "l2"] and res.dry_run
    assert len(backend.purge_older_than(0).instance_ids) == 3
    assert [s.instance_id for s in backend.list_instances()] == ["lw"]


def test_detach_records_without_driving(db):
    b = EmbeddedBackend(db, app=APP, detach=True)
    try:
        iid = b.start("chain", "1")
        assert b.get(iid).runtime_status == RuntimeStatus.PENDING
        b.detach = False
        assert b.wait(iid, timeout=10).serialized_output == "1"
    finally:
        b.close()


def test_status_does_not_import_the_app(db, tmp_path):
    b = EmbeddedBackend(db, app=APP, detach=True)
    b.start("chain", "1", instance_id="s1")
    b.close()
    bad = tmp_path / "broken_app.py"
    bad.write_text("raise RuntimeError('do not import me')\n")
    b = EmbeddedBackend(db, app=str(bad))
    try:
        assert b.get("s1").runtime_status == RuntimeStatus.PENDING
        assert len(b.list_instances()) == 1
        assert b.history("s1") == []  # not started yet: no history
    finally:
        b.close()


def test_due_timer_fires_on_next_command(backend, db):
    iid = backend.start("sleeper", "3600", instance_id="t1")
    assert backend.get(iid).runtime_status == RuntimeStatus.RUNNING
    assert make_timers_due(db) == 1
    assert backend.get(iid).runtime_status == RuntimeStatus.COMPLETED


# ------------------------------------------------------------------ the SDK client
def test_client_in_process_with_runtime(db, monkeypatch):
    monkeypatch.setenv("WFCTL_DB", str(db))
    import wfctl.workflow as wf
    from tests.engine import sample_app

    rt = wf.WorkflowRuntime()
    rt.registry.merge(sample_app.registry)
    rt.start()
    try:
        c = wf.DaprWorkflowClient(host="localhost", port="50001")
        iid = c.schedule_new_workflow(sample_app.chain, input=3)
        assert len(iid) == 32 and int(iid, 16) >= 0
        st = c.wait_for_workflow_completion(iid, timeout_in_seconds=10)
        assert st.runtime_status == wf.WorkflowStatus.COMPLETED
        assert st.serialized_output == "3"
        assert c.get_workflow_state("nope") is None

        w = c.schedule_new_workflow("waiter", input="go", instance_id="cw")
        assert c.get_workflow_state(w).runtime_status == wf.WorkflowStatus.RUNNING
        c.pause_workflow(w)
        assert c.get_workflow_state(w).runtime_status == wf.WorkflowStatus.SUSPENDED
        c.resume_workflow(w)
        assert c.get_workflow_state(w).runtime_status == wf.WorkflowStatus.RUNNING
        c.raise_workflow_event(w, "go", data=0)
        st = c.wait_for_workflow_completion(w, timeout_in_seconds=10)
        assert st.serialized_output is None  # falsy data arrives as no payload

        t = c.schedule_new_workflow("waiter", instance_id="ct")
        with pytest.raises(TimeoutError):
            c.wait_for_workflow_completion(t, timeout_in_seconds=0.2)
        c.terminate_workflow(t, output="stop")
        assert c.get_workflow_state(t).runtime_status == wf.WorkflowStatus.TERMINATED
        c.purge_workflow(t)
        assert c.get_workflow_state(t) is None
        c.close()
    finally:
        rt.shutdown()


def test_another_apps_work_is_left_alone(db):
    b = EmbeddedBackend(db, app=APP, detach=True)
    b.start("sleeper", "0", instance_id="mine")  # due at once: a timer another app can't run
    b.start("chain", "1", instance_id="mine2")
    b.close()
    demo = EmbeddedBackend(db, drive_limit=2)  # the built-in demo app knows neither
    try:
        assert demo.get("mine").runtime_status == RuntimeStatus.PENDING
        demo.drive(None, limit=0.5)
        assert demo.get("mine2").runtime_status == RuntimeStatus.PENDING
        hello = demo.start("hello_world_wf")
        assert demo.get(hello).runtime_status == RuntimeStatus.COMPLETED
    finally:
        demo.close()
    b = EmbeddedBackend(db, app=APP)
    try:
        assert b.wait("mine", timeout=10).serialized_output == json.dumps("woke")
        assert b.wait("mine2", timeout=10).serialized_output == "1"
    finally:
        b.close()


def test_start_worker_drives_detached_starts_and_stops(db):
    b = EmbeddedBackend(db, app=APP, detach=True)
    handle = b.start_worker(concurrency=2)
    try:
        iid = b.start("chain", "3")
        end = time.monotonic() + 10
        while b.get(iid).runtime_status != RuntimeStatus.COMPLETED:
            assert time.monotonic() < end
            time.sleep(0.01)
        assert b.get(iid).serialized_output == "3"
    finally:
        handle.stop(10)
    assert not handle.running
    assert b.store.db.read("SELECT count(*) FROM tasks WHERE lock_owner IS NOT NULL")[0][0] == 0
    b.close()


def test_on_recorded_sees_the_id_before_driving(db):
    seen = []
    b = EmbeddedBackend(db, app=APP)
    try:
        iid = b.start("chain", "1", on_recorded=lambda i: seen.append((i, b.get(i).runtime_status)))
        assert seen == [(iid, RuntimeStatus.PENDING)]
        assert b.get(iid).runtime_status == RuntimeStatus.COMPLETED
    finally:
        b.close()


def test_delayed_start_through_the_backend(backend):
    from datetime import datetime, timedelta, timezone

    at = datetime.now(timezone.utc) + timedelta(seconds=0.4)
    iid = backend.start("chain", "2", start_at=at)
    assert backend.get(iid).runtime_status == RuntimeStatus.PENDING
    st = backend.wait(iid, until="start", timeout=10)
    assert st.runtime_status != RuntimeStatus.PENDING
    assert datetime.now(timezone.utc) >= at
    assert backend.wait(iid, timeout=10).serialized_output == "2"


def test_fan_out_fan_in_runs_activities_concurrently(db, tmp_path):
    marks = tmp_path / "marks.txt"
    app = tmp_path / "fan_app.py"
    app.write_text(
        "import os, time\n"
        "import dapr.ext.workflow as wf\n"
        "wfr = wf.WorkflowRuntime()\n"
        "def mark(c):\n"
        f"    fd = os.open({str(marks)!r}, os.O_WRONLY | os.O_APPEND | os.O_CREAT)\n"
        "    os.write(fd, c.encode())\n"
        "    os.close(fd)\n"
        "@wfr.activity\n"
        "def slow(ctx, x):\n"
        "    mark('s')\n"
        "    time.sleep(0.2)\n"
        "    mark('e')\n"
        "    return x * 2\n"
        "@wfr.workflow\n"
        "def fan(ctx, n):\n"
        "    results = yield wf.when_all([ctx.call_activity(slow, input=i) for i in range(n)])\n"
        "    return sum(results)\n"
    )
    b = EmbeddedBackend(db, app=str(app), concurrency=4)
    try:
        iid = b.start("fan", "8")
        assert b.get(iid).serialized_output == "56"
    finally:
        b.close()
    running = peak = 0
    for c in marks.read_text():
        running += 1 if c == "s" else -1
        peak = max(peak, running)
    assert 2 <= peak <= 4  # side by side, within the concurrency limit
