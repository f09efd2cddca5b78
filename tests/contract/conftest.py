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
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.http.fakedaprd import FakeDaprd
from tests.server.proc import ServerProc
from wfctl.backend.protocol import Backend, Capability

APP = Path(__file__).resolve().parent / "contract_app.py"
_ids = itertools.count(1)

FAKE_NO_ENGINE = "the fake daprd runs no workflows: statuses follow its script"


@dataclass
class Target:
    name: str
    backend: Backend
    lacks: dict[str, str] = field(default_factory=dict)  # beyond the declared capabilities
    daprd: FakeDaprd | None = None  # the fake's request log, where the target is the fake

    def need(self, *needs: Capability | str) -> None:
        for need in needs:
            if isinstance(need, Capability):
                if not self.backend.supports(need):
                    pytest.skip(f"{self.name}: declares no {need.value}")
            elif need in self.lacks:
                pytest.skip(f"{self.name}: {self.lacks[need]}")


def uid(prefix: str) -> str:
    """A fresh instance ID (servers are shared by the tests of a module)."""
    return f"{prefix}-{os.getpid()}-{next(_ids)}"


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


def _grpc(endpoint: str) -> Target:
    from wfctl.backend.grpc import GrpcBackend

    return Target("grpc-serve", GrpcBackend(endpoint, timeout=30))


def _embedded(tmp_path: Path) -> Target:
    from wfctl.backend.embedded import EmbeddedBackend

    return Target("embedded", EmbeddedBackend(tmp_path / "wf.db", app=str(APP)))


def _http_serve(url: str) -> Target:
    from wfctl.backend.http import HttpBackend

    return Target("http-serve", HttpBackend(url, timeout=30))


def _http_fake(daprd: FakeDaprd) -> Target:
    from wfctl.backend.http import HttpBackend

    daprd.script["echo_wf"] = ["RUNNING", "COMPLETED"]
    daprd.script["waiter_wf"] = ["RUNNING"]
    lacks = {"engine": FAKE_NO_ENGINE}
    backend = HttpBackend(daprd.url, timeout=30, retries=0)
    return Target("http-fake", backend, lacks, daprd=daprd)


TARGETS = ["embedded", "http-serve", "http-fake", "grpc-serve"]


@pytest.fixture(params=TARGETS)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    kind = request.param
    if kind == "embedded":
        t = _embedded(tmp_path)
    elif kind == "http-serve":
        t = _http_serve(request.getfixturevalue("serve_url"))
    elif kind == "grpc-serve":
        t = _grpc(request.getfixturevalue("grpc_endpoint"))
    else:
        daprd = FakeDaprd().__enter__()
        request.addfinalizer(lambda: daprd.__exit__(None, None, None))
        t = _http_fake(daprd)
    try:
        yield t
    finally:
        t.backend.close()
