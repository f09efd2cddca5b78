"""`wfctl status` of an instance PENDING because no gRPC worker has taken it says so in the
table (over HTTP against serve, and over gRPC); -o json keeps Dapr's shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import grpc
import pytest

from tests.grpc.proc import GrpcServe
from tests.grpc.worker import P, RawWorker, complete_action


@pytest.fixture
def serve(tmp_path):
    s = GrpcServe(tmp_path / "wf.db", ["--app-id", "orders"])
    yield s
    assert s.stop() == 0, s.stderr


def status(serve: GrpcServe, how: str, *args: str) -> subprocess.CompletedProcess:
    where = (
        ["--url", serve.url]
        if how == "http"
        else ["--transport", "grpc", "--grpc-endpoint", f"127.0.0.1:{serve.grpc_port}"]
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WFCTL_", "DAPR_"))}
    env.update(XDG_CONFIG_HOME=str(serve.db.parent / "cfg"), NO_COLOR="1", COLUMNS="200")
    p = subprocess.run(
        [sys.executable, "-m", "wfctl", *where, "status", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert p.returncode == 0, p.stderr
    return p


def waiting_row(out: str) -> str:
    rows = [ln for ln in out.splitlines() if "Waiting for" in ln]
    return rows[0] if rows else ""


def test_pending_for_want_of_a_worker_says_so(serve):
    r = serve.client.post("/v1.0-beta1/workflows/dapr/order/start?instanceID=o-1")
    assert r.status_code == 202, r.text
    row = waiting_row(status(serve, "http", "o-1").stdout)
    assert "gRPC worker of app 'orders'" in row and "none is connected" in row, row
    row = waiting_row(status(serve, "grpc", "o-1").stdout)
    assert "a worker to take it" in row, row
    body = json.loads(status(serve, "http", "o-1", "-o", "json").stdout)
    assert body["runtimeStatus"] == "PENDING" and "waitingForWorker" not in json.dumps(body)
    ch = grpc.insecure_channel(f"127.0.0.1:{serve.grpc_port}")
    w = RawWorker(P.rpc.TaskHubClient(ch))
    try:
        turn = w.take_turn("o-1")  # a worker is connected now, its first turn in its hands
        row = waiting_row(status(serve, "http", "o-1").stdout)
        assert "to take it" in row and "none is connected" not in row, row
        w.answer(turn, complete_action(1))
        serve.wait_status("o-1", {"COMPLETED"})
    finally:
        w.close()
        ch.close()
    assert waiting_row(status(serve, "http", "o-1").stdout) == ""
