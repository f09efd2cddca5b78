"""grpcs:// against a TLS servicer with a self-signed certificate (made by the openssl CLI)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path

import grpc
import pytest

from tests.grpcclient.servicer import MemoryServicer
from tests.http.fixtures import run_wfctl
from wfctl.backend.grpc import GrpcBackend
from wfctl.model import UnreachableError
from wfctl.protocol import rpc

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl CLI")


@pytest.fixture
def tls_endpoint(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    sv = MemoryServicer()
    sv.add("t-1", status=1)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((rpc.handler(sv),))
    creds = grpc.ssl_server_credentials([(key.read_bytes(), cert.read_bytes())])
    port = server.add_secure_port("127.0.0.1:0", creds)
    server.start()
    try:
        yield f"grpcs://127.0.0.1:{port}", cert
    finally:
        server.stop(0).wait(5)


def test_ca_cert_and_insecure_connect_and_no_trust_is_one_line(tls_endpoint) -> None:
    ep, cert = tls_endpoint
    with GrpcBackend(ep, verify=str(cert), timeout=20) as b:
        assert b.get("t-1").instance_id == "t-1"
    with GrpcBackend(ep, verify=False, timeout=20) as b:
        assert b.get("t-1").instance_id == "t-1"
    with GrpcBackend(ep, verify=True, timeout=20) as b:
        info = pytest.raises(UnreachableError, b.get, "t-1")
    info.match("TLS with grpcs://127.0.0.1:.* failed .*--ca-cert PATH, or --insecure")
    p = run_wfctl("--grpc-endpoint", ep, "status", "t-1")
    assert p.returncode == 5
    assert p.stderr.decode().count("\n") == 1, p.stderr  # gRPC's own log stays quiet
    p = run_wfctl("--grpc-endpoint", ep, "--ca-cert", str(cert), "status", "t-1", "-q")
    assert (p.returncode, p.stdout) == (0, b"COMPLETED\n")
