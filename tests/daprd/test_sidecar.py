"""wfctl's command line against a real daprd: the README's sidecar examples as written (HTTP,
then gRPC), the API token, and the "needs Dapr 1.17" refusals (and the rerun 1.16 has)
against a real daprd 1.16."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.daprd.conftest import CONTRACT_APP, sidecar_with_worker
from tests.daprd.procs import VERSION, Daprd, bin_dir, missing_reason
from tests.http.fixtures import run_wfctl
from tests.test_readme import section, sh_blocks

DEMO_APP = Path(__file__).resolve().parent / "apps" / "demo_app.py"
TOKEN = "s3cret-token-for-daprd"


@pytest.fixture(scope="module")
def demo_daprd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daprd]:
    """daprd with wfctl's demo workflows served by the Dapr SDK (tests/daprd/apps/demo_app.py)."""
    with sidecar_with_worker(tmp_path_factory.mktemp("demo"), DEMO_APP) as d:
        yield d


def _one_line(p: subprocess.CompletedProcess[bytes]) -> str:
    text = p.stderr.decode()
    assert text.count("\n") == 1 and "Traceback" not in text, text
    return text


def _shell_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    bindir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WFCTL_", "DAPR_"))}
    env.update(PATH=bindir + os.pathsep + env.get("PATH", ""), XDG_DATA_HOME=str(tmp_path))
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), NO_COLOR="1")
    return {**env, **extra}


@pytest.mark.timeout(400)  # longer than the suite's 120 s: the README's shell gets 300 s
@pytest.mark.skipif(not shutil.which("jq"), reason="the README's example runs jq")
def test_readme_sidecar_examples_run_against_daprd(demo_daprd: Daprd, tmp_path: Path) -> None:
    """ "Against a Dapr sidecar" (start OrderProcessingWorkflow, status through jq, wait) and
    then "Against a Dapr sidecar over gRPC" (list, history of that instance, bulk purge),
    in one shell as a reader would type them, with only the ports moved to daprd's."""
    (http_block,) = sh_blocks(section("Against a Dapr sidecar"))
    (grpc_block,) = sh_blocks(section("Against a Dapr sidecar over gRPC"))
    port = str(demo_daprd.grpc_port)
    script = http_block + 'echo "id $id"\n' + grpc_block.replace("50001", port)
    env = _shell_env(tmp_path, DAPR_HTTP_ENDPOINT=demo_daprd.http_url, DAPR_GRPC_PORT=port)
    r = subprocess.run(
        ["bash", "-ec", script], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout.splitlines()
    assert out[0] in ("RUNNING", "COMPLETED", "PENDING"), r.stdout
    assert "exit 0" in out, r.stdout
    iid = next(ln.split()[1] for ln in out if ln.startswith("id "))
    assert "TaskCompleted" in r.stdout and "ExecutionCompleted" in r.stdout, r.stdout
    st = run_wfctl("--url", demo_daprd.http_url, "status", iid, "-o", "json")
    body = json.loads(st.stdout)  # younger than the purge's 7 days: kept
    assert (body["workflowName"], body["runtimeStatus"]) == ("OrderProcessingWorkflow", "COMPLETED")


def test_api_token_over_http_and_grpc(tmp_path: Path) -> None:
    """daprd with DAPR_API_TOKEN: wfctl sends the same variable's value on both transports;
    a wrong token is exit 6 with one line that never shows the token."""
    with sidecar_with_worker(tmp_path / "d", CONTRACT_APP, token=TOKEN) as d:
        good = {"DAPR_API_TOKEN": TOKEN}
        p = run_wfctl("--url", d.http_url, "start", "echo_wf", "--input", '"t"', "--wait",
                      "-o", "json", env=good, timeout=120)  # fmt: skip
        assert p.returncode == 0, p.stderr
        iid = json.loads(p.stdout)["instanceID"]
        p = run_wfctl("--grpc-endpoint", d.grpc_endpoint, "status", iid, "-q", env=good)
        assert (p.returncode, p.stdout) == (0, b"COMPLETED\n"), p.stderr
        for where in (["--url", d.http_url], ["--grpc-endpoint", d.grpc_endpoint]):
            p = run_wfctl(*where, "status", iid, env={"DAPR_API_TOKEN": "wrong-" + TOKEN})
            assert p.returncode == 6, (where, p.stderr)
            assert TOKEN not in _one_line(p)


@pytest.mark.parametrize("args", [["list"], ["history", "{iid}"]])
def test_an_old_daprd_refuses_what_needs_1_17(old_daprd: Daprd, args: list[str]) -> None:
    """A real daprd 1.16 hands the 1.17 RPCs to its service-invocation proxy (UNKNOWN "failed
    to proxy request", not UNIMPLEMENTED): wfctl says it needs Dapr 1.17, exit 2, one line."""
    iid = _finished(old_daprd, '"old"')
    p = run_wfctl("--grpc-endpoint", old_daprd.grpc_endpoint, *[a.format(iid=iid) for a in args])
    assert p.returncode == 2, p.stderr
    assert "needs Dapr 1.17" in _one_line(p)


def test_an_old_daprd_reruns(old_daprd: Daprd) -> None:
    """Rerun came in Dapr 1.16: a real daprd 1.16 runs it (wfctl must not refuse it)."""
    src = _finished(old_daprd, '"again"')
    g = ("--grpc-endpoint", old_daprd.grpc_endpoint)
    p = run_wfctl(*g, "rerun", src, "--from-event", "1", "-o", "json")
    assert p.returncode == 0, p.stderr
    new = json.loads(p.stdout)["instanceID"]
    p = run_wfctl(*g, "wait", new, "-o", "json", timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["properties"]["dapr.workflow.output"] == '"again"'


def _finished(d: Daprd, data: str) -> str:
    """A finished echo_wf instance's ID (started over gRPC, which every release has)."""
    g = ("--grpc-endpoint", d.grpc_endpoint)
    p = run_wfctl(*g, "start", "echo_wf", "--input", data, "--wait", "-o", "json", timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["instanceID"]


def test_run_daprd_runs_a_command_beside_the_sidecar_and_stops_it(tmp_path: Path) -> None:
    """scripts/run-daprd -- CMD: CMD sees DAPR_HTTP_PORT/DAPR_GRPC_PORT of a healthy daprd,
    its exit code is run-daprd's, and the sidecar is gone afterwards."""
    if bin_dir(VERSION) is None:
        pytest.skip(missing_reason(VERSION))
    probe = (
        "import os, urllib.request as u; p = os.environ['DAPR_HTTP_PORT']; "
        "print('HEALTH', u.urlopen(f'http://127.0.0.1:{p}/v1.0/healthz/outbound').status); "
        "raise SystemExit(3)"
    )
    script = Path(__file__).resolve().parents[2] / "scripts" / "run-daprd"
    p = subprocess.run(
        [str(script), "--", sys.executable, "-c", probe], capture_output=True, text=True,
        timeout=180, env=_shell_env(tmp_path),
    )  # fmt: skip
    assert p.returncode == 3, p.stderr
    lines = p.stdout.splitlines()
    assert "HEALTH 204" in lines, p.stdout
    port = int(next(ln for ln in lines if ln.startswith("DAPR_HTTP_PORT=")).split("=")[1])
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # stopped
