"""--transport and --grpc-endpoint: flags, environment, profiles, and what they imply."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfctl.model import UsageError
from wfctl.settings import resolve


def test_defaults() -> None:
    s = resolve({}, {})
    assert (s.transport, s.grpc_endpoint, s.grpc) == ("http", "127.0.0.1:50001", False)
    assert s.server_key == "http://127.0.0.1:3500"


def test_environment_like_the_dapr_sdks() -> None:
    s = resolve({}, {"DAPR_GRPC_ENDPOINT": "grpcs://dapr.example.com", "DAPR_GRPC_PORT": "1"})
    assert (s.grpc_endpoint, s.sources["grpc_endpoint"]) == (
        "grpcs://dapr.example.com",
        "env DAPR_GRPC_ENDPOINT",
    )
    s = resolve({}, {"DAPR_RUNTIME_HOST": "10.0.0.5", "WFCTL_TRANSPORT": "GRPC"})
    assert (s.grpc_endpoint, s.transport, s.grpc) == ("10.0.0.5:50001", "grpc", True)
    assert s.server_key == "grpc://10.0.0.5:50001"
    assert s.url == "http://10.0.0.5:3500"  # the same host serves both


def test_an_explicit_endpoint_flag_implies_grpc_unless_transport_says_otherwise() -> None:
    s = resolve({"grpc_endpoint": "127.0.0.1:6000"}, {})
    assert (s.transport, s.sources["transport"]) == ("grpc", "implied by flag --grpc-endpoint")
    s = resolve({"grpc_endpoint": "127.0.0.1:6000", "transport": "http"}, {})
    assert s.transport == "http"
    s = resolve({}, {"DAPR_GRPC_ENDPOINT": "127.0.0.1:6000"})
    assert s.transport == "http"  # the SDK's variable alone does not switch wfctl over


def test_a_transport_flag_beats_embedded_from_the_environment() -> None:
    s = resolve({"transport": "grpc"}, {"WFCTL_EMBEDDED": "1"})
    assert (s.embedded, s.grpc) == (False, True)
    assert s.sources["embedded"] == "flag --transport (beats env WFCTL_EMBEDDED)"
    s = resolve({"grpc_endpoint": "h:1"}, {"WFCTL_EMBEDDED": "1"})
    assert (s.embedded, s.grpc) == (False, True)
    s = resolve({"transport": "grpc", "embedded": True}, {})  # both flags: --embedded wins
    assert (s.embedded, s.grpc) == (True, False)
    s = resolve({}, {"WFCTL_EMBEDDED": "1", "WFCTL_TRANSPORT": "grpc"})
    assert (s.embedded, s.grpc) == (True, False)


def test_profile_keys(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("profiles:\n  prod:\n    transport: grpc\n    grpc-endpoint: grpcs://d:443\n")
    s = resolve({"config": str(cfg), "profile": "prod"}, {})
    assert (s.transport, s.grpc_endpoint) == ("grpc", "grpcs://d:443")
    assert s.sources["transport"] == "profile prod"


@pytest.mark.parametrize(
    "bad",
    ["host:0", "host:99999", "h:p", "://x:1", "a/b:1", "unix://rel", "h:1?tls=yes", "u:p@h:1"],
)
def test_bad_endpoints_are_one_line(bad: str) -> None:
    with pytest.raises(UsageError, match="gRPC endpoint"):
        resolve({"grpc_endpoint": bad}, {})


def test_bad_transport() -> None:
    with pytest.raises(UsageError, match="env WFCTL_TRANSPORT: transport 'h2' is not one of"):
        resolve({}, {"WFCTL_TRANSPORT": "h2"})
