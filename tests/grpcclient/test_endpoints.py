"""gRPC endpoints in the Dapr SDKs' grammar (wfctl/endpoints.py): the forms they accept mean the
same to wfctl, against a real `wfctl serve --grpc-port` with an SDK worker on the same value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.grpc.proc import App, GrpcServe
from tests.grpcclient.servicer import MemoryServicer, serving
from tests.http.fixtures import run_wfctl
from wfctl.endpoints import EndpointError, parse_grpc_endpoint

# (endpoint, gRPC target, TLS): the Dapr Go and Python SDKs' own test tables agree on these.
SDK_FORMS = [
    (":5000", "localhost:5000", False),
    (":5000?tls=true", "localhost:5000", True),
    ("myhost", "myhost:443", False),
    ("myhost:443?tls=false", "myhost:443", False),
    ("http://myhost:5000", "myhost:5000", False),
    ("https://myhost", "myhost:443", True),
    ("https://[2001:db8::6e8]:5000", "[2001:db8::6e8]:5000", True),
    ("dns:myhost", "dns:myhost:443", False),
    ("dns:myhost:5000?tls=true", "dns:myhost:5000", True),
    ("dns://myauthority:53/myhost", "dns://myauthority:53/myhost:443", False),
    ("dns:[2001:db8::6e8]:5000", "dns:[2001:db8::6e8]:5000", False),
    ("unix:my.sock", "unix:my.sock", False),
    ("unix:///run/my.sock?tls=true", "unix:///run/my.sock", True),
    ("unix-abstract:my.sock", "unix-abstract:my.sock", False),
    ("vsock:3:5000", "vsock:3:5000", False),
    # wfctl's own spelling, kept
    ("grpc://h:1/", "h:1", False),
    ("GRPCS://dapr.example.com", "dapr.example.com:443", True),
]
REFUSED = [
    "",
    "http://myhost?tls=false",  # the scheme says it already
    "https://myhost:443/tls=false",  # a path
    "host:5000/v1/dapr",
    "host:5000?a=1",  # only tls= is a query parameter
    "dns:[2001:db8::6e8]:5000?abc=[]",
    "dns://myhost",  # dns:// names a DNS server first
    "unix://my.sock",  # unix:// takes an absolute path
    "inv-scheme://myhost",
    "inv-scheme:myhost:5000",
    "h:1?tls=yes",
    "admin:pw@h:1",  # gRPC has no userinfo: the token goes as metadata
]


@pytest.mark.parametrize(("endpoint", "target", "tls"), SDK_FORMS)
def test_the_sdk_forms_parse_as_the_sdks_read_them(endpoint: str, target: str, tls: bool) -> None:
    ep = parse_grpc_endpoint(endpoint)
    assert (ep.target, ep.tls) == (target, tls)


@pytest.mark.parametrize("endpoint", REFUSED)
def test_what_the_sdks_refuse_is_refused_with_a_reason(endpoint: str) -> None:
    with pytest.raises(EndpointError):
        parse_grpc_endpoint(endpoint)


def test_an_sdk_endpoint_reaches_serve_and_its_sdk_worker(tmp_path: Path) -> None:
    # The form Dapr's SDKs accept (and `dapr run` users write): DAPR_GRPC_ENDPOINT with
    # ?tls=false was refused by wfctl. Here the SDK worker and wfctl read the same values.
    serve = GrpcServe(tmp_path / "wf.db")
    port = serve.grpc_port
    app = Path(__file__).parents[1] / "grpc" / "apps" / "fixable_app.py"
    sdk_endpoint = f"127.0.0.1:{port}?tls=false"
    env = {"FIX_GATE": str(tmp_path / "no-gate"), "FIX_SIDE": str(tmp_path / "side")}
    worker = App(app, port, "serve", env={**env, "DAPR_GRPC_ENDPOINT": sdk_endpoint})
    try:
        worker.wait_line("READY", timeout=90)
        forms = [sdk_endpoint, f"dns:127.0.0.1:{port}", f"http://127.0.0.1:{port}"]
        for i, endpoint in enumerate(forms):
            p = run_wfctl(
                *("--transport", "grpc", "start", "fixable", "--id", f"e{i}", "--input", "1"),
                *("--wait", "--timeout", "60s", "-o", "json"),
                env={"DAPR_GRPC_ENDPOINT": endpoint},
                timeout=90,
            )
            assert p.returncode == 0, (endpoint, p.stderr)
            assert json.loads(p.stdout)["properties"]["dapr.workflow.output"] == "20"
    finally:
        stopped = worker.stop()
        code = serve.stop()
    assert (stopped, code) == (0, 0), (worker.lines, serve.stderr)


def test_a_unix_socket_endpoint(tmp_path: Path) -> None:
    servicer = MemoryServicer()
    servicer.add("u-1")
    with serving(servicer, f"unix:{tmp_path / 'dapr.sock'}") as address:
        for endpoint in (address, f"unix://{tmp_path / 'dapr.sock'}?tls=false"):
            p = run_wfctl("--grpc-endpoint", endpoint, "status", "u-1", "-q")
            assert (p.returncode, p.stdout) == (0, b"RUNNING\n"), p.stderr
