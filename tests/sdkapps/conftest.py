"""Unmodified Dapr SDK apps as separate processes against a real ``wfctl serve --grpc-port``
subprocess on a tmp SQLite file (helpers in procs.py). WFCTL_SDK_PYTHON picks the Python (and
so the SDK release) the apps run on; bench/grpc_matrix.py sets it per venv."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sdkapps.procs import GrpcServe


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[GrpcServe]:
    s = GrpcServe(tmp_path, tmp_path / "wf.db")
    yield s
    code = s.stop()
    assert "Traceback" not in s.log(), s.log()
    assert code == 0, s.log()
