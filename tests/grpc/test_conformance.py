"""The Dapr Python SDK's own e2e suites (../shared/conformance, unchanged) against
`wfctl serve --grpc-port`: all 49 must pass."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.grpc.proc import GrpcServe

REPO = Path(__file__).resolve().parents[2]
SUITE = "conformance/dapr-python-sdk"
EXPECTED = 49


def _suite_dir() -> Path | None:
    # CI lays ../shared beside the repository; a git worktree sits one level deeper.
    for base in (REPO.parent, REPO.parent.parent):
        d = base / "shared" / SUITE
        if d.is_dir():
            return d
    return None


@pytest.mark.slow
def test_dapr_python_sdk_e2e_suites_pass(tmp_path):
    src = _suite_dir()
    if src is None:
        pytest.skip(f"no shared/{SUITE} beside the repository")
    work = tmp_path / "suite"
    shutil.copytree(src, work)  # the shared copy is read-only; pytest writes __pycache__
    serve = GrpcServe(tmp_path / "wf.db")
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DAPR_")}
        env.update(DAPR_GRPC_ENDPOINT=f"localhost:{serve.grpc_port}", PYTHONPATH=".")
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts="]
            + ["-W", "ignore::DeprecationWarning", "tests/ext/workflow/durabletask/"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        code = serve.stop()
    tail = (run.stdout + run.stderr)[-6000:]
    m = re.search(r"(\d+) passed", run.stdout)
    assert m and int(m.group(1)) == EXPECTED and "failed" not in run.stdout, tail
    assert run.returncode == 0, tail
    assert code == 0, serve.stderr[-30:]
