"""What operators reach for next, through the real CLI: history --gantt/--follow, list --watch,
wfctl workflows, wait -o json/yaml, wfctl config init/set-profile/use."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from typer.testing import CliRunner

from tests.harness import Serve
from tests.http.fixtures import run_wfctl
from wfctl.cli.app import app
from wfctl.cli.timeline import bars

APP = textwrap.dedent(
    """
    from datetime import timedelta

    import wfctl.workflow as wf

    wfr = wf.WorkflowRuntime()

    @wfr.activity
    def step(ctx, x):
        if x == 3:
            raise ValueError("bad step")
        return x

    @wfr.workflow(name="sleepy")
    def sleepy(ctx, s):
        yield ctx.create_timer(timedelta(seconds=s))
        return s

    @wfr.workflow(name="g")
    def g(ctx, _):
        yield ctx.call_activity(step, input=1)
        yield ctx.create_timer(timedelta(milliseconds=50))
        yield wf.when_all(
            [ctx.call_activity(step, input=2), ctx.call_child_workflow(sleepy, input=0)]
        )
        try:
            yield ctx.call_activity(step, input=3)
        except Exception:
            pass
        return 1
    """
)


def _app(tmp_path: Path) -> list[str]:
    path = tmp_path / "gapp.py"
    path.write_text(APP)
    return ["--embedded", "--db", str(tmp_path / "g.db"), "--app", str(path)]


def test_history_follow_prints_each_event_then_exits_as_wait(tmp_path: Path) -> None:
    base = _app(tmp_path)
    env = {"XDG_DATA_HOME": str(tmp_path), "COLUMNS": "100"}
    r = run_wfctl(*base, "--detach", "start", "g", "--id", "g1", env=env)
    assert r.returncode == 0, r.stderr
    r = run_wfctl(*base, "history", "g1", "--follow", "--interval", "100ms", "-o", "json",
                  env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.decode().splitlines()]
    types = [row["type"] for row in rows]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionCompleted"
    assert "TaskFailed" in types and "ChildWorkflowCompleted" in types
    r = run_wfctl(*base, "history", "g1", "--gantt", env={**env, "COLUMNS": "70"})
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assert all(len(line) <= 70 for line in lines), lines
    labels = [line.split("  ")[0].strip() for line in lines[1:]]
    assert labels == ["g", "activity step", "timer", "activity step", "child sleepy g1:0004",
                      "activity step"]  # fmt: skip
    assert lines[-1].rstrip().endswith("!") and "✗" in lines[-1]  # the failed one, marked
    assert "━" in lines[1]


def test_gantt_bars_pair_by_task_and_stay_open_while_running() -> None:
    from datetime import datetime, timedelta

    from wfctl.model import HistoryEntry

    t = datetime(2026, 1, 1)

    def e(kind: str, s: float, task: int | None = None, name: str = "") -> HistoryEntry:
        return HistoryEntry(event_id=-1, type=kind, timestamp=t + timedelta(seconds=s),
                            name=name, task_id=task)  # fmt: skip

    got = bars([e("ExecutionStarted", 0, name="wf"), e("TaskScheduled", 1, 0, "a"),
                e("TaskScheduled", 1, 1, "b"), e("TaskFailed", 3, 1), e("EventRaised", 4,
                name="go")])  # fmt: skip
    ended = bars([e("ExecutionStarted", 0, name="wf"), e("TimerCreated", 1, 0),
                  e("ExecutionCompleted", 2)])  # fmt: skip
    assert [(b.label, b.end is None, b.abandoned) for b in ended] == [
        ("wf", False, False),
        ("timer", False, True),
    ]  # fmt: skip  (a timeout timer the run no longer needed: closed with the run)
    assert [(b.label, b.end is None, b.failed) for b in got] == [
        ("wf", True, False),
        ("activity a", True, False),
        ("activity b", False, True),
        ("event go", False, False),
    ]


def test_list_watch_reprints_when_something_changes(tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "COLUMNS": "120"}
    env.pop("WFCTL_EMBEDDED", None)
    cmd = [sys.executable, "-m", "wfctl", "--embedded", "--db", db]
    subprocess.run([*cmd, "start", "hello_world_wf", "--id", "w1"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    proc = subprocess.Popen([*cmd, "list", "--watch", "--interval", "50ms"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        first = [proc.stdout.readline() for _ in range(2)]
        assert first[0].startswith("NAME") and " w1 " in first[1]
        subprocess.run([*cmd, "start", "hello_world_wf", "--id", "w2"], env=env, check=True,
                       capture_output=True)  # fmt: skip
        seen = ""
        deadline = time.monotonic() + 60
        while " w2 " not in seen and time.monotonic() < deadline:
            seen += proc.stdout.readline()
        assert " w2 " in seen and seen.startswith("\n")  # a new table, after a blank line
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_workflows_lists_what_the_app_registers(
    tmp_path: Path, start_serve: Callable[..., Serve]
) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["--embedded", "--db", str(tmp_path / "d.db"), "workflows"])
    assert (r.exit_code, r.stdout) == (0, "OrderProcessingWorkflow\nhello_world_wf\n")
    path = tmp_path / "gapp.py"
    path.write_text(APP)
    srv = start_serve(tmp_path / "s.db", extra=["--app", str(path)])
    r = run_wfctl("--url", srv.url, "workflows", "-o", "json",
                  env={"XDG_DATA_HOME": str(tmp_path)})  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == ["g", "sleepy"]


def test_wait_prints_the_final_state_as_json_or_yaml(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--embedded", "--db", str(tmp_path / "d.db")]
    r = runner.invoke(app, [*base, "start", "hello_world_wf", "--id", "h", "--input", '"A"'])
    assert r.exit_code == 0
    r = runner.invoke(app, [*base, "wait", "h", "-o", "json"])
    body = json.loads(r.stdout)
    assert body["instanceID"] == "h" and body["runtimeStatus"] == "COMPLETED"
    assert "dapr.workflow.output" in body["properties"]
    r = runner.invoke(app, [*base, "wait", "h", "-o", "yaml"])
    assert yaml.safe_load(r.stdout) == body


def test_config_init_set_profile_use(runner: CliRunner, tmp_path: Path) -> None:
    r = runner.invoke(app, ["config", "init"])
    assert r.exit_code == 0 and r.stdout.startswith("wrote ")
    path = Path(r.stdout.split(" ", 1)[1].strip())
    text = path.read_text()
    assert text.startswith("# wfctl configuration") and "default-profile: local" in text
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    r = runner.invoke(app, ["config", "init"])
    assert r.exit_code == 2 and "--force" in r.stderr
    r = runner.invoke(app, ["config", "set-profile", "prod", "--url", "https://dapr.example:3500",
                            "--api-token-file", "~/tok"])  # fmt: skip
    assert r.exit_code == 0, r.stderr
    r = runner.invoke(app, ["--profile", "prod", "config", "show", "-o", "json"])
    assert json.loads(r.stdout)["url"] == {
        "value": "https://dapr.example:3500", "source": "profile prod",
    }  # fmt: skip
    r = runner.invoke(app, ["config", "use", "prod"])
    assert r.exit_code == 0
    r = runner.invoke(app, ["config", "show", "-o", "json"])
    shown = json.loads(r.stdout)
    assert shown["url"]["source"] == "default profile prod"
    assert shown["profile"]["value"] == "prod"
    r = runner.invoke(app, ["config", "use", "nope"])
    assert r.exit_code == 2 and "profiles: local, prod" in r.stderr
    r = runner.invoke(app, ["config", "set-profile", "bad", "--url", "ftp://x"])
    assert r.exit_code == 2 and "http://" in r.stderr
    assert "bad" not in yaml.safe_load(path.read_text())["profiles"]
