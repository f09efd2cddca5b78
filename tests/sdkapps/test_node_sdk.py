"""@dapr/durabletask-js 1.0.0 under node, as a separate app process on
``wfctl serve --grpc-port``: a three-step chain, then a timer + external event + child workflow.
The package is installed from npm into a temp dir (seconds with npm's cache); the test skips,
saying why, where node or npm or the package is unavailable."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.sdkapps.procs import APPS, App, GrpcServe, expected, status_json

PACKAGE = "@dapr/durabletask-js@1.0.0"


@pytest.fixture(scope="module")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node and npm are needed for the durabletask-js app")
    where = tmp_path_factory.mktemp("npm")
    (where / "package.json").write_text('{"private": true}\n')
    try:
        r = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", PACKAGE],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm install {PACKAGE} took over 300 s")
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["?"])[-1]
        pytest.skip(f"npm could not install {PACKAGE}: {last}")
    return where / "node_modules"


@pytest.mark.timeout(400)  # longer than the suite's 120 s: npm install gets 300 s
def test_durabletask_js_app_runs_on_serve(serve: GrpcServe, tmp_path, node_modules):
    app = App(
        ["node", str(APPS / "js_app.js"), "js"],
        tmp_path,
        serve.grpc_port,
        NODE_PATH=str(node_modules),
    )
    assert app.finish() == 0, app.report() + serve.log()
    for i in (1, 2, 3):
        assert f"DONE js-c{i} COMPLETED {expected(i)}" in app.out.lines, app.report()
    done = next(line for line in app.out.lines if line.startswith("DONE js-f "))
    assert done.split(" ", 2)[2].startswith("COMPLETED "), done
    assert json.loads(done.split(" ", 3)[3]) == {"child": "ORDER-9 BY BO!"}
    states = status_json(tmp_path, "--url", serve.url, "status", "js-c3", "js-f-child")
    assert [s["runtimeStatus"] for s in states] == ["COMPLETED", "COMPLETED"]
