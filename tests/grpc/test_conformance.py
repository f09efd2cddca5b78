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


# The suites sleep a lot (retry and timer tests): two halves run side by side, each against
# a serve of its own (one app per port: a worker must never get the other half's workflows).
HALVES = (
    ["tests/ext/workflow/durabletask/test_orchestration_e2e.py"],
    [
        "tests/ext/workflow/durabletask/test_orchestration_e2e_async.py",
        "tests/ext/workflow/durabletask/test_orchestration_wait.py",
    ],
)


@pytest.mark.timeout(700)  # longer than the suite's 120 s: its SDK suites get 600 s
@pytest.mark.slow
def test_dapr_python_sdk_e2e_suites_pass(tmp_path):
    src = _suite_dir()
    if src is None:
        pytest.skip(f"no shared/{SUITE} beside the repository")
    work = tmp_path / "suite"
    shutil.copytree(src, work)  # the shared copy is read-only; pytest writes __pycache__
    serves = [GrpcServe(tmp_path / f"wf{k}.db") for k in range(len(HALVES))]
    runs = []
    try:
        for serve, files in zip(serves, HALVES, strict=True):
            env = {k: v for k, v in os.environ.items() if not k.startswith("DAPR_")}
            env.update(DAPR_GRPC_ENDPOINT=f"localhost:{serve.grpc_port}", PYTHONPATH=".")
            runs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
                    + ["-o", "addopts=", "-W", "ignore::DeprecationWarning", *files],
                    cwd=work,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            )
        outs = [p.communicate(timeout=600)[0] for p in runs]
    finally:
        for p in runs:
            if p.poll() is None:
                p.kill()
                p.wait()
        codes = [s.stop() for s in serves]
    passed = 0
    for p, out in zip(runs, outs, strict=True):
        m = re.search(r"(\d+) passed", out)
        assert m and "failed" not in out and p.returncode == 0, out[-6000:]
        passed += int(m.group(1))
    assert passed == EXPECTED, outs
    assert codes == [0] * len(serves), [s.stderr[-30:] for s in serves]
