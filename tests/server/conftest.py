"""Fixtures: the server app over a FakeBackend, reached in-process (httpx.ASGITransport) and
over a real loopback socket (uvicorn in a thread on a free 127.0.0.1 port).

Helpers: tests/server/support.py."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.server.support import TOKEN, Served, ThreadServer, make_client


@pytest.fixture(scope="session")
def served_pair() -> Iterator[dict[bool, Served]]:
    pair = {False: Served(None), True: Served(TOKEN)}
    for s in pair.values():
        s.server = ThreadServer(s.app)
    yield pair
    for s in pair.values():
        assert s.server is not None
        s.server.stop()


@pytest.fixture(params=["asgi", "socket"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def env(served_pair: dict[bool, Served], transport: str) -> Iterator[Served]:
    served = served_pair[False]
    served.reset()
    served.client = make_client(served, transport)
    yield served
    if isinstance(served.client, httpx.Client):
        served.client.close()


@pytest.fixture
def tenv(served_pair: dict[bool, Served], transport: str) -> Iterator[Served]:
    """The token-protected app; ``client`` sends no token, ``authed`` sends the right one."""
    served = served_pair[True]
    served.reset()
    served.client = make_client(served, transport)
    served.authed = make_client(served, transport, {"dapr-api-token": TOKEN})
    yield served
    for c in (served.client, served.authed):
        if isinstance(c, httpx.Client):
            c.close()
