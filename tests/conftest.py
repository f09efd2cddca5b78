"""Fixtures for every test directory. Helpers live in modules (tests/harness.py, each
directory's support.py), never in a conftest module: import those, not a conftest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness import Serve, serve_module


@pytest.fixture
def start_serve() -> Iterator[Callable[..., Serve]]:
    """Start `wfctl serve` on free loopback ports: ``start_serve(db, token=, extra=, pre=,
    grpc=)`` (see :func:`tests.harness.serve_module`); every one started is stopped (SIGTERM)
    when the test ends."""
    started: list[Serve] = []

    def start(db: Path, **kwargs: Any) -> Serve:
        s = serve_module(db, **kwargs)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()
