"""Real processes, real kill -9, real contention on one file."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wfctl.backend.embedded import EmbeddedBackend
from wfctl.model import RuntimeStatus

ROOT = Path(__file__).resolve().parents[2]
APP = str(Path(__file__).with_name("sample_app.py"))


def _env(side: Path, slow: float = 0.0, hold: str = "") -> dict[str, str]:
    env = dict(os.environ)
    env["WFCTL_TEST_SIDE"] = str(side)
    env["WFCTL_TEST_SLOW"] = str(slow)
    env["WFCTL_TEST_HOLD"] = hold
    env["PYTHONPATH"] = str(ROOT)
    return env


def _lines(side: Path) -> list[str]:
    return side.read_text().split() if side.exists() else []


def _wait_for(pred, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < end, "condition not reached in time"
        time.sleep(0.02)


def _kill(p: subprocess.Popen) -> None:
    p.send_signal(signal.SIGKILL)
    p.wait()  # reap it: a zombie still answers kill(pid, 0)


def test_kill_9_mid_activity_then_wait_finishes_without_rerunning(db, tmp_path):
    side = tmp_path / "side.txt"
    code = (
        "import sys; from wfctl.backend.embedded import EmbeddedBackend as B;"
        f"b=B(sys.argv[1], app={APP!r}); b.start('chain', '3', instance_id='k1')"
    )
    hold = tmp_path / "release"
    env = _env(side, hold=f"2:{hold}")
    p = subprocess.Popen([sys.executable, "-c", code, str(db)], env=env)
    # The second activity is in flight (the first one's result is recorded: its commit
    # scheduled the second), and stays so until released: kill -9 now.
    _wait_for(lambda: _lines(Path(f"{hold}.started")) == ["k1:2"])
    _kill(p)
    hold.touch()
    os.environ["WFCTL_TEST_SIDE"] = str(side)
    b = EmbeddedBackend(db, app=APP)
    try:
        # Less than the 30 s lease: the dead owner's work is taken over at once, not when
        # its lease expires.
        st = b.wait("k1", timeout=20)
        assert st.runtime_status == RuntimeStatus.COMPLETED and st.serialized_output == "3"
    finally:
        b.close()
        os.environ.pop("WFCTL_TEST_SIDE", None)
    # The killed process never finished the second activity: each ran to its end once.
    assert sorted(_lines(side)) == ["k1:1", "k1:2", "k1:3"]


@pytest.mark.timeout(240)  # longer than the suite's 120 s: a step of up to 120 s
@pytest.mark.slow
def test_kill_9_at_several_points_loses_nothing(db, tmp_path):
    side = tmp_path / "side.txt"
    accepted: list[str] = []
    kills = 0
    for round_no, delay in enumerate((0.15, 0.35, 0.6, 0.9)):
        cmd = [sys.executable, "-m", "tests.engine.procs", "start", str(db), f"r{round_no}-"]
        p = subprocess.Popen(
            [*cmd, "40", "4"],
            env=_env(side, slow=0.005),
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        time.sleep(delay)
        _kill(p)
        kills += 1
        accepted += p.stdout.read().split()
        p.stdout.close()
    assert accepted, "no start was accepted before the kills"
    # Within less than the 30 s lease: dead owners' work is taken over at once (the drive
    # would stop, unfinished, if it had to wait for their leases to expire).
    p = subprocess.run(
        [sys.executable, "-m", "tests.engine.procs", "drive", str(db), "20"],
        env=_env(side),
        cwd=ROOT,
        timeout=120,
    )
    assert p.returncode == 0
    b = EmbeddedBackend(db, app=APP, detach=True)
    try:
        for iid in accepted:
            st = b.get(iid)
            assert st.runtime_status == RuntimeStatus.COMPLETED, (iid, st.runtime_status)
            assert st.serialized_output == "4"
    finally:
        b.close()
    counts = collections.Counter(_lines(side))
    for iid in accepted:
        for task in range(1, 5):
            assert counts[f"{iid}:{task}"] >= 1
    # Only an activity in flight at a kill may run twice (at most `concurrency` per kill).
    dups = sum(n - 1 for n in counts.values())
    assert dups <= kills * 8


@pytest.mark.timeout(240)  # longer than the suite's 120 s: processes given 120 s
@pytest.mark.slow
def test_four_processes_each_start_250(db, tmp_path):
    side = tmp_path / "side.txt"
    from wfctl.engine.store import Store

    Store(db).close()  # create the file once, so the four race only on work
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.engine.procs", "start", str(db), f"p{n}-", "250", "2"],
            env=_env(side),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    errs = []
    for p in procs:
        _, err = p.communicate(timeout=120)
        errs.append(err)
        assert p.returncode == 0, err
    assert not any("locked" in e for e in errs), errs
    counts = collections.Counter(_lines(side))
    assert len(counts) == 2000 and set(counts.values()) == {1}
    b = EmbeddedBackend(db, app=APP, detach=True)
    try:
        done = b.list_instances(statuses=[RuntimeStatus.COMPLETED])
        assert len(done) == 1000
    finally:
        b.close()
