"""`wfctl serve --grpc-port`: unmodified Dapr SDK apps as separate processes against a real
serve subprocess; the HTTP API and the CLI see what they run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.grpc.proc import App, GrpcServe

APPS = Path(__file__).parent / "apps"
SEQ = APPS / "seq_app.py"


@pytest.fixture
def serve(tmp_path):
    s = GrpcServe(tmp_path / "wf.db")
    yield s
    assert s.stop() == 0, s.stderr


def _wfctl(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wfctl", "--embedded", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_banner_order(serve):
    lines = [ln.rstrip("\n") for ln in serve.banner]
    grpc = [i for i, ln in enumerate(lines) if ln.startswith("wfctl serve: gRPC listening on ")]
    last = [i for i, ln in enumerate(lines) if ln.startswith("wfctl serve: workflows:")]
    assert grpc and last and grpc[0] < last[0] == len(lines) - 1
    assert lines[grpc[0]] == f"wfctl serve: gRPC listening on 127.0.0.1:{serve.grpc_port}"


def test_sdk_app_runs_and_cli_sees_it(serve):
    app = App(SEQ, serve.grpc_port, "run", "1")
    try:
        result = app.wait_line("RESULT")
        iid = app.wait_line("ID").split()[1]
    finally:
        app.stop()
    assert result == "RESULT COMPLETED 4"
    body = serve.status(iid)
    assert body["runtimeStatus"] == "COMPLETED"
    assert body["properties"]["dapr.workflow.output"] == "4"
    listed = _wfctl(serve.db, "list", "-o", "json")
    assert listed.returncode == 0, listed.stderr
    assert iid in listed.stdout
    hist = _wfctl(serve.db, "history", iid, "-o", "json")
    assert hist.returncode == 0, hist.stderr
    kinds = [e["type"] for e in json.loads(hist.stdout)]
    assert kinds.count("TaskScheduled") == 3 and kinds.count("TaskCompleted") == 3


def test_http_start_runs_on_the_grpc_worker(serve):
    start = serve.client.post("/v1.0-beta1/workflows/dapr/three/start", json=10)
    assert start.status_code == 202, start.text
    iid = start.json()["instanceID"]
    # No worker yet: it waits, visibly PENDING.
    assert serve.status(iid)["runtimeStatus"] == "PENDING"
    worker = App(SEQ, serve.grpc_port, "worker")
    try:
        worker.wait_line("READY")
        body = serve.wait_status(iid, {"COMPLETED", "FAILED"})
    finally:
        worker.stop()
    assert body["runtimeStatus"] == "COMPLETED", body
    assert body["properties"]["dapr.workflow.output"] == "13"


def test_app_id_and_cross_app_call(tmp_path):
    s = GrpcServe(tmp_path / "wf.db", extra=["--app-id", "orders"])
    try:
        worker = App(SEQ, s.grpc_port, "worker")
        try:
            worker.wait_line("READY")
            ids = {}
            for name in ("app_id", "cross_app"):
                r = s.client.post(f"/v1.0-beta1/workflows/dapr/{name}/start", json=0)
                assert r.status_code == 202, r.text
                ids[name] = r.json()["instanceID"]
            got = {n: s.wait_status(i, {"COMPLETED", "FAILED"}) for n, i in ids.items()}
        finally:
            worker.stop()
    finally:
        assert s.stop() == 0
    assert got["app_id"]["properties"]["dapr.workflow.output"] == '"orders"'
    out = json.loads(got["cross_app"]["properties"]["dapr.workflow.output"])
    assert out.startswith("refused:") and "'billing'" in out and "'orders'" in out


def test_with_app_its_workflows_run_in_process_the_rest_on_workers(tmp_path):
    s = GrpcServe(tmp_path / "wf.db", pre=["--app", str(APPS / "local_app.py")])
    try:
        assert any("run in-process" in ln for ln in s.banner), s.banner
        assert s.banner[-1].strip() == "wfctl serve: workflows: local_wf"
        ids = {}
        for name in ("local_wf", "three"):
            r = s.client.post(f"/v1.0-beta1/workflows/dapr/{name}/start", json=1)
            assert r.status_code == 202, r.text
            ids[name] = r.json()["instanceID"]
        local = s.wait_status(ids["local_wf"], {"COMPLETED", "FAILED"})
        assert local["properties"]["dapr.workflow.output"] == '"in-process"'
        assert s.status(ids["three"])["runtimeStatus"] == "PENDING"  # no worker yet
        worker = App(SEQ, s.grpc_port, "worker")
        try:
            worker.wait_line("READY")
            remote = s.wait_status(ids["three"], {"COMPLETED", "FAILED"})
        finally:
            worker.stop()
        assert remote["properties"]["dapr.workflow.output"] == "4"
    finally:
        assert s.stop() == 0, s.stderr


def test_rerun_from_the_failed_step_over_grpc(serve, tmp_path):
    marks = tmp_path / "step1.txt"
    app = App(SEQ, serve.grpc_port, "rerun", str(marks))
    try:
        first = app.wait_line("FIRST")
        rerun = app.wait_line("RERUN")
    finally:
        app.stop()
    assert first == "FIRST FAILED"
    assert rerun == "RERUN 2 COMPLETED 42"  # step 2 is event 2 (its action id)
    assert marks.read_text() == "ran\n"  # step 1 did not run again


def test_a_result_over_the_message_limit_fails_that_run_only(serve):
    worker = App(SEQ, serve.grpc_port, "worker")
    try:
        worker.wait_line("READY")
        ids = {}
        for name in ("too_big", "three"):
            r = serve.client.post(f"/v1.0-beta1/workflows/dapr/{name}/start", json=1)
            assert r.status_code == 202, r.text
            ids[name] = r.json()["instanceID"]
        big = serve.wait_status(ids["too_big"], {"COMPLETED", "FAILED"})
        ok = serve.wait_status(ids["three"], {"COMPLETED", "FAILED"})
    finally:
        worker.stop()
    assert big["runtimeStatus"] == "FAILED", big
    assert "message size" in json.dumps(big["properties"]), big
    assert ok["runtimeStatus"] == "COMPLETED"
    assert serve.proc.poll() is None


def test_a_busy_grpc_port_is_one_line_and_exit_2(serve, tmp_path):
    # The port of a running serve: a second one must not share it (no SO_REUSEPORT).
    r = subprocess.run(
        [sys.executable, "-m", "wfctl", "--db", str(tmp_path / "other.db"), "serve"]
        + ["--port", "0", "--grpc-port", str(serve.grpc_port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2, r
    assert r.stderr.splitlines() == [
        f"Error: cannot listen for gRPC on 127.0.0.1:{serve.grpc_port}: the port is in use"
    ]
    assert r.stdout == ""
