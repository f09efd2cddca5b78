"""Hostile data from a server or a store: control characters never reach the terminal raw
(JSON and YAML stay exact), over-deep JSON is refused on the way in and survives on the way
out, and an answer of the wrong shape is exit 7 "unexpected answer", never a bug."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.http.fakedaprd import FakeDaprd
from tests.http.fixtures import run_wfctl
from wfctl.cli.app import app
from wfctl.model import FailureDetails, RuntimeStatus, WorkflowState
from wfctl.render import Output, state_fields

# What a hostile server may put in any string: retitle the window, clear the screen, ring the
# bell, an 8-bit CSI, a bidi override, a line separator, a newline (a fake second line).
EVIL = "x\x1b]0;pwned\x07\x1b[2J\x9b31m\u202egnp.exe\u2028y\nINJECTED"
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\u2028")


def _state_body(iid: str = "a", **over: object) -> dict:
    body: dict = {
        "instanceID": iid,
        "workflowName": "wf" + EVIL,
        "createdAt": "2026-01-02T03:04:05Z",
        "lastUpdatedAt": "2026-01-02T03:04:06Z",
        "runtimeStatus": "FAILED",
        "properties": {
            "dapr.workflow.custom_status": json.dumps({"step": EVIL}),
            "dapr.workflow.input": json.dumps(EVIL),
            "dapr.workflow.failure.error_type": "Err" + EVIL,
            "dapr.workflow.failure.error_message": "failed: " + EVIL,
        },
    }
    body.update(over)
    return body


def _answer(daprd: FakeDaprd, route: Callable[[str], bytes | None]) -> None:
    """Make ``daprd`` answer 200 with ``route(path)`` where it gives bytes."""
    normal = daprd.handle

    def handle(method: str, raw_path: str, query: str, body: bytes, token: str | None):
        got = route(raw_path)
        if got is not None:
            with daprd.lock:
                return 200, "application/json", got
        return normal(method, raw_path, query, body, token)

    daprd.handle = handle  # type: ignore[method-assign]


def _no_raw(text: str) -> None:
    for c in RAW:
        assert c not in text, (c, text)


# -- control characters ---------------------------------------------------------------------


def test_status_text_escapes_everything_a_server_sent(daprd: FakeDaprd) -> None:
    _answer(daprd, lambda p: json.dumps(_state_body()).encode() if p.endswith("/a") else None)
    p = run_wfctl("--url", daprd.url, "status", "a")
    out = p.stdout.decode()
    _no_raw(out)
    assert "\\x1b]0;pwned\\x07" in out and "\\u202e" in out
    assert "INJECTED" in out and "\nINJECTED" not in out  # no line of the server's making
    assert p.returncode == 0


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_json_and_yaml_stay_exact_and_inert(daprd: FakeDaprd, fmt: str) -> None:
    body = _state_body(
        properties={"dapr.workflow.output": EVIL + "\x85\x7f\ud800"}  # NEL, DEL, a lone half
    )
    _answer(daprd, lambda p: json.dumps(body).encode() if p.endswith("/a") else None)
    p = run_wfctl("--url", daprd.url, "status", "a", "-o", fmt)
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode()
    _no_raw(out)
    assert "\x85" not in out and "\x7f" not in out
    parsed = json.loads(out) if fmt == "json" else yaml.safe_load(out)
    assert parsed["workflowName"] == body["workflowName"]
    assert parsed["properties"]["dapr.workflow.output"] == EVIL + "\x85\x7f\ud800"


def test_error_messages_escape_server_text(daprd: FakeDaprd) -> None:
    daprd.faults.append((500, json.dumps({"errorCode": "ERR_X", "message": EVIL}).encode()))
    p = run_wfctl("--url", daprd.url, "status", "a")
    assert p.returncode == 7
    err = p.stderr.decode()
    _no_raw(err)
    assert err.count("\n") == 1 and "\\x1b[2J" in err


def test_list_history_and_ids_escape_names(runner: CliRunner) -> None:
    with FakeDaprd(ext=True) as d:
        d.add("a\nfake-id", name="wf" + EVIL, status="FAILED", custom_status=json.dumps(EVIL))
        events = {
            "events": [
                {"eventId": 0, "type": "EventRaised" + EVIL, "name": EVIL, "details": EVIL},
            ]
        }
        _answer(d, lambda p: json.dumps(events).encode() if p.endswith("/history") else None)
        for args in (["list"], ["list", "-o", "wide"], ["list", "-o", "ids"], ["history", "a"]):
            p = run_wfctl("--url", d.url, *args)
            assert p.returncode == 0, (args, p.stderr)
            _no_raw(p.stdout.decode())
        ids = run_wfctl("--url", d.url, "list", "-o", "ids").stdout.decode()
        assert ids == "a\\x0afake-id\n"  # one line per instance, whatever the ID holds


def test_terminal_rendering_escapes_too() -> None:
    state = WorkflowState(
        "a" + EVIL,
        "wf" + EVIL,
        RuntimeStatus.FAILED,
        serialized_custom_status=json.dumps(EVIL),
        failure=FailureDetails("E" + EVIL, EVIL),
    )
    buf = io.StringIO()
    out = Output(buf, tty=True, color=True, width=200)
    out.fields([state_fields(state)])
    out.table(["NAME", "ID"], [[state.name, state.instance_id]])
    with out.live_fields() as screen:
        screen.update([state_fields(state)])
    text = buf.getvalue()
    for bad in ("\x1b]", "\x07", "\x1b[2J", "\x9b", "\u202e", "\u2028"):
        assert bad not in text, bad
    assert "\\x1b]0;pwned" in text


# -- deeply nested JSON ---------------------------------------------------------------------

DEEP = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize(
    "args",
    [
        ["start", "wf", "--input", DEEP],
        ["raise-event", "a", "ev", "--data", DEEP],
        ["terminate", "a", "--result", DEEP],
    ],
)
def test_over_deep_json_input_is_a_usage_error(
    runner: CliRunner, daprd: FakeDaprd, args: list[str]
) -> None:
    r = runner.invoke(app, ["--url", daprd.url, *args])
    assert r.exit_code == 2, r.output
    assert "more than 64 levels deep" in r.stderr
    assert daprd.requests == []


def test_over_deep_json_input_file_is_a_usage_error(
    runner: CliRunner, daprd: FakeDaprd, tmp_path: Path
) -> None:
    f = tmp_path / "in.json"
    f.write_text('{"a":' * 5000 + "1" + "}" * 5000)
    r = runner.invoke(app, ["--url", daprd.url, "start", "wf", "--input-file", str(f)])
    assert r.exit_code == 2 and "levels deep" in r.stderr, r.output


def test_over_deep_config_yaml_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("profiles:\n  p:\n    url: " + "[" * 1000 + "]" * 1000 + "\n")
    r = runner.invoke(app, ["--config", str(cfg), "config", "show"])
    assert r.exit_code == 2, r.output
    assert "nests more than 64 levels deep" in r.stderr


def test_a_deep_stored_output_is_shown_not_a_crash(daprd: FakeDaprd) -> None:
    deep_out = "[" * 100_000 + "]" * 100_000
    body = _state_body(properties={"dapr.workflow.output": deep_out}, runtimeStatus="COMPLETED")
    _answer(daprd, lambda p: json.dumps(body).encode() if p.endswith("/a") else None)
    for fmt in ("table", "json", "yaml"):
        p = run_wfctl("--url", daprd.url, "status", "a", "-o", fmt)
        assert p.returncode == 0, (fmt, p.stderr[-300:])


def test_a_deep_answer_is_an_unexpected_answer(daprd: FakeDaprd) -> None:
    _answer(daprd, lambda p: ('{"x":' * 100_000 + "1" + "}" * 100_000).encode())
    p = run_wfctl("--url", daprd.url, "status", "a")
    assert p.returncode == 7, p.stderr
    assert b"unexpected answer from" in p.stderr and b"Traceback" not in p.stderr


# -- answers of the wrong shape -------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"runtimeStatus": ["x"]}',
        b"{}",
        b"[]",
        b'"RUNNING"',
        b"<html><body>Welcome to nginx!</body></html>",
        b'{"instanceID": 5, "runtimeStatus": "RUNNING"}',
        b'{"instanceID": "a", "runtimeStatus": "RUNNING", "properties": []}',
        b'{"instanceID": "a", "runtimeStatus": "RUNNING", "properties": {"p": {"q": 1}}}',
        b'{"instanceID": "a", "runtimeStatus": "RUNNING", "createdAt": 17}',
        b"\xff\xfe not UTF-8",
    ],
)
def test_a_200_of_the_wrong_shape_is_exit_7(
    runner: CliRunner, daprd: FakeDaprd, body: bytes
) -> None:
    _answer(daprd, lambda p: body if p.endswith("/a") else None)
    for cmd in (["status", "a"], ["wait", "a", "--timeout", "5s"]):
        r = runner.invoke(app, ["--url", daprd.url, *cmd])
        assert r.exit_code == 7, (cmd, r.output)
        assert r.stderr.startswith(f"Error: unexpected answer from {daprd.url} (200): ")
        assert r.stderr.count("\n") == 1


def test_several_ids_end_with_the_first_failing_ones_code(
    runner: CliRunner, daprd: FakeDaprd
) -> None:
    daprd.add("good", status="COMPLETED")
    daprd.add("late", status="COMPLETED")
    _answer(daprd, lambda p: b'{"runtimeStatus": ["x"]}' if p.endswith("/bad") else None)
    r = runner.invoke(app, ["--url", daprd.url, "status", "good", "bad", "ghost", "late"])
    assert r.exit_code == 7, r.output
    assert "good" in r.stdout and "late" in r.stdout
    r = runner.invoke(app, ["--url", daprd.url, "wait", "good", "ghost", "bad"])
    assert r.exit_code == 3, r.output


@pytest.mark.parametrize(
    ("route", "body", "cmd"),
    [
        ("/wfctl/v1/instances", b'{"instances": {"a": 1}}', ["list"]),
        ("/wfctl/v1/instances", b'{"instances": [{}]}', ["list"]),
        ("/wfctl/v1/instances", b"{}", ["list"]),
        ("/history", b'{"events": [{"eventId": "zero"}]}', ["history", "a"]),
        ("/history", b'{"events": [{"taskId": [1]}]}', ["history", "a"]),
        ("/history", b'{"events": [{"timestamp": "2026-13-45T99:00:00Z"}], "x": 1}', None),
        ("/wfctl/v1/purge", b'{"instanceIDs": [1, 2]}', ["purge", "--older-than", "1d", "-y"]),
    ],
)
def test_extension_routes_of_the_wrong_shape_are_exit_7(
    runner: CliRunner, route: str, body: bytes, cmd: list[str] | None
) -> None:
    with FakeDaprd(ext=True) as d:
        d.add("a")
        _answer(d, lambda p: body if p.endswith(route) else None)
        r = runner.invoke(app, ["--url", d.url, *(cmd or ["history", "a"])])
        if cmd is None:  # an impossible date reads as no date, like any unreadable one
            assert r.exit_code == 0, r.output
            return
        assert r.exit_code == 7, r.output
        assert "unexpected answer from" in r.stderr
