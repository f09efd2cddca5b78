"""The real `wfctl` console script over gRPC: choosing the transport, every command's output,
and the exit-code table — one line on stderr, never the token."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.grpcclient.servicer import MemoryServicer, serving
from tests.http.fakedaprd import FakeDaprd
from tests.http.fixtures import run_wfctl


def _err_line(proc) -> str:
    text = proc.stderr.decode()
    assert text.count("\n") == 1, text  # exactly one line
    assert "Traceback" not in text
    return text


def test_commands_over_grpc(servicer: MemoryServicer, endpoint: str) -> None:
    g = ("--grpc-endpoint", endpoint)
    p = run_wfctl(*g, "start", "order_wf", "--id", "o-1", "--input", '{"n": 1}', "--in", "1h")
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode().strip() == "Started order_wf as o-1"
    assert servicer.calls("StartInstance")[0].HasField("scheduledStartTimestamp")
    p = run_wfctl(*g, "status", "o-1", "-o", "json")
    body = json.loads(p.stdout)
    assert (body["instanceID"], body["workflowName"], body["runtimeStatus"]) == (
        "o-1",
        "order_wf",
        "PENDING",
    )
    assert body["properties"]["dapr.workflow.input"] == '{"n": 1}'
    for cmd in (["pause", "o-1"], ["resume", "o-1"], ["raise-event", "o-1", "go"]):
        assert run_wfctl(*g, *cmd).returncode == 0
    p = run_wfctl(*g, "terminate", "o-1", "--result", '"bye"')
    assert p.returncode == 0 and b"ignored" not in p.stderr  # gRPC carries the output
    assert servicer.calls("TerminateInstance")[0].output.value == '"bye"'
    p = run_wfctl(*g, "list", "-o", "ids")
    assert p.stdout.decode().split() == ["o-1"]
    p = run_wfctl(*g, "history", "o-1", "-o", "json")
    assert [e["type"] for e in json.loads(p.stdout)] == ["ExecutionStarted"]
    p = run_wfctl(*g, "purge", "--older-than", "0s", "--status", "TERMINATED", "--yes")
    assert p.returncode == 0 and "1 instance(s) purged" in p.stdout.decode()


def test_environment_chooses_grpc(servicer: MemoryServicer, endpoint: str) -> None:
    servicer.add("e-1")
    env = {"WFCTL_TRANSPORT": "grpc", "DAPR_GRPC_ENDPOINT": endpoint}
    p = run_wfctl("status", "e-1", "-q", env=env)
    assert (p.returncode, p.stdout) == (0, b"RUNNING\n")
    host, port = endpoint.split(":")
    env = {"WFCTL_TRANSPORT": "grpc", "DAPR_RUNTIME_HOST": host, "DAPR_GRPC_PORT": port}
    assert run_wfctl("status", "e-1", "-q", env=env).stdout == b"RUNNING\n"


def test_wait_exit_codes(servicer: MemoryServicer, endpoint: str) -> None:
    servicer.add("w")
    p = run_wfctl("--grpc-endpoint", endpoint, "wait", "w", "--timeout", "0.5s")
    assert p.returncode == 124
    assert "has not finished after 0.5s" in _err_line(p)
    servicer.finish("w", status=3)
    assert run_wfctl("--grpc-endpoint", endpoint, "wait", "w").returncode == 10


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["status", "nope"], 3, "no workflow instance 'nope'"),
        (["list"], 2, "needs Dapr 1.17"),
        (["history", "a"], 2, "needs Dapr 1.17"),
    ],
)
def test_exit_codes_against_an_old_daprd(args: list[str], code: int, words: str) -> None:
    with serving(MemoryServicer(old=True)) as ep:
        p = run_wfctl("--grpc-endpoint", ep, *args)
    assert p.returncode == code
    assert words in _err_line(p)


def test_unreachable_and_silent_servers(dead_port: int, silent_endpoint: str) -> None:
    p = run_wfctl("--grpc-endpoint", f"127.0.0.1:{dead_port}", "status", "a")
    assert p.returncode == 5 and "connection refused" in _err_line(p)
    p = run_wfctl("--grpc-endpoint", silent_endpoint, "--request-timeout", "1s", "status", "a")
    assert p.returncode == 5 and "timed out after 1s" in _err_line(p)
    p = run_wfctl(
        "--grpc-endpoint",
        silent_endpoint,
        "--request-timeout",
        "1s",
        "wait",
        "a",
        "--timeout",
        "1m",
    )
    assert p.returncode == 5  # the first read meets the request timeout, not wait's


def test_wrong_token_exits_6_and_never_prints_it() -> None:
    with serving(MemoryServicer(token="the-right-one")) as ep:
        p = run_wfctl("--grpc-endpoint", ep, "--api-token", "wrong-secret-1", "status", "a")
        assert p.returncode == 6 and "token was refused" in _err_line(p)
        assert b"wrong-secret-1" not in p.stdout + p.stderr
        p = run_wfctl(
            "--grpc-endpoint",
            ep,
            "--verbose",
            "status",
            "a",
            env={"DAPR_API_TOKEN": "wrong-secret-2"},
        )
        assert p.returncode == 6 and b"wrong-secret-2" not in p.stdout + p.stderr
        assert b"GetInstance -> UNAUTHENTICATED" in p.stderr  # the --verbose call log


def test_config_show_says_transport_and_endpoint_and_where(endpoint: str) -> None:
    p = run_wfctl("--grpc-endpoint", endpoint, "config", "show", "-o", "json")
    rows = json.loads(p.stdout)
    assert rows["transport"] == {"value": "grpc", "source": "implied by flag --grpc-endpoint"}
    assert rows["grpc-endpoint"] == {"value": endpoint, "source": "flag --grpc-endpoint"}
    p = run_wfctl("config", "show", "-o", "json", env={"DAPR_GRPC_PORT": "50009"})
    rows = json.loads(p.stdout)
    assert rows["transport"] == {"value": "http", "source": "default"}
    assert rows["grpc-endpoint"] == {"value": "127.0.0.1:50009", "source": "env DAPR_GRPC_PORT"}


def test_http_refusals_name_the_grpc_transport() -> None:
    with FakeDaprd() as daprd:
        for args in (["list"], ["history", "a"]):
            p = run_wfctl("--url", daprd.url, *args)
            assert p.returncode == 2 and "--transport grpc" in _err_line(p)


def test_each_transport_imports_only_its_own_client(servicer: MemoryServicer, endpoint: str):
    servicer.add("i-1", status=1)
    code = (
        "import sys\n"
        "from wfctl.__main__ import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('grpc', 'google.protobuf', 'dapr', 'httpx', 'rich')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    with FakeDaprd() as daprd:
        daprd.add("i-1", status="COMPLETED")
        for args, loaded in (
            (["--url", daprd.url], "['httpx']"),
            (["--grpc-endpoint", endpoint], "['google.protobuf', 'grpc']"),
        ):
            p = subprocess.run(
                [sys.executable, "-c", code, *args, "status", "i-1", "-o", "json"],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert p.stderr.strip().splitlines()[-1] == loaded, p.stderr


def test_without_the_grpc_extra_one_line_says_how_to_install(tmp_path) -> None:
    fake = tmp_path / "site" / "grpc"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no grpc here')\n")
    p = run_wfctl("--transport", "grpc", "status", "x", env={"PYTHONPATH": str(fake.parent)})
    assert p.returncode == 2 and "pip install 'wfctl[grpc]'" in _err_line(p)


def test_rerun_over_grpc(servicer: MemoryServicer, endpoint: str) -> None:
    servicer.add("src", status=1)
    p = run_wfctl("--grpc-endpoint", endpoint, "rerun", "src", "--from-event", "1", "-o", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["instanceID"] == "rerun-generated"
    p = run_wfctl("--grpc-endpoint", endpoint, "rerun", "src", "--from-event", "7")
    assert p.returncode == 2 and "cannot rerun 'src' from event 7" in _err_line(p)
    with serving(MemoryServicer(old=True)) as ep:
        p = run_wfctl("--grpc-endpoint", ep, "rerun", "src", "--from-event", "1")
    assert p.returncode == 2 and "rerun needs Dapr 1.16" in _err_line(p)


def test_a_profile_set_with_grpc_settings_is_used(servicer: MemoryServicer, endpoint: str) -> None:
    """`config set-profile --grpc-endpoint` (transport implied, as on the command line) makes a
    profile that commands then use over gRPC; `config show` names it as the source."""
    servicer.add("p-1", name="order")
    assert run_wfctl("config", "set-profile", "k8s", "--grpc-endpoint", endpoint).returncode == 0
    p = run_wfctl("--profile", "k8s", "status", "p-1", "-o", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["workflowName"] == "order"
    shown = json.loads(run_wfctl("--profile", "k8s", "config", "show", "-o", "json").stdout)
    assert shown["transport"] == {"value": "grpc", "source": "profile k8s"}
    assert shown["grpc-endpoint"] == {"value": endpoint, "source": "profile k8s"}
    # --transport http in the same profile later: kept apart from the endpoint
    assert run_wfctl("config", "set-profile", "k8s", "--transport", "http").returncode == 0
    shown = json.loads(run_wfctl("--profile", "k8s", "config", "show", "-o", "json").stdout)
    assert shown["transport"]["value"] == "http" and shown["grpc-endpoint"]["value"] == endpoint
    assert run_wfctl("config", "set-profile", "tls", "--insecure").returncode == 0
    shown = json.loads(run_wfctl("--profile", "tls", "config", "show", "-o", "json").stdout)
    assert shown["insecure"] == {"value": "true", "source": "profile tls"}
    for bad in (["--transport", "pigeon"], ["--grpc-endpoint", "h:notaport"]):
        p = run_wfctl("config", "set-profile", "bad", *bad)
        assert p.returncode == 2 and bad[0] in _err_line(p)


def test_wait_timeout_bounds_connecting_to_a_stalled_server(silent_endpoint: str) -> None:
    # The server takes the TCP connection and never sends HTTP/2 SETTINGS. gRPC gives up
    # connecting after 20 s by itself, and the first read had the 30 s request timeout: the
    # wait exited 5 after 20 s. `--timeout` bounds the whole wait, connecting included.
    p = run_wfctl("--grpc-endpoint", silent_endpoint, "wait", "a", "--timeout", "2s")
    assert p.returncode == 124, p.stderr
    assert f"gave up on instance 'a' after 2s: {silent_endpoint} did not answer" in _err_line(p)
