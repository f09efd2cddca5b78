"""Fixtures for the end-to-end suite (its helpers: tests/e2e/support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.support import TOKEN, Serve


def _server(tmp_path_factory: pytest.TempPathFactory, name: str, token: str | None):
    s = Serve(tmp_path_factory.mktemp(name), token)
    yield s
    assert s.stop() == 0
    log = "".join(s.log) + "".join(s.banner)
    assert "Traceback" not in log, log
    assert TOKEN not in log


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    """A ``wfctl serve`` without a token."""
    yield from _server(tmp_path_factory, "open", None)


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    """A ``wfctl serve`` that wants ``TOKEN`` in every request."""
    yield from _server(tmp_path_factory, "token", TOKEN)


@pytest.fixture(params=["open", "token"])
def server(request: pytest.FixtureRequest) -> Serve:
    """Each server in turn (both stay up for the whole module)."""
    return request.getfixturevalue(f"{request.param}_server")
