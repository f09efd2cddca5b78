"""serve's gRPC port and its handshake deadline (``--header-timeout``): a connection that never
completes the HTTP/2 handshake (sends nothing, or only the preface) is closed, as the HTTP
port closes a slowloris; working clients are untouched. Raw sockets against a real serve;
the waits are generous deadlines, never bounds."""

from __future__ import annotations

import socket
import time

import pytest

from tests.grpc.proc import GrpcServe
from tests.server.test_connections import DEADLINE, _closed_by_server
from wfctl.protocol import load

P = load()
pb = P.pb


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory):
    s = GrpcServe(tmp_path_factory.mktemp("hs") / "wf.db", extra=["--header-timeout", "0.5"])
    yield s
    assert s.stop() == 0, s.stderr


@pytest.mark.parametrize(
    "send", [b"", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"], ids=["silent", "preface"]
)
def test_unfinished_handshake_is_closed(serve, send: bytes) -> None:
    s = socket.create_connection(("127.0.0.1", serve.grpc_port), timeout=DEADLINE)
    try:
        if send:
            s.sendall(send)
        _closed_by_server(s)  # fails the test if the server keeps it open for DEADLINE
    finally:
        s.close()


def test_working_client_outlives_the_deadline(serve) -> None:
    with P.grpc.insecure_channel(f"127.0.0.1:{serve.grpc_port}") as ch:
        states: list = []
        ch.subscribe(states.append)  # connectivity changes, in order
        stub = P.rpc.TaskHubClient(ch)
        stub.Hello(pb.Empty(), timeout=30)
        # A raw connection closed by the deadline proves the deadline has passed since this
        # channel connected; the channel's connection is still the same one and still works.
        raw = socket.create_connection(("127.0.0.1", serve.grpc_port), timeout=DEADLINE)
        try:
            _closed_by_server(raw)
        finally:
            raw.close()
        assert not stub.GetInstance(pb.GetInstanceRequest(instanceId="nope"), timeout=30).exists
        ready = P.grpc.ChannelConnectivity.READY
        deadline = time.monotonic() + DEADLINE  # callbacks arrive on grpc's own thread
        while ready not in states and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ready in states and states[states.index(ready) :] == [ready]  # never dropped
