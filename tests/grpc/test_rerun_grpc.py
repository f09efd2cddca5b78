"""Rerun of instances an unmodified Dapr SDK app runs over `wfctl serve --grpc-port`: the SDK's
own ``rerun_workflow_from_event`` (RerunWorkflowFromEvent) and ``wfctl rerun`` over HTTP take
the same event id, the one the SDK's ``get_workflow_history`` and ``wfctl history`` show."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.grpc.proc import App, GrpcServe

APP = Path(__file__).parent / "apps" / "fixable_app.py"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FIX_GATE", str(tmp_path / "gate-closed"))
    monkeypatch.setenv("FIX_SIDE", str(tmp_path / "side"))
    return tmp_path


@pytest.fixture
def serve(env: Path):
    s = GrpcServe(env / "wf.db")
    yield s
    assert s.stop() == 0, s.stderr


def ran(env: Path, iid: str) -> list[str]:
    lines = (env / "side").read_text().split() if (env / "side").exists() else []
    return [x.rsplit(":", 1)[1] for x in lines if x.rsplit(":", 1)[0] == iid]


def wfctl(serve: GrpcServe, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wfctl", "--url", serve.url, *args],
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_sdk_rerun_and_wfctl_rerun_share_event_ids(serve: GrpcServe, env: Path) -> None:
    (env / "gate-closed").write_text("bug")
    app = App(APP, serve.grpc_port, "run", "src", "1")
    try:
        assert app.wait_line("RESULT", timeout=90) == "RESULT FAILED None"
    finally:
        app.stop()
    assert ran(env, "src") == ["inc"]
    hist = wfctl(serve, "history", "src", "-o", "json")
    assert hist.returncode == 0, hist.stderr
    ours = [(e["type"], e["eventId"]) for e in json.loads(hist.stdout)]
    assert ("TaskScheduled", 1) in ours and ("TaskScheduled", 2) in ours
    (env / "gate-closed").unlink()  # the fix

    # The SDK's client: its history shows the same ids; rerun from step 2 with a new input.
    app = App(APP, serve.grpc_port, "rerun", "src", "2", "41")
    try:
        done = app.wait_line("RERUN", timeout=90).split()
    finally:
        app.stop()
    sdk = [ln.split()[1:] for ln in app.lines if ln.startswith("HIST ")]
    assert ["TASK_SCHEDULED", "1", "True"] in sdk and ["TASK_SCHEDULED", "2", "True"] in sdk
    assert done[2:] == ["COMPLETED", "410"], app.lines
    assert ran(env, done[1]) == ["gate"]  # step 1 not run again

    # wfctl over HTTP, the same N: a connected SDK worker runs the instance wfctl makes. It
    # runs until stopped: a worker that ended with a run of its own could leave wfctl's new
    # instance with no worker at all.
    worker = App(APP, serve.grpc_port, "serve")
    try:
        worker.wait_line("READY", timeout=90)
        r = wfctl(serve, "rerun", "src", "--from-event", "2", "--wait", "--timeout", "60s")
        assert r.returncode == 0, r.stdout + r.stderr
        new = r.stdout.splitlines()[0].rsplit(" ", 1)[1]
        assert "COMPLETED" in r.stdout and "20" in r.stdout
    finally:
        stopped = worker.stop()
    assert stopped == 0, worker.lines  # it ran until SIGTERM and shut down cleanly
    assert ran(env, new) == ["gate"]
    assert ran(env, "src") == ["inc"]
    assert serve.status("src")["runtimeStatus"] == "FAILED"  # the source is untouched
