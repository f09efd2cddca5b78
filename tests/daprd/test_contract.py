"""The Backend contract (tests/contract/test_backend_contract.py and test_capabilities.py),
the very same tests, run against a real daprd: HttpBackend on its HTTP port and GrpcBackend
on its gRPC port, with tests/contract/contract_app.py as the unmodified Dapr SDK worker.
Where daprd answers differently from `wfctl serve`, the target lists it with the reason (and
docs/compat.md says why)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.contract.support import Target
from tests.contract.test_backend_contract import *  # noqa: F403  (the suite, collected here)
from tests.contract.test_capabilities import *  # noqa: F403
from tests.daprd.procs import Daprd

#: daprd's HTTP start answers 202 before the instance is written: a get right after it shows
#: PENDING with no name, input or times (its gRPC StartInstance returns once it is written).
HTTP_START_ASYNC = "daprd's HTTP start answers before the instance is recorded"


def _http(d: Daprd) -> Target:
    from wfctl.backend.http import HttpBackend

    lacks = {"recorded_on_start": HTTP_START_ASYNC}
    return Target("http-daprd", HttpBackend(d.http_url, timeout=30), lacks)


def _grpc(d: Daprd) -> Target:
    from wfctl.backend.grpc import GrpcBackend

    return Target("grpc-daprd", GrpcBackend(d.grpc_endpoint, timeout=30))


@pytest.fixture(params=["http-daprd", "grpc-daprd"])
def target(request: pytest.FixtureRequest, daprd: Daprd) -> Iterator[Target]:
    t = _http(daprd) if request.param == "http-daprd" else _grpc(daprd)
    try:
        yield t
    finally:
        t.backend.close()
