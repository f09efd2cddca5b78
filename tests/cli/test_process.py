"""Real `wfctl` processes: exit-code table, one-line errors, Ctrl-C, no tracebacks, no secrets;
and the error boundary's handling of internal errors."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.http.fakedaprd import FakeDaprd
from tests.http.fixtures import run_wfctl
from wfctl.cli.app import app
from wfctl.model import RuntimeStatus, WorkflowState
from wfctl.render import Output, state_fields


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_version_and_module_entry() -> None:
    import wfctl

    p = run_wfctl("--version")
    assert (p.returncode, p.stdout) == (0, f"wfctl {wfctl.__version__}\n".encode())
    q = subprocess.run([sys.executable, "-m", "wfctl", "--version"], capture_output=True)
    assert q.stdout == p.stdout


def test_help_lists_every_command_with_example() -> None:
    p = run_wfctl("--help")
    assert p.returncode == 0
    for name in (
        "start",
        "status",
        "wait",
        "pause",
        "resume",
        "terminate",
        "raise-event",
        "purge",
        "list",
        "history",
        "config",
        "exec",
        "worker",
        "serve",
    ):
        assert f"  {name} " in p.stdout.decode(), name
        sub = (
            run_wfctl(*name.split(), "--help")
            if name != "config"
            else run_wfctl("config", "show", "--help")
        )
        assert sub.returncode == 0
        assert b"Example" in sub.stdout, name


def test_exit_code_table_over_real_processes(daprd: FakeDaprd) -> None:
    daprd.add("done", status="COMPLETED")
    daprd.add("live", status="RUNNING")
    daprd.add("bad", status="FAILED")
    url = ["--url", daprd.url]
    cases = [
        (["status", "done"], 0),
        (["start", "wf", "--id", "no.dots"], 2),
        (["start", "wf", "--input", "{"], 2),
        (["--bogus-flag", "status", "x"], 2),
        (["status", "ghost"], 3),
        (["start", "wf", "--id", "live"], 4),
        (["purge", "live"], 4),
        (["wait", "bad"], 10),  # an outcome, printed on stdout, not an error
        (["wait", "live", "--timeout", "100ms"], 124),
    ]
    for args, code in cases:
        p = run_wfctl(*url, *args)
        assert p.returncode == code, (args, p.stderr)
        if code and code != 10:
            assert p.stderr.count(b"\n") == 1 and p.stderr.startswith(b"Error: "), p.stderr
            assert b"Traceback" not in p.stderr
    p = run_wfctl("--url", f"http://127.0.0.1:{free_port()}", "status", "x")
    assert p.returncode == 5
    assert b"cannot reach http://127.0.0.1:" in p.stderr and b"--embedded" in p.stderr
    daprd.token = "right"
    p = run_wfctl(*url, "status", "done", env={"DAPR_API_TOKEN": "wrong-env-token"})
    assert p.returncode == 6 and b"wrong-env-token" not in p.stderr + p.stdout
    daprd.token = None
    daprd.faults.append((500, b'{"errorCode":"ERR_GET_WORKFLOW","message":"db"}'))
    p = run_wfctl(*url, "status", "done")
    assert p.returncode == 7 and b"ERR_GET_WORKFLOW: db" in p.stderr


def test_json_output_of_real_process_is_plain(daprd: FakeDaprd) -> None:
    daprd.add("a", status="COMPLETED")
    p = run_wfctl("--url", daprd.url, "status", "a", "b-missing", "-o", "json")
    assert p.returncode == 3
    assert [o["instanceID"] for o in json.loads(p.stdout)] == ["a"]
    assert b"\x1b[" not in p.stdout


def test_ctrl_c_exits_130(daprd: FakeDaprd) -> None:
    daprd.add("live", status="RUNNING")
    script = Path(sys.executable).with_name("wfctl")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "wfctl"]
    proc = subprocess.Popen(
        [*cmd, "--url", daprd.url, "wait", "live", "--interval", "50ms"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while len(daprd.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 130
    assert b"Traceback" not in err


def test_internal_error_one_line_token_masked_traceback_only_verbose(
    runner: CliRunner, daprd: FakeDaprd, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wfctl.backend import http

    def broken(self, instance_id: str):
        raise RuntimeError(f"bug while holding sekrit-token-1 for {instance_id}")

    monkeypatch.setattr(http.HttpBackend, "get", broken)
    base = ["--url", daprd.url, "--api-token", "sekrit-token-1", "status", "a"]
    r = runner.invoke(app, base)
    assert r.exit_code == 1
    assert r.stderr == (
        "Error: internal error: RuntimeError: bug while holding **** for a "
        "(run with --verbose for a traceback; this is a bug in wfctl)\n"
    )
    r = runner.invoke(app, [*base, "--verbose"])
    assert r.exit_code == 1
    assert "Traceback" in r.stderr and "sekrit-token-1" not in r.output
    assert r.stderr.endswith("Error: internal error: RuntimeError: bug while holding **** for a\n")


def test_verbose_logs_requests_without_token(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.add("a")
    r = runner.invoke(
        app, ["--url", daprd.url, "--api-token", "tok-xyz", "--verbose", "status", "a"]
    )
    assert f"GET {daprd.url}/v1.0-beta1/workflows/dapr/a -> 200" in r.stderr
    assert "tok-xyz" not in r.output


# -- rendering ------------------------------------------------------------------------------


def _state() -> WorkflowState:
    return WorkflowState(
        "abc", "wf", RuntimeStatus.FAILED, serialized_input='{"k": "' + "v" * 300 + '"}'
    )


def test_terminal_table_has_colour_unless_disabled() -> None:
    buf = io.StringIO()
    Output(buf, tty=True, color=True, width=100).fields([state_fields(_state(), limit=40)])
    assert "\x1b[" in buf.getvalue() and "FAILED" in buf.getvalue()
    assert "…" in buf.getvalue()  # long payloads shortened on a terminal
    buf = io.StringIO()
    Output(buf, tty=True, color=False, width=100).fields([state_fields(_state(), limit=40)])
    assert "\x1b[3" not in buf.getvalue()


def test_plain_output_has_no_colour_and_no_truncation() -> None:
    buf = io.StringIO()
    Output(buf, tty=False).fields([state_fields(_state())])
    assert "\x1b[" not in buf.getvalue() and "v" * 300 in buf.getvalue()


def test_no_color_env_reaches_settings(runner: CliRunner) -> None:
    r = runner.invoke(app, ["config", "show", "-o", "json"], env={"NO_COLOR": "1"})
    assert json.loads(r.stdout)["no-color"] == {"value": "true", "source": "env NO_COLOR"}


def test_rich_and_yaml_not_imported_for_json_status(daprd: FakeDaprd) -> None:
    daprd.add("a")
    code = (
        "import sys\n"
        "from wfctl.__main__ import main\n"
        f"rc = main(['--url', {daprd.url!r}, 'status', 'a', '-o', 'json'])\n"
        "heavy = ('rich', 'yaml', 'pydantic')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, env=dict(os.environ))
    assert p.returncode == 0, p.stderr
    assert p.stderr.strip() == b"[]"


def test_live_fields_redraws_on_a_terminal() -> None:
    buf = io.StringIO()
    out = Output(buf, tty=True, color=True, width=80)
    with out.live_fields() as screen:
        screen.update([state_fields(_state(), limit=40)])
        done = _state()
        done.runtime_status = RuntimeStatus.COMPLETED
        screen.update([state_fields(done, limit=40)])
    text = buf.getvalue()
    assert "FAILED" in text and "COMPLETED" in text
    assert "\x1b[" in text  # cursor movement / colour: drawn in place


def test_naive_and_aware_times_both_render() -> None:
    from datetime import datetime, timezone

    naive = WorkflowState("n", "wf", RuntimeStatus.RUNNING, created_at=datetime(2026, 1, 1, 12))
    aware = WorkflowState(
        "a", "wf", RuntimeStatus.RUNNING, created_at=datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
    )
    now = datetime(2026, 1, 1, 12, 0, 5, tzinfo=timezone.utc)
    for s in (naive, aware):
        rows = {k: v for k, v, _ in state_fields(s, now=now)}
        assert rows["Created"] == "2026-01-01 12:00:00 UTC" and rows["Age"] == "5s"


@pytest.mark.parametrize(
    ("answer", "code", "left"),
    [
        (b"y\n", 0, set()),
        (b"n\n", 20, {"a", "b"}),  # declined: its own code, not 1 (a bug)
        (b"\x04", 20, {"a", "b"}),  # Ctrl-D: no answer is a no
        (None, 130, {"a", "b"}),  # Ctrl-C at the prompt
    ],
)
def test_purge_asks_on_a_terminal(
    daprd: FakeDaprd, answer: bytes | None, code: int, left: set
) -> None:
    import pty

    daprd.add("a", status="COMPLETED")
    daprd.add("b", status="COMPLETED")
    master, slave = pty.openpty()
    script = Path(sys.executable).with_name("wfctl")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "wfctl"]
    proc = subprocess.Popen(
        [*cmd, "--url", daprd.url, "purge", "a", "b"],
        stdin=slave,
        stderr=slave,
        stdout=subprocess.PIPE,
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 10
    while b"Purge 2 instances?" not in seen and time.monotonic() < deadline:
        seen += os.read(master, 1024)
    if answer is None:
        proc.send_signal(signal.SIGINT)
    else:
        os.write(master, answer)
    out, _ = proc.communicate(timeout=10)
    rest = b""
    try:
        while chunk := os.read(master, 1024):
            rest += chunk
    except OSError:  # the other side closed
        pass
    os.close(master)
    assert b"Purge 2 instances? [y/N]" in seen
    assert proc.returncode == code
    assert b"Traceback" not in rest and (code != 20 or b"nothing done" in rest), rest
    assert set(daprd.instances) == left


def test_every_command_and_global_option_is_documented() -> None:
    import typer

    doc = (Path(__file__).parents[2] / "docs" / "cli.md").read_text()
    group = typer.main.get_command(app)
    for name, cmd in group.commands.items():
        if name == "completion":  # documented by its own engineer's docs
            continue
        assert f"`{name}" in doc, f"command {name} missing from docs/cli.md"
        assert cmd.help and "Example" in cmd.help, name
    for param in group.params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--version":
                assert opt in doc, f"global option {opt} missing from docs/cli.md"


def test_readme_and_cli_doc_list_every_exit_code() -> None:
    from wfctl.model import ExitCode

    root = Path(__file__).parents[2]
    for doc in (root / "README.md", root / "docs" / "cli.md"):
        section = doc.read_text().split("## Exit codes", 1)[1].split("\n## ", 1)[0]
        rows = [r for r in section.splitlines() if r.startswith("| ") and r[2].isdigit()]
        listed = set()
        for row in rows:
            listed |= {int(n) for n in row.split("|")[1].replace("/", " ").split()}
        assert listed == {int(c) for c in ExitCode}, doc


def test_bulk_purge_on_a_terminal_goes_one_by_one_with_progress() -> None:
    import pty

    with FakeDaprd(ext=True) as d:
        for i in range(3):
            d.add(f"old{i}", status="COMPLETED")
        d.add("live", status="RUNNING")
        master, slave = pty.openpty()
        script = Path(sys.executable).with_name("wfctl")
        cmd = [str(script)] if script.exists() else [sys.executable, "-m", "wfctl"]
        proc = subprocess.Popen(
            [*cmd, "--url", d.url, "purge", "--older-than", "0s", "--yes"],
            stdin=subprocess.DEVNULL,
            stdout=slave,
            stderr=slave,
        )
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the other side closed
                break
            if not chunk:
                break
            seen += chunk
        proc.wait(timeout=10)
        os.close(master)
        assert proc.returncode == 0, seen
        assert b"3 instance(s) purged" in seen
        purges = [r.path for r in d.requests if r.path.endswith("/purge")]
        assert purges == [
            "/wfctl/v1/purge",  # the listing (dry run)
            "/v1.0-beta1/workflows/dapr/old0/purge",
            "/v1.0-beta1/workflows/dapr/old1/purge",
            "/v1.0-beta1/workflows/dapr/old2/purge",
        ]
        assert set(d.instances) == {"live"}
