"""The worker entry points: a blocking `wfctl worker`, the runtime worker, lease renewal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.engine.support import make_engine
from wfctl.backend.embedded import EmbeddedBackend
from wfctl.engine.store import Store
from wfctl.model import RuntimeStatus

ROOT = Path(__file__).resolve().parents[2]
APP = str(Path(__file__).with_name("sample_app.py"))


def _wait(pred, timeout=20.0):
    end = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < end
        time.sleep(0.02)


def test_run_worker_drives_and_stops_cleanly_on_sigterm(db, tmp_path):
    side = tmp_path / "side.txt"
    env = dict(os.environ, PYTHONPATH=str(ROOT), WFCTL_TEST_SIDE=str(side), WFCTL_TEST_SLOW="0.5")
    code = (
        "import sys; from wfctl.engine.background import run_worker;"
        "from wfctl.workflow.loader import load_app;"
        f"sys.exit(run_worker(sys.argv[1], load_app({APP!r}), concurrency=2))"
    )
    p = subprocess.Popen([sys.executable, "-c", code, str(db)], env=env, stderr=subprocess.PIPE)
    try:
        b = EmbeddedBackend(db, app=APP, detach=True)
        b.start("chain", "2", instance_id="bg")
        _wait(lambda: b.get("bg").runtime_status == RuntimeStatus.RUNNING)
        _wait(lambda: side.exists())  # first activity done; the second is in flight
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=20)
        assert p.returncode == 0, err.decode(errors="replace")
        assert b"Traceback" not in err, err.decode(errors="replace")
        s = Store(db)
        try:
            locks = s.db.read(
                "SELECT count(*) FROM tasks WHERE lock_owner IS NOT NULL"
                " UNION ALL SELECT count(*) FROM instances WHERE lock_owner IS NOT NULL"
            )
            held = [r[0] for r in locks]
            assert held == [0, 0], (held, err.decode(errors="replace"))  # every lease handed back
        finally:
            s.close()
        b.detach = False
        assert b.wait("bg", timeout=20).serialized_output == "2"
        b.close()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    runs = sorted(side.read_text().split())
    assert runs == ["bg:1", "bg:2"], runs  # each activity ran exactly once


def test_long_activity_keeps_its_lease_and_runs_once(db, tmp_path, monkeypatch):
    side = tmp_path / "side.txt"
    monkeypatch.setenv("WFCTL_TEST_SIDE", str(side))
    monkeypatch.setenv("WFCTL_TEST_SLOW", "1.2")
    s = Store(db)
    s.instances.create_instance("long", "chain", "1")
    a = make_engine(db, ttl=0.4)
    b = make_engine(db, ttl=0.4)
    try:
        t = threading.Thread(target=a.drive, args=(["long"],), kwargs={"limit": 20})
        t.start()
        _wait(lambda: s.db.read("SELECT count(*) FROM tasks WHERE lock_owner IS NOT NULL")[0][0])
        # b keeps trying while a's activity runs three times longer than the lease
        b.drive(["long"], until="completion", limit=20)
        t.join()
        assert s.instances.get_state("long").runtime_status == RuntimeStatus.COMPLETED
    finally:
        a.close()
        b.close()
        s.close()
    assert side.read_text().split() == ["long:1"]


def test_quick_activity_run_inline_then_slow_keeps_its_lease(db, tmp_path, monkeypatch):
    side = tmp_path / "side.txt"
    monkeypatch.setenv("WFCTL_TEST_SIDE", str(side))
    monkeypatch.setenv("WFCTL_TEST_SLOW", "1.2")
    monkeypatch.setenv("WFCTL_TEST_THREAD", str(tmp_path / "thread.txt"))
    import wfctl.engine.runner

    # "quick" with room to spare, so a loaded machine still takes the inline path
    monkeypatch.setattr(wfctl.engine.runner, "INLINE_MAX", 0.2)
    s = Store(db)
    s.instances.create_instance("q", "quick_chain", "5")
    a = make_engine(db, ttl=0.4)
    b = make_engine(db, ttl=0.4)
    try:
        t = threading.Thread(target=a.drive, args=(["q"],), kwargs={"limit": 20})
        t.start()
        _wait(lambda: side.exists() and len(side.read_text().split()) >= 3)
        # the 4th run (x == 3) is taken inline on a's loop thread and sleeps 3 leases long
        b.drive(["q"], until="completion", limit=20)
        t.join()
        assert s.instances.get_state("q").serialized_output == "5"
        assert "activity" not in (tmp_path / "thread.txt").read_text()  # it ran inline
    finally:
        a.close()
        b.close()
        s.close()
    assert sorted(side.read_text().split()) == [f"q:{i}" for i in range(1, 6)]


def test_runtime_worker_thread_and_local_fast_start(db, monkeypatch):
    monkeypatch.setenv("WFCTL_DB", str(db))
    from tests.engine import sample_app
    from wfctl.engine.background import start_runtime_worker
    from wfctl.engine.worker import local_engine
    from wfctl.workflow.client import DaprWorkflowClient

    handle = start_runtime_worker(sample_app.registry)
    try:
        _wait(lambda: local_engine(db) is not None)
        c = DaprWorkflowClient()
        iid = c.schedule_new_workflow("chain", input=2, instance_id="fast")
        from wfctl.workflow import WorkflowStatus

        assert c.get_workflow_state(iid).runtime_status in (
            WorkflowStatus.RUNNING,
            WorkflowStatus.COMPLETED,
        )
        assert c.wait_for_workflow_completion(iid, timeout_in_seconds=10).serialized_output == "2"
        import pytest

        from wfctl.model import ConflictError

        w = c.schedule_new_workflow("waiter", instance_id="fastw")
        with pytest.raises(ConflictError):
            c.schedule_new_workflow("waiter", instance_id=w)
        c.close()
    finally:
        handle.stop(10)
    assert not handle.running and local_engine(db) is None


def test_commands_from_another_process_while_a_worker_runs(db):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = (
        "import sys; from wfctl.engine.background import run_worker;"
        "from wfctl.workflow.loader import load_app;"
        f"sys.exit(run_worker(sys.argv[1], load_app({APP!r})))"
    )
    p = subprocess.Popen([sys.executable, "-c", code, str(db)], env=env)
    b = EmbeddedBackend(db, app=APP, detach=True)
    try:
        b.start("counter", "3", instance_id="c")
        _wait(lambda: b.get("c").runtime_status == RuntimeStatus.RUNNING)
        b.raise_event("c", "tick", "1")
        b.pause("c")
        b.raise_event("c", "TICK", "2")
        b.raise_event("c", "tick", "3")
        # The worker must not deliver them while paused. Proof without a clock: it runs a
        # whole other instance, started after the events were queued, to its end; every
        # round that did so would have taken deliverable events of "c" too.
        b.start("chain", "2", instance_id="after")
        _wait(lambda: b.get("after").runtime_status == RuntimeStatus.COMPLETED)
        assert b.get("c").runtime_status == RuntimeStatus.SUSPENDED
        b.resume("c")
        _wait(lambda: b.get("c").runtime_status == RuntimeStatus.COMPLETED)
        assert b.get("c").serialized_output == "[1, 2, 3]"
        b.start("parent_of_waiter", instance_id="pw")
        _wait(lambda: b.store.instances.waiting_for("pw:0001") == ["go"])
        b.terminate("pw")
        st = b.get("pw:0001")
        assert st.runtime_status == RuntimeStatus.TERMINATED
    finally:
        b.close()
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=20) == 0
