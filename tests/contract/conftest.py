"""The backends the one Backend contract runs against, each a :class:`Target`:

* ``embedded``   EmbeddedBackend on a temp SQLite file, with contract_app.py;
* ``http-serve`` HttpBackend -> a real `wfctl serve` subprocess with the same app;
* ``http-fake``  HttpBackend -> the recording fake daprd (tests/http/fakedaprd.py): it has no
  engine (statuses follow a script), and the calls the Dapr HTTP API lacks are skipped;
* ``grpc-serve`` GrpcBackend -> `wfctl serve --grpc-port` with contract_app.py run as an
  unmodified Dapr SDK worker process (only where serve has a gRPC port).

Each backend declares its optional calls (``backend.capabilities``); a test needing one the
target lacks skips, and test_capabilities.py checks every declaration against behaviour. The
fake daprd also lacks an engine (not a capability of the interface: a property of the fake).

Helpers: tests/contract/support.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.contract.support import (
    APP,
    TARGETS,
    Target,
    embedded_target,
    grpc_target,
    http_fake_target,
    http_serve_target,
)
from tests.http.fakedaprd import FakeDaprd
from tests.server.proc import ServerProc


@pytest.fixture(scope="module")
def serve_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = ServerProc(tmp_path_factory.mktemp("serve") / "wf.db", extra=["--app", str(APP)])
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def grpc_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`wfctl serve --grpc-port 0` with no --app, and contract_app.py as an unmodified Dapr
    SDK worker process: every workflow runs in the SDK."""
    from tests.grpc.proc import App, GrpcServe

    serve = GrpcServe(tmp_path_factory.mktemp("grpc") / "wf.db")
    worker = App(APP, serve.grpc_port)
    try:
        worker.wait_line("READY")
        yield f"127.0.0.1:{serve.grpc_port}"
    finally:
        worker.stop()
        serve.stop()


@pytest.fixture(params=TARGETS)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    kind = request.param
    if kind == "embedded":
        t = embedded_target(tmp_path)
    elif kind == "http-serve":
        t = http_serve_target(request.getfixturevalue("serve_url"))
    elif kind == "grpc-serve":
        t = grpc_target(request.getfixturevalue("grpc_endpoint"))
    else:
        daprd = FakeDaprd().__enter__()
        request.addfinalizer(lambda: daprd.__exit__(None, None, None))
        t = http_fake_target(daprd)
    try:
        yield t
    finally:
        t.backend.close()
