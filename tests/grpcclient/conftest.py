"""Fixtures: a clean environment and a recording TaskHubSidecarService on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from tests.grpcclient.servicer import MemoryServicer, serving
from tests.http.fixtures import clean_env, runner  # noqa: F401


@pytest.fixture
def servicer() -> MemoryServicer:
    return MemoryServicer()


@pytest.fixture
def endpoint(servicer: MemoryServicer) -> Iterator[str]:
    with serving(servicer) as ep:
        yield ep


@pytest.fixture
def dead_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A server that accepts connections and never says a word (no HTTP/2 preface)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            held.append(conn)

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        t.join(5)
        for c in held:
            c.close()
        sock.close()
