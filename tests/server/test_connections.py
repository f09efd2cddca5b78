"""serve's connection deadlines against a real `wfctl serve`: a client that never completes its
request headers (slowloris) is cut off after --header-timeout; an idle keep-alive connection
after the keep-alive time. Raw sockets; the waits are generous deadlines, never bounds."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest

from tests.server.proc import ServerProc

DEADLINE = 60.0  # far above the 1 s timeout used here: only a connection left open fails


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("conn") / "wf.db"
    srv = ServerProc(db, extra=["--header-timeout", "1"])
    yield srv
    assert srv.stop() == 0


def _connect(srv: ServerProc) -> socket.socket:
    url = urlsplit(srv.url)
    s = socket.create_connection((url.hostname, url.port), timeout=DEADLINE)
    return s


def _closed_by_server(s: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (within DEADLINE)."""
    got = b""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            return got
        if not chunk:
            return got
        got += chunk
    raise AssertionError(f"the server kept the connection open ({got!r})")


def test_a_connection_that_sends_nothing_is_closed(server) -> None:
    with _connect(server) as s:
        assert _closed_by_server(s) == b""


def test_headers_trickled_forever_are_cut_off(server) -> None:
    """Slowloris: a byte now and then, never the blank line that ends the headers."""
    with _connect(server) as s:
        s.sendall(b"GET /v1.0/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        deadline = time.monotonic() + DEADLINE
        while True:
            try:
                s.sendall(b"X")  # each byte would restart a per-read timer
            except (BrokenPipeError, ConnectionResetError):
                break
            s.settimeout(0.2)
            try:
                if s.recv(65536) == b"":
                    break
            except TimeoutError:
                pass
            except ConnectionResetError:
                break
            assert time.monotonic() < deadline, "the server kept the trickling connection open"


def test_an_idle_keep_alive_connection_is_closed_after_a_response(server) -> None:
    with _connect(server) as s:
        s.sendall(b"GET /v1.0/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        reply = _closed_by_server(s)
    assert reply.startswith(b"HTTP/1.1 204") or reply.startswith(b"HTTP/1.1 200"), reply


def test_a_second_request_on_a_kept_alive_connection_still_works(server) -> None:
    """The header timer does not cut a connection that keeps sending whole requests."""
    with _connect(server) as s:
        for _ in range(2):
            s.sendall(b"GET /v1.0/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = s.recv(65536)
                assert chunk, head
                head += chunk
            assert head.split(b" ", 2)[1] in (b"200", b"204"), head
