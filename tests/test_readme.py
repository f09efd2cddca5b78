"""README.md works as written: the two commands carry their venv, .ci/run runs the test one
verbatim, links stay inside the repository (none to the web), jq is named where used, and the
sidecar example runs against the README's own `wfctl serve`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.server.proc import read_banner

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 3)
    return README[start : end if end != -1 else None]


def sh_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def test_the_two_commands_make_their_own_venv() -> None:
    run, test = [b.strip() for b in sh_blocks(section("Two commands on a fresh machine"))]
    venv = "python3 -m venv .venv && . .venv/bin/activate && "
    assert run.startswith(venv) and "pip install . && wfctl --embedded start" in run
    assert test == venv + "pip install -e '.[test]' && python -m pytest -q"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines(), ".ci/run must run the README's test command as written"


def test_links_stay_inside_the_repository() -> None:
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#]+)[^)]*\)", text):
            assert not target.startswith(("http://", "https://")), (doc.name, target)
            assert not target.startswith(".."), (doc.name, target)
            assert (doc.parent / target).exists(), (doc.name, target)
        assert "../shared" not in text, doc.name
        # The design notes the project was started from are not in the repository.
        outside = re.search(r"\b(GRPC|ENGINE|API|DESIGN|STYLE)\.md\b", text)
        assert outside is None, (doc.name, outside and outside.group())


def test_jq_is_named_where_an_example_uses_it() -> None:
    for title in ("Against a Dapr sidecar",):
        text = section(title)
        if "| jq" in text:
            prose = text.split("```sh", 1)[0]
            assert "jq" in prose, title


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serving(serve: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The README's ``wfctl serve`` line run in ``tmp_path`` with this venv's wfctl first on
    PATH; yields that environment (no WFCTL_/DAPR_ settings) until serve is stopped."""
    bindir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WFCTL_", "DAPR_"))}
    env.update(PATH=bindir + os.pathsep + env.get("PATH", ""), XDG_DATA_HOME=str(tmp_path))
    proc = subprocess.Popen(
        ["bash", "-c", "exec " + serve],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert read_banner(proc.stdout, []), "serve did not start"
        yield env
    finally:
        proc.terminate()
        proc.wait(60)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.mark.timeout(400)  # longer than the suite's 120 s: the example gets 300 s
@pytest.mark.skipif(not shutil.which("curl") or not shutil.which("jq"), reason="needs curl, jq")
def test_sidecar_example_runs_against_the_readmes_serve(tmp_path: Path) -> None:
    (serve_block,) = sh_blocks(section("`wfctl serve`"))
    lines = [ln.split("#", 1)[0].strip() for ln in serve_block.strip().splitlines()]
    serve = lines[0].rstrip("&").strip()
    assert serve.startswith("wfctl serve --port 3500"), serve
    port = _free_port()
    serve = serve.replace("--port 3500", f"--port {port}").replace("./wf.db", "wf.db")
    with _serving(serve, tmp_path) as env:
        curls = "\n".join(lines[1:]).replace("localhost:3500", f"localhost:{port}")
        r = subprocess.run(["bash", "-ec", curls], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and '"instanceID":"h2","workflowName"' in r.stdout.replace(" ", "")
        (sidecar,) = sh_blocks(section("Against a Dapr sidecar"))
        env["DAPR_HTTP_ENDPOINT"] = f"http://127.0.0.1:{port}"
        r = subprocess.run(
            ["bash", "-ec", sidecar], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        assert r.stdout.splitlines()[-1] == "exit 0", r.stdout
        assert r.stdout.splitlines()[0] in ("RUNNING", "COMPLETED", "PENDING"), r.stdout


@pytest.mark.timeout(300)  # longer than the suite's 120 s: two steps of up to 120 s
def test_grpc_sections_run_against_the_readmes_serve(tmp_path: Path) -> None:
    """ "Run your Dapr app with no Dapr" (serve --grpc-port, an unmodified SDK app with only
    DAPR_GRPC_PORT) and then "Against a Dapr sidecar over gRPC" (list, history, bulk purge)
    on what that app ran; ports moved to free ones, nothing else changed."""
    serve_line, app_line = [
        b.strip() for b in sh_blocks(section("Run your Dapr app"))[0].splitlines()
    ]
    assert serve_line == "wfctl serve --grpc-port 50001", serve_line
    assert app_line == "DAPR_GRPC_PORT=50001 python app.py", app_line
    gport = _free_port()
    bindir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WFCTL_", "DAPR_"))}
    env.update(PATH=bindir + os.pathsep + env.get("PATH", ""), XDG_DATA_HOME=str(tmp_path))
    serve = serve_line.replace("50001", str(gport)) + " --port 0 --db wf.db"
    with _serving(serve, tmp_path) as env:
        shutil.copy(ROOT / "tests" / "grpc" / "apps" / "seq_app.py", tmp_path / "app.py")
        app = app_line.replace("50001", str(gport)).replace("python", sys.executable) + " run 1"
        r = subprocess.run(
            ["bash", "-ec", app], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        assert r.returncode == 0 and "RESULT COMPLETED 4" in r.stdout, r.stdout + r.stderr
        iid = next(ln.split()[1] for ln in r.stdout.splitlines() if ln.startswith("ID "))
        (block,) = sh_blocks(section("Against a Dapr sidecar over gRPC"))
        block = block.replace("50001", str(gport))
        env.update(id=iid, DAPR_GRPC_PORT=str(gport))  # as `id=$(wfctl start ...)` above
        r = subprocess.run(
            ["bash", "-ec", block], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        assert "TaskCompleted" in r.stdout and "ExecutionCompleted" in r.stdout, r.stdout
        kept = subprocess.run(
            ["wfctl", "--grpc-endpoint", f"127.0.0.1:{gport}", "status", iid],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert kept.returncode == 0, kept.stderr  # younger than the purge's 7 days: kept
