"""Bytes no polite client sends: literal dot segments, raw non-ASCII, huge request lines,
garbage. Each gets a clear 4xx (or a closed connection), never a 500, never a traceback."""

from __future__ import annotations

import socket

import pytest

from tests.server.support import TOKEN, Served


def raw_request(served: Served, data: bytes) -> tuple[int, bytes]:
    assert served.server is not None
    with socket.create_connection(("127.0.0.1", served.server.port), timeout=10) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                break
    reply = b"".join(chunks)
    if not reply:
        return 0, b""
    status = int(reply.split(b" ", 2)[1])
    return status, reply.split(b"\r\n\r\n", 1)[1]


def _complete(reply: bytes) -> bool:
    head, _, body = reply.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def get(path: bytes, extra: bytes = b"") -> bytes:
    head = b"GET " + path + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
    return head + extra + b"\r\n"


@pytest.fixture
def plain(served_pair: dict[bool, Served]) -> Served:
    served = served_pair[False]
    served.reset()
    return served


@pytest.mark.parametrize(
    "path",
    [
        b"/v1.0/workflows/dapr/..",
        b"/v1.0/workflows/dapr/.",
        b"/v1.0/workflows/dapr/%2e%2E",
        b"/v1.0/workflows/dapr/a%2fb",
        b"/v1.0/workflows/dapr/%C3%A9t%C3%A9",
    ],
)
def test_odd_segments_are_not_found(plain: Served, path: bytes) -> None:
    status, body = raw_request(plain, get(path))
    assert status == 404, body
    assert b"ERR_INSTANCE_ID_NOT_FOUND" in body


def test_dot_segments_route_literally(plain: Served) -> None:
    # No normalisation: "x/../y" is three segments, which is no route.
    status, body = raw_request(plain, get(b"/v1.0/workflows/dapr/x/../y"))
    assert status == 404 and b"ERR_NOT_FOUND" in body


def test_raw_non_ascii_in_path_is_refused_by_the_http_layer(plain: Served) -> None:
    for raw in (b"\xff\xfe", b"\xc3\xa9t\xc3\xa9"):
        status, _ = raw_request(plain, get(b"/v1.0/workflows/dapr/" + raw))
        assert status == 400
    assert plain.fake.calls == []


def test_huge_request_line_is_4xx(plain: Served) -> None:
    status, _ = raw_request(plain, get(b"/v1.0/workflows/dapr/" + b"a" * 200_000))
    assert status in (0, 400, 413, 414, 431)


@pytest.mark.parametrize(
    "data",
    [
        b"NONSENSE\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"\x00\x01\x02\x03\r\n\r\n",
        b"POST /v1.0/workflows/dapr/x/start HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Length: nope\r\n\r\n",
    ],
)
def test_garbage_gets_400_or_close(plain: Served, data: bytes) -> None:
    status, _ = raw_request(plain, data)
    assert status == 0 or 400 <= status < 500
    # ... and the server is still fine.
    status, _ = raw_request(plain, get(b"/v1.0/healthz"))
    assert status == 204


def test_declared_huge_body_is_refused_without_reading_it(plain: Served) -> None:
    head = (
        b"POST /v1.0/workflows/dapr/hello_world_wf/start?instanceID=huge HTTP/1.1\r\n"
        b"Host: localhost\r\nContent-Length: 10000000000\r\nConnection: close\r\n\r\n"
    )
    status, body = raw_request(plain, head + b"x" * 1000)
    assert status == 400 and b"ERR_BODY_READ" in body
    assert "huge" not in plain.fake.states


def test_token_cannot_be_dodged_with_dot_segments(served_pair: dict[bool, Served]) -> None:
    served = served_pair[True]
    served.reset()
    for path in (
        b"/v1.0/healthz/../workflows/dapr/x",
        b"/v1.0/healthz/%2e%2e/workflows/dapr/x",
        b"/v1.0//healthz",
        b"/v1.0/healthz?x=/../workflows",
    ):
        status, body = raw_request(served, get(path))
        if path.startswith(b"/v1.0/healthz?"):
            assert status == 204
        else:
            assert status == 401 and body == b"invalid api token\n", path
    ok, _ = raw_request(
        served, get(b"/v1.0/workflows/dapr/x", b"dapr-api-token: " + TOKEN.encode() + b"\r\n")
    )
    assert ok == 404
