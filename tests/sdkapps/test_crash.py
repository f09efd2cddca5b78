"""kill -9 of ``wfctl serve`` or of the SDK app while activities are in flight: after a restart
the app's runs finish, and no completed activity runs again (only the in-flight one may).

Step 2 of every workflow blocks on a gate file, so the kill lands exactly while every workflow
has step 1 completed and step 2 in flight; the gate opens after the restart."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.sdkapps.procs import (
    SDK_PYTHON,
    GrpcServe,
    expected,
    kill_9_serve_under,
    python_app,
    side_effects,
    wfctl,
)

N = 4


def wait_begun(side: Path, step: int, ids: list[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        counts = side_effects(side)
        if all(counts[("begin", iid, step)] for iid in ids):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"step {step} never began for all of {ids}: {counts}")
        time.sleep(0.05)


def check_done(app_lines: list[str], ids: list[str]) -> None:
    for i, iid in enumerate(ids):
        assert f"DONE {iid} COMPLETED {expected(i)}" in app_lines, app_lines


@pytest.mark.slow
def test_kill_9_serve_mid_activity_then_restart_on_the_same_port(tmp_path):
    db, side, gate = tmp_path / "wf.db", tmp_path / "side.txt", tmp_path / "gate"
    ids = [f"k{i}" for i in range(N)]
    app = kill_9_serve_under(
        tmp_path,
        db,
        gate,
        lambda port: python_app(
            SDK_PYTHON, tmp_path, port, "chain", "k", str(N), str(side), "--gate", str(gate)
        ),
        lambda app: wait_begun(side, 2, ids),
    )
    check_done(app.out.lines, ids)
    counts = side_effects(side)
    for iid in ids:
        # step 1 had completed before the kill: never again
        assert counts[("begin", iid, 1)] == counts[("done", iid, 1)] == 1, counts
        # step 2 was in flight: it may run a second time, no more
        assert 1 <= counts[("begin", iid, 2)] <= 2, counts
        assert counts[("begin", iid, 3)] == counts[("done", iid, 3)] == 1, counts


@pytest.mark.slow
def test_kill_9_app_mid_activity_then_start_it_again(tmp_path):
    db, side, gate = tmp_path / "wf.db", tmp_path / "side.txt", tmp_path / "gate"
    ids = [f"a{i}" for i in range(N)]
    serve = GrpcServe(tmp_path, db)
    args = ("chain", "a", str(N), str(side), "--gate", str(gate))
    first = python_app(SDK_PYTHON, tmp_path, serve.grpc_port, *args)
    again = None
    try:
        wait_begun(side, 2, ids)
        first.kill()
        gate.touch()
        again = python_app(SDK_PYTHON, tmp_path, serve.grpc_port, *args, "--await-only")
        assert again.finish() == 0, again.report() + serve.log()
    finally:
        for app in (first, again):
            if app is not None and app.proc.poll() is None:
                app.kill()
        assert serve.stop() == 0, serve.log()
    assert "Traceback" not in serve.log(), serve.log()
    check_done(again.out.lines, ids)
    counts = side_effects(side)
    for iid in ids:
        assert counts[("begin", iid, 1)] == counts[("done", iid, 1)] == 1, counts
        # the killed app's step 2 never finished; the new app ran it once more
        assert counts[("begin", iid, 2)] == 2 and counts[("done", iid, 2)] == 1, counts
        assert counts[("begin", iid, 3)] == counts[("done", iid, 3)] == 1, counts


def completed_steps(home: Path, db: Path, ids: list[str]) -> set[tuple[str, int]]:
    """(instance, step) whose TaskCompleted is in the file's history (read by a fresh
    ``wfctl --embedded``, as a restarted serve would find it)."""
    done = set()
    for iid in ids:
        r = wfctl(home, "--embedded", "--db", str(db), "history", iid, "-o", "json")
        assert r.returncode in (0, 3), r  # 3: not found (its start did not commit)
        for e in json.loads(r.stdout) if r.returncode == 0 else []:
            if e["type"] == "TaskCompleted":
                done.add((iid, int(e["name"].removeprefix("step"))))
    return done


@pytest.mark.timeout(300)  # over the suite's 120 s: 54 s when loaded, waits of up to 120 s
@pytest.mark.slow
def test_kill_9_serve_while_turns_and_activities_are_in_flight(tmp_path):
    """No gate: serve dies while turns and activities of 12 workflows are on the wire. Every
    activity whose completion the file held at the kill never runs again."""
    n = 12
    db, side = tmp_path / "wf.db", tmp_path / "side.txt"
    ids = [f"m{i}" for i in range(n)]
    serve = GrpcServe(tmp_path, db)
    port = serve.grpc_port
    app = python_app(SDK_PYTHON, tmp_path, port, "chain", "m", str(n), str(side), "--delay", "0.05")
    try:
        deadline = time.monotonic() + 120
        while sum(k == "done" for k, _, _ in side_effects(side)) < n:  # about a third done
            assert time.monotonic() < deadline, app.report()
            time.sleep(0.02)
        serve.kill()
        before = side_effects(side)
        kept = completed_steps(tmp_path, db, ids)
        serve = GrpcServe(tmp_path, db, grpc_port=port)
        assert app.finish() == 0, app.report() + serve.log()
    finally:
        if app.proc.poll() is None:
            app.kill()
        assert serve.stop() == 0, serve.log()
    check_done(app.out.lines, ids)
    after = side_effects(side)
    assert kept, "nothing had completed at the kill: the test proves nothing"
    for iid, step in kept:
        assert after[("begin", iid, step)] == before[("begin", iid, step)], (iid, step)
    for iid in ids:
        for step in (1, 2, 3):
            assert 1 <= after[("done", iid, step)] <= 2, (iid, step, after)
