"""`wfctl serve`, `worker` and `exec` read their own settings only: the environment of an app
(which names a sidecar for the app's own SDK client, rightly or wrongly) cannot stop them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.grpc.proc import GrpcServe
from tests.http.fixtures import run_wfctl

#: Client settings an app's environment may carry, each one unusable by a wfctl client.
CLIENT_ENV = {
    "DAPR_GRPC_PORT": "abc",
    "DAPR_HTTP_PORT": "http",
    "DAPR_GRPC_ENDPOINT": "nope://x",
    "DAPR_HTTP_ENDPOINT": "ftp://x",
    "WFCTL_TRANSPORT": "h3",
    "DAPR_API_VERSION": "v9",
}


@pytest.mark.parametrize("var", ["DAPR_GRPC_PORT", "DAPR_HTTP_PORT", "DAPR_GRPC_ENDPOINT"])
def test_serve_starts_whatever_client_setting_the_environment_has(
    clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, var: str
) -> None:
    monkeypatch.setenv(var, CLIENT_ENV[var])
    assert run_wfctl("status", "x").returncode == 2  # a client does refuse it
    serve = GrpcServe(tmp_path / "wf.db")  # raises when serve does not start
    try:
        r = serve.client.post("/v1.0-beta1/workflows/dapr/hello_world_wf/start?instanceID=h1")
        assert r.status_code == 202, r.text  # it serves (its gRPC workers would run h1)
        assert serve.status("h1")["runtimeStatus"] == "PENDING"
    finally:
        assert serve.stop() == 0, serve.stderr


def test_worker_and_exec_ignore_the_client_settings_of_the_environment(
    clean_env: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "wf.db")
    p = run_wfctl("--embedded", "--db", db, "start", "hello_world_wf", "--id", "w1", "--detach")
    assert p.returncode == 0, p.stderr
    bad = {**os.environ, **CLIENT_ENV}
    worker = subprocess.Popen(
        [sys.executable, "-m", "wfctl", "--db", db, "worker"],
        env=bad,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        status = b""
        while time.monotonic() < deadline and worker.poll() is None:
            status = run_wfctl("--embedded", "--db", db, "--detach", "status", "w1", "-q").stdout
            if status.strip() == b"COMPLETED":
                break
            time.sleep(0.1)
        assert status.strip() == b"COMPLETED", (status, worker.poll())
    finally:
        worker.terminate()
        _, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    app = tmp_path / "app.py"
    app.write_text("print('ran')\n")
    r = subprocess.run(
        [sys.executable, "-m", "wfctl", "--db", db, "exec", str(app)],
        env=bad,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (r.returncode, r.stdout) == (0, "ran\n"), r.stderr
