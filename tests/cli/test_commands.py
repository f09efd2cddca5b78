"""Every command through CliRunner against the fake daprd: requests sent, output, exit codes."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from tests.http.fakedaprd import FakeDaprd
from wfctl.cli.app import app


def run(runner: CliRunner, d: FakeDaprd, *args: str, input: str | None = None):
    return runner.invoke(app, ["--url", d.url, *args], input=input, catch_exceptions=False)


def sent(d: FakeDaprd) -> list[tuple[str, str, bytes]]:
    return [(r.method, r.path.split("/dapr/", 1)[-1], r.body) for r in d.requests]


# -- start -------------------------------------------------------------------------------


def test_start_prints_id_then_waits_for_output(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.script["wf"] = ["RUNNING", "COMPLETED"]
    r = run(runner, daprd, "start", "wf", "--id", "w1", "--input", '"hi"', "--wait")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "Started wf as w1"
    assert any(line.startswith("Status:") and "COMPLETED" in line for line in lines)
    assert any(line.startswith("Output:") and '"hi"' in line for line in lines)


@pytest.mark.parametrize(
    ("final", "code"), [("FAILED", 10), ("TERMINATED", 11), ("CANCELED", 12), ("STALLED", 13)]
)
def test_start_wait_exit_code_says_outcome(
    runner: CliRunner, daprd: FakeDaprd, final: str, code: int
) -> None:
    daprd.script["wf"] = [final]
    r = run(runner, daprd, "start", "wf", "--id", "w1", "--wait", "-q")
    assert r.exit_code == code
    assert r.stdout == "w1\n"


def test_start_wait_json_prints_final_object(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.script["wf"] = ["COMPLETED"]
    r = run(runner, daprd, "start", "wf", "--id", "w1", "--wait", "-o", "json")
    assert r.exit_code == 0
    body = json.loads(r.stdout)
    assert body["instanceID"] == "w1" and body["runtimeStatus"] == "COMPLETED"
    assert r.stderr == "Note: started w1\n"


def test_start_json_without_wait(runner: CliRunner, daprd: FakeDaprd) -> None:
    r = run(runner, daprd, "-o", "yaml", "start", "wf", "--id", "y1")
    assert yaml.safe_load(r.stdout) == {"instanceID": "y1"}


def test_start_wait_timeout_124(runner: CliRunner, daprd: FakeDaprd) -> None:
    r = run(runner, daprd, "start", "wf", "--id", "w1", "--wait", "--timeout", "300ms")
    assert r.exit_code == 124
    assert r.stderr.startswith("Error: instance 'w1' has not finished after 0.3s (it is RUNNING)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--id", "bad id"], "has a space at position 4"),
        (["--id", "a" * 65], "65 bytes"),
        (["--input", "{nope"], "input is not valid JSON"),
        (["--input", "1", "--input-file", "x"], "not both"),
        (["--input-file", "/nonexistent/file"], "cannot read input file"),
        (["--timeout", "5s"], "--timeout needs --wait"),
        (["--wait", "--timeout", "soon"], "invalid duration 'soon'"),
        (["--at", "tomorrow"], "cannot read --at"),
    ],
)
def test_start_usage_errors_before_any_io(
    runner: CliRunner, daprd: FakeDaprd, args: list[str], message: str
) -> None:
    r = run(runner, daprd, "start", "wf", *args)
    assert r.exit_code == 2
    assert message in r.stderr
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("Error: ")
    assert daprd.requests == []


def test_start_raw_input_and_file_and_stdin(runner: CliRunner, daprd: FakeDaprd, tmp_path) -> None:
    f = tmp_path / "in.json"
    f.write_bytes(b'{"from": "file"}\n')
    assert (
        run(runner, daprd, "start", "wf", "--id", "a", "--input", "not json", "--raw").exit_code
        == 0
    )
    assert run(runner, daprd, "start", "wf", "--id", "b", "--input-file", str(f)).exit_code == 0
    r = run(runner, daprd, "start", "wf", "--id", "c", "--input-file", "-", input="[1, 2]")
    assert r.exit_code == 0
    assert [b for _, _, b in sent(daprd)] == [b"not json", b'{"from": "file"}\n', b"[1, 2]"]


def test_start_refuses_input_over_4mib(runner: CliRunner, daprd: FakeDaprd, tmp_path) -> None:
    f = tmp_path / "big.json"
    f.write_bytes(b'"' + b"a" * (4 * 1024 * 1024) + b'"')
    r = run(runner, daprd, "start", "wf", "--input-file", str(f))
    assert r.exit_code == 2 and "4 MiB" in r.stderr
    assert daprd.requests == []


def test_start_conflict_exit_4(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.add("busy")
    r = run(runner, daprd, "start", "wf", "--id", "busy")
    assert r.exit_code == 4 and "already exists" in r.stderr


def test_delayed_start_unsupported_over_http(runner: CliRunner, daprd: FakeDaprd) -> None:
    r = run(runner, daprd, "start", "wf", "--in", "5m")
    assert r.exit_code == 2 and "no delayed start" in r.stderr
    assert daprd.requests == []


# -- status ------------------------------------------------------------------------------


def test_status_several_ids_reports_each_and_first_failure(
    runner: CliRunner, daprd: FakeDaprd
) -> None:
    daprd.add("a", status="COMPLETED")
    daprd.add("c", status="RUNNING")
    r = run(runner, daprd, "status", "a", "missing", "c", "-o", "json")
    assert r.exit_code == 3
    assert [o["instanceID"] for o in json.loads(r.stdout)] == ["a", "c"]
    assert r.stderr == f"Error: no workflow instance 'missing' at {daprd.url}\n"


def test_status_quiet_prints_status(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.add("a", status="SUSPENDED")
    assert run(runner, daprd, "-q", "status", "a").stdout == "SUSPENDED\n"


def test_status_yaml(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.add("a", status="COMPLETED")
    body = yaml.safe_load(run(runner, daprd, "status", "a", "-o", "yaml").stdout)
    assert body["runtimeStatus"] == "COMPLETED" and body["instanceID"] == "a"


def test_status_watch_until_finished(runner: CliRunner, daprd: FakeDaprd) -> None:
    inst = daprd.add("a", status="RUNNING")
    inst.script = ["RUNNING", "RUNNING", "COMPLETED"]
    r = run(runner, daprd, "-q", "status", "a", "--watch", "--interval", "50ms")
    assert r.exit_code == 0
    assert r.stdout.split() == ["RUNNING", "COMPLETED"]


def test_ids_with_colon_accepted_slash_refused(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.add("parent:0001")
    assert run(runner, daprd, "status", "parent:0001").exit_code == 0
    # (a table status then also asks for the history, for "Waiting for": daprd answers 404)
    assert any(q.path.endswith("/parent%3A0001") for q in daprd.requests)
    r = run(runner, daprd, "status", "a/b")
    assert r.exit_code == 2 and "'/' at position 2" in r.stderr


# -- wait --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("final", "code"),
    [("COMPLETED", 0), ("FAILED", 10), ("TERMINATED", 11), ("CANCELED", 12), ("UNKNOWN", 13)],
)
def test_wait_exit_codes(runner: CliRunner, daprd: FakeDaprd, final: str, code: int) -> None:
    daprd.add("a", status=final)
    r = run(runner, daprd, "wait", "a")
    assert r.exit_code == code
    assert r.stdout == f"a {final}\n"


def test_wait_for_start(runner: CliRunner, daprd: FakeDaprd) -> None:
    inst = daprd.add("a")
    inst.script = ["PENDING", "PENDING", "RUNNING"]
    inst.status = "PENDING"
    r = run(runner, daprd, "wait", "a", "--for", "start", "--interval", "50ms")
    assert r.exit_code == 0 and r.stdout == "a RUNNING\n"


def test_wait_several_first_failure_wins(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.add("ok", status="COMPLETED")
    daprd.add("bad", status="FAILED")
    daprd.add("term", status="TERMINATED")
    r = run(runner, daprd, "wait", "ok", "bad", "term", "-o", "json")
    assert r.exit_code == 10
    assert [o["runtimeStatus"] for o in json.loads(r.stdout)] == [
        "COMPLETED",
        "FAILED",
        "TERMINATED",
    ]


def test_wait_timeout_and_not_found(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.add("a", status="RUNNING")
    assert run(runner, daprd, "wait", "a", "--timeout", "200ms").exit_code == 124
    assert run(runner, daprd, "wait", "ghost").exit_code == 3
    assert run(runner, daprd, "wait", "a", "--for", "end").exit_code == 2


# -- pause / resume / terminate / raise-event / purge ----------------------------------------


def test_pause_suspend_resume_terminate(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.add("a")
    daprd.add("b")
    assert run(runner, daprd, "pause", "a").stdout == "a: suspended\n"
    assert run(runner, daprd, "suspend", "b").exit_code == 0
    assert run(runner, daprd, "resume", "a", "b", "-q").stdout == ""
    r = run(runner, daprd, "terminate", "a", "--result", '{"why": "test"}')
    assert r.exit_code == 0
    assert "Dapr's HTTP API has no terminate output" in r.stderr
    # each change first reads the status (one GET), to say what happened to a finished one
    assert sent(daprd) == [
        ("GET", "a", b""),
        ("POST", "a/pause", b""),
        ("GET", "b", b""),
        ("POST", "b/pause", b""),
        ("GET", "a", b""),
        ("POST", "a/resume", b""),
        ("GET", "b", b""),
        ("POST", "b/resume", b""),
        ("GET", "a", b""),
        ("POST", "a/terminate", b""),
    ]


def test_pause_unknown_is_not_found_not_500(runner: CliRunner, daprd: FakeDaprd) -> None:
    r = run(runner, daprd, "pause", "ghost")
    assert r.exit_code == 3 and "no workflow instance 'ghost'" in r.stderr


def test_terminate_result_must_be_json(runner: CliRunner, daprd: FakeDaprd) -> None:
    r = run(runner, daprd, "terminate", "a", "--result", "{")
    assert r.exit_code == 2 and daprd.requests == []


def test_raise_event_data_forms(runner: CliRunner, daprd: FakeDaprd, tmp_path) -> None:
    daprd.add("a")
    f = tmp_path / "d.json"
    f.write_text('{"approved": true}')
    assert run(runner, daprd, "raise-event", "a", "approval", "--data", "true").exit_code == 0
    assert run(runner, daprd, "raise-event", "a", "approval", "--data-file", str(f)).exit_code == 0
    r = run(runner, daprd, "raise-event", "a", "ev", "--data-file", "-", input="42")
    assert r.exit_code == 0
    assert run(runner, daprd, "raise-event", "a", "bare").exit_code == 0
    assert daprd.instances["a"].events == [
        ("approval", b"true"),
        ("approval", b'{"approved": true}'),
        ("ev", b"42"),
        ("bare", b""),
    ]


def test_raise_event_errors(runner: CliRunner, daprd: FakeDaprd) -> None:
    assert run(runner, daprd, "raise-event", "a", "x/y").exit_code == 2
    assert run(runner, daprd, "raise-event", "a", "e", "--data", "nope").exit_code == 2
    assert daprd.requests == []
    r = run(runner, daprd, "raise-event", "ghost", "e")
    assert r.exit_code == 3


def test_purge_one_and_conflict(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.add("done", status="COMPLETED")
    daprd.add("live", status="RUNNING")
    assert run(runner, daprd, "purge", "done").stdout == "done: purged\n"
    r = run(runner, daprd, "purge", "live")
    assert r.exit_code == 4 and "terminate it first" in r.stderr
    assert run(runner, daprd, "purge", "done").exit_code == 3


def test_purge_several_needs_yes_without_terminal(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.add("a", status="COMPLETED")
    daprd.add("b", status="COMPLETED")
    r = run(runner, daprd, "purge", "a", "b")
    assert r.exit_code == 2
    assert "--yes" in r.stderr and r.stderr.count("\n") == 1
    assert daprd.requests == []
    r = run(runner, daprd, "purge", "a", "b", "--yes")
    assert r.exit_code == 0 and daprd.instances == {}


def test_purge_argument_rules(runner: CliRunner, daprd: FakeDaprd) -> None:
    assert run(runner, daprd, "purge").exit_code == 2
    assert run(runner, daprd, "purge", "a", "--older-than", "1d").exit_code == 2
    assert run(runner, daprd, "purge", "a", "--dry-run").exit_code == 2
    assert run(runner, daprd, "purge", "--older-than", "1d", "--status", "DONE").exit_code == 2


# -- list / history / bulk purge: wfctl serve has them, daprd does not -----------------------


def test_list_history_bulk_purge_on_daprd_say_unsupported(
    runner: CliRunner, daprd: FakeDaprd
) -> None:
    for args in (["list"], ["history", "a"], ["purge", "--older-than", "1d", "--yes"]):
        r = run(runner, daprd, *args)
        assert r.exit_code == 2, args
        assert "the Dapr HTTP API has no" in r.stderr and "--embedded" in r.stderr


@pytest.fixture
def serve_like():
    with FakeDaprd(ext=True) as d:
        d.add("a", name="hello", status="COMPLETED")
        d.add("b", name="order", status="RUNNING")
        yield d


def test_list_formats(runner: CliRunner, serve_like: FakeDaprd) -> None:
    d = serve_like
    assert run(runner, d, "list", "-o", "ids").stdout == "b\na\n"
    table = run(runner, d, "list").stdout.splitlines()
    assert table[0].split() == ["NAME", "ID", "STATUS", "CUSTOM", "STATUS", "AGE"]
    assert table[1].split()[:3] == ["order", "b", "RUNNING"]
    wide = run(runner, d, "list", "-o", "wide").stdout.splitlines()
    assert "CREATED" in wide[0] and "FAILURE" in wide[0]
    assert "INPUT" in wide[0]  # this fake lists payloads (wfctl serve does not: tests/e2e)
    objs = json.loads(run(runner, d, "list", "-o", "json", "--status", "COMPLETED").stdout)
    assert [o["instanceID"] for o in objs] == ["a"]
    assert d.requests[-1].query == "status=COMPLETED"
    run(runner, d, "list", "--status", "running,suspended", "--name", "order", "--max-age", "1h")
    assert d.requests[-1].query == "status=RUNNING&status=SUSPENDED&name=order&maxAge=3600"
    assert run(runner, d, "status", "a", "-o", "ids").exit_code == 2


def test_history_table_and_json(runner: CliRunner, serve_like: FakeDaprd) -> None:
    d = serve_like
    rows = run(runner, d, "history", "a").stdout.splitlines()
    assert rows[0].split() == ["TYPE", "NAME", "EVENTID", "ELAPSED", "STATUS", "DETAILS"]
    # EVENTID is the Durable Task event id: blank where the event has none (-1).
    assert rows[1].split() == ["ExecutionStarted", "hello", "+0ms", "RUNNING", '{"a":1}']
    assert rows[2].split()[:3] == ["TaskScheduled", "act", "1"]
    assert rows[3].split() == ["TaskCompleted", "act", "+3s", "COMPLETED", '"ok"']
    events = json.loads(run(runner, d, "history", "a", "-o", "json").stdout)
    assert events[1] == {
        "eventId": 1,
        "type": "TaskScheduled",
        "timestamp": "2026-01-02T03:04:06.5Z",
        "name": "act",
        "taskId": 1,
        "details": "",
    }
    assert [e["eventId"] for e in events] == [-1, 1, -1]
    assert run(runner, d, "history", "zz").exit_code == 3


def test_bulk_purge(runner: CliRunner, serve_like: FakeDaprd) -> None:
    d = serve_like
    r = run(runner, d, "purge", "--older-than", "7d", "--dry-run")
    assert r.stdout == "a: would be purged\n1 instance(s) would be purged\n"
    assert "a" in d.instances
    r = run(runner, d, "purge", "--older-than", "7d")
    assert r.exit_code == 2 and "--yes" in r.stderr
    r = run(runner, d, "purge", "--older-than", "7d", "--yes", "-o", "json")
    assert json.loads(r.stdout) == {"instanceIDs": ["a"], "dryRun": False}
    assert "a" not in d.instances
    assert d.requests[-1].query == "olderThan=604800"
