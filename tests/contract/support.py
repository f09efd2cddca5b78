"""Helpers of the tests in tests/contract (their fixtures are in conftest.py; import these
from here, never from a conftest module)."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.http.fakedaprd import FakeDaprd
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


def grpc_target(endpoint: str) -> Target:
    from wfctl.backend.grpc import GrpcBackend

    return Target("grpc-serve", GrpcBackend(endpoint, timeout=30))


def embedded_target(tmp_path: Path) -> Target:
    from wfctl.backend.embedded import EmbeddedBackend

    return Target("embedded", EmbeddedBackend(tmp_path / "wf.db", app=str(APP)))


def http_serve_target(url: str) -> Target:
    from wfctl.backend.http import HttpBackend

    return Target("http-serve", HttpBackend(url, timeout=30))


def http_fake_target(daprd: FakeDaprd) -> Target:
    from wfctl.backend.http import HttpBackend

    daprd.script["echo_wf"] = ["RUNNING", "COMPLETED"]
    daprd.script["waiter_wf"] = ["RUNNING"]
    lacks = {"engine": FAKE_NO_ENGINE}
    backend = HttpBackend(daprd.url, timeout=30, retries=0)
    return Target("http-fake", backend, lacks, daprd=daprd)


TARGETS = ["embedded", "http-serve", "http-fake", "grpc-serve"]
