"""kill -9 of ``wfctl serve`` or of the SDK app while activities are in flight: after a restart
the app's runs finish, and no completed activity runs again (only the in-flight one may).

Step 2 of every workflow blocks on a gate file, so the kill lands exactly while every workflow
has step 1 completed and step 2 in flight; the gate opens after the restart."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.sdkapps.procs import SDK_PYTHON, GrpcServe, expected, python_app, side_effects

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
    serve = GrpcServe(tmp_path, db)
    port = serve.grpc_port
    app = python_app(
        SDK_PYTHON, tmp_path, port, "chain", "k", str(N), str(side), "--gate", str(gate)
    )
    try:
        wait_begun(side, 2, ids)
        serve.kill()
        assert serve.proc.returncode == -9
        serve = GrpcServe(tmp_path, db, grpc_port=port)
        gate.touch()
        assert app.finish() == 0, app.report() + serve.log()
    finally:
        if app.proc.poll() is None:
            app.kill()
        assert serve.stop() == 0, serve.log()
    assert "Traceback" not in serve.log(), serve.log()
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
