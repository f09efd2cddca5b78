"""TAB over gRPC: one page of real instances from the sidecar, else the private record."""

from __future__ import annotations

import pytest

from tests.grpcclient.servicer import MemoryServicer, serving
from wfctl import _complete, recent


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert _complete.main(argv) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out.splitlines()


def test_instances_come_from_the_sidecar_newest_first(
    servicer: MemoryServicer, endpoint: str, capsys
) -> None:
    servicer.add("old-1", name="order_wf", status=1, created=1)
    servicer.add("new-2", name="hello_wf", status=0, created=2)
    lines = run(["instances", "--grpc-endpoint", endpoint], capsys)
    assert lines == ["new-2\thello_wf  RUNNING", "old-1\torder_wf  COMPLETED"]
    (req,) = servicer.calls("ListInstanceIDs")
    assert req.pageSize == _complete.GRPC_PAGE  # one page only
    assert run(["instances", "--grpc-endpoint", endpoint, "--prefix", "ol"], capsys) == [
        "old-1\torder_wf  COMPLETED"
    ]
    assert run(["workflows", "--transport", "grpc", "--grpc-endpoint", endpoint], capsys) == [
        "hello_wf",
        "order_wf",
    ]


def test_environment_and_token(monkeypatch, capsys) -> None:
    servicer = MemoryServicer(token="tab-token")
    servicer.add("x-1")
    with serving(servicer) as ep:
        monkeypatch.setenv("WFCTL_TRANSPORT", "grpc")
        monkeypatch.setenv("DAPR_GRPC_ENDPOINT", ep)
        monkeypatch.setenv("DAPR_API_TOKEN", "tab-token")
        assert run(["instances"], capsys) == ["x-1\twf  RUNNING"]
        monkeypatch.setenv("WFCTL_EMBEDDED", "1")  # embedded from the environment wins...
        assert run(["instances", "--db", "/nonexistent/wf.db"], capsys) == []
        # ...unless a remote flag is on the line
        assert run(["instances", "--grpc-endpoint", ep], capsys) == ["x-1\twf  RUNNING"]


def test_an_old_daprd_falls_back_to_the_private_record(capsys) -> None:
    with serving(MemoryServicer(old=True)) as ep:
        recent.record_instance("grpc://" + ep, "mine-1", "order_wf")
        assert run(["instances", "--grpc-endpoint", ep], capsys) == ["mine-1\torder_wf"]
        assert run(["workflows", "--grpc-endpoint", ep], capsys) == ["order_wf"]


def test_unreachable_and_silent_sidecars_fall_back(dead_port, silent_endpoint, capsys) -> None:
    dead = f"127.0.0.1:{dead_port}"
    recent.record_instance("grpc://" + dead, "seen-1")
    assert run(["instances", "--grpc-endpoint", dead], capsys) == ["seen-1"]
    # A server that never answers: the short deadline ends the TAB with what is on record.
    recent.record_instance("grpc://" + silent_endpoint, "seen-2")
    assert run(["instances", "--grpc-endpoint", silent_endpoint], capsys) == ["seen-2"]


def test_commands_over_grpc_feed_the_record(servicer: MemoryServicer, endpoint: str) -> None:
    from tests.http.fixtures import run_wfctl

    assert run_wfctl("--grpc-endpoint", endpoint, "start", "wf", "--id", "s-1").returncode == 0
    assert recent.recent_instances("grpc://" + endpoint) == [("s-1", "wf")]


def test_token_resolved_as_commands_resolve_it(tmp_path, clean_env, capsys) -> None:
    """The token from the flag, a token file (flag or profile) or the profile itself, as
    wfctl.settings gives it to commands; without one the sidecar refuses and TAB falls back."""
    servicer = MemoryServicer(token="tab-token-2")
    servicer.add("t-1")
    tok = tmp_path / "token"
    tok.write_text("tab-token-2\n")
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        "profiles:\n"
        f"  byfile: {{transport: grpc, api-token-file: '{tok}'}}\n"
        "  bytoken: {transport: grpc, api-token: tab-token-2}\n"
    )
    with serving(servicer) as ep:
        g = ["instances", "--grpc-endpoint", ep]
        assert run(g, capsys) == []  # refused: nothing on record either
        assert run([*g, "--api-token", "tab-token-2"], capsys) == ["t-1\twf  RUNNING"]
        assert run([*g, "--api-token-file", str(tok)], capsys) == ["t-1\twf  RUNNING"]
        assert run([*g, f"--api-token-file={tok}"], capsys) == ["t-1\twf  RUNNING"]
        for profile in ("byfile", "bytoken"):
            assert run([*g, "--config", str(cfg), "--profile", profile], capsys) == [
                "t-1\twf  RUNNING"
            ]
        assert run([*g, "--api-token", "wrong-token"], capsys) == []
