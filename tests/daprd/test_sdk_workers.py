"""The Go and Java worker apps of tests/sdkapps (durabletask-go 0.11.3, dapr-sdk-workflows
1.17.1) against a real daprd 1.17.5: the reference for their runs on ``wfctl serve``
(tests/sdkapps/test_go_worker.py, test_java_worker.py). Every case passes here as there.
durabletask-go 0.12.1's ``CompleteWorkflowTask`` is not in daprd 1.17 (docs/compat.md), so
its build is not run here. Skips as tests/sdkapps does without Go or Java, and without the
daprd binaries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.daprd.procs import VERSION, Daprd, bin_dir, missing_reason
from tests.sdkapps.builds import CASES, build_go, build_java, passed_cases
from tests.sdkapps.procs import App

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sidecar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daprd]:
    if bin_dir(VERSION) is None:
        pytest.skip(missing_reason(VERSION))
    with Daprd(tmp_path_factory.mktemp("daprd")) as d:
        yield d


@pytest.mark.timeout(1000)  # a first build may download modules
@pytest.mark.parametrize("sdk", ["go", "java"])
def test_sdk_worker_scenarios_on_daprd(sidecar: Daprd, tmp_path: Path, sdk: str):
    out = tmp_path / "build"
    out.mkdir()
    cmd = build_go(out) if sdk == "go" else build_java(out)
    app = App([*cmd, "scenarios", f"{sdk}-daprd"], tmp_path, sidecar.grpc_port)
    assert app.finish() == 0, app.report()
    assert passed_cases(app.out.lines) == CASES, app.report()
