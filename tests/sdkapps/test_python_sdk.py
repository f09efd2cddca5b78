"""The Dapr Python SDK as separate app processes on ``wfctl serve --grpc-port``: chained
activities, timers + events + a child workflow, and a workflow started over wfctl's HTTP CLI
that runs on the connected SDK worker. The SDK is this venv's dapr 1.19.0; bench/grpc_matrix.py
runs these same tests with dapr-ext-workflow 1.18.3 and 1.17.5, each in its own venv."""

from __future__ import annotations

import json

import pytest

from tests.sdkapps.procs import (
    SDK_APP,
    SDK_PYTHON,
    App,
    GrpcServe,
    expected,
    python_app,
    side_effects,
    status_json,
    wfctl,
)


def test_three_step_chains_run_once_each_and_the_cli_sees_them(serve: GrpcServe, tmp_path):
    side = tmp_path / "side.txt"
    app = python_app(SDK_PYTHON, tmp_path, serve.grpc_port, "chain", "c", "5", str(side))
    assert app.finish() == 0, app.report()
    for i in range(5):
        assert f"DONE c{i} COMPLETED {expected(i)}" in app.out.lines, app.report()
    counts = side_effects(side)
    assert set(counts.values()) == {1}, counts  # no activity ran twice
    assert len(counts) == 5 * 3 * 2
    # The same instances, over HTTP and on the file.
    over_http = status_json(tmp_path, "--url", serve.url, "status", "c0", "c4")
    assert [(s["runtimeStatus"], s["properties"]["dapr.workflow.output"]) for s in over_http] == [
        ("COMPLETED", str(expected(0))),
        ("COMPLETED", str(expected(4))),
    ]
    r = wfctl(tmp_path, "--embedded", "--db", str(serve.db), "history", "c2", "-o", "json")
    assert r.returncode == 0, r
    events = json.loads(r.stdout)
    assert sum(e["type"] == "TaskCompleted" for e in events) == 3, r.stdout


def test_timer_event_and_child_workflow(serve: GrpcServe, tmp_path):
    app = python_app(SDK_PYTHON, tmp_path, serve.grpc_port, "features", "f1")
    assert app.finish() == 0, app.report()
    assert "CUSTOM waiting for approval" in app.out.lines  # a str goes as is (no JSON)
    done = next(line for line in app.out.lines if line.startswith("DONE f1 "))
    assert json.loads(done.split(" ", 3)[3]) == {"child": "ORDER-7 BY ANN!", "timed_out": True}
    assert "CHILD COMPLETED" in app.out.lines
    (child,) = status_json(tmp_path, "--url", serve.url, "status", "f1-child")
    assert child["runtimeStatus"] == "COMPLETED"


@pytest.mark.timeout(240)  # longer than the suite's 120 s: start --wait gets 180 s
def test_a_workflow_started_over_http_runs_on_the_sdk_worker(serve: GrpcServe, tmp_path):
    worker = App([SDK_PYTHON, str(SDK_APP), "worker"], tmp_path, serve.grpc_port)
    try:
        worker.out.wait_for(lambda s: s == "WORKER READY", 60, "worker start")
        r = wfctl(
            tmp_path,
            *("--url", serve.url, "start", "chain3", "--id", "h1", "--input", "10", "--wait"),
            *("--timeout", "120s"),
            timeout=180,
        )
        assert r.returncode == 0, (r, worker.report())
        (st,) = status_json(tmp_path, "--url", serve.url, "status", "h1")
        assert st["runtimeStatus"] == "COMPLETED", st
        assert st["properties"]["dapr.workflow.output"] == str(expected(10))
    finally:
        worker.proc.terminate()
        code = worker.finish(60)
    assert code == 0, worker.report()
    assert "Traceback" not in worker.err.text(), worker.report()
