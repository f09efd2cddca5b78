"""start and status through CliRunner and through real `wfctl` processes, against a fake daprd."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.http.fakedaprd import FakeDaprd
from tests.http.fixtures import run_wfctl
from wfctl.cli.app import app


def invoke(runner: CliRunner, *args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


@pytest.mark.parametrize("version", ["v1.0-beta1", "v1.0"])
def test_start_sends_exact_request(runner: CliRunner, daprd: FakeDaprd, version: str) -> None:
    r = invoke(
        runner,
        "--url",
        daprd.url,
        "--api-version",
        version,
        "start",
        "order wf",
        "--id",
        "order-1",
        "--input",
        '{"Name": "Paperclips"}',
        "-q",
    )
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "order-1\n"
    [req] = daprd.requests
    assert req.method == "POST"
    assert req.path == f"/{version}/workflows/dapr/order%20wf/start"
    assert req.query == "instanceID=order-1"
    assert req.body == b'{"Name": "Paperclips"}'
    assert req.token is None


def test_start_without_id_makes_a_uuid(runner: CliRunner, daprd: FakeDaprd) -> None:
    r = invoke(runner, "--url", daprd.url, "start", "wf", "-q")
    assert r.exit_code == 0
    iid = r.stdout.strip()
    assert len(iid) == 36 and iid == iid.lower()
    assert daprd.requests[0].query == f"instanceID={iid}"
    assert daprd.requests[0].body == b""


def test_status_json_is_daprs_object(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.add("abc", name="hello", status="COMPLETED", input='"world"')
    r = invoke(runner, "status", "abc", "-o", "json", "--url", daprd.url)
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout) == {
        "instanceID": "abc",
        "workflowName": "hello",
        "createdAt": "2026-01-02T03:04:05.123456Z",
        "lastUpdatedAt": "2026-01-02T03:04:06Z",
        "runtimeStatus": "COMPLETED",
        "properties": {"dapr.workflow.input": '"world"', "dapr.workflow.output": '"world"'},
    }
    assert [(q.method, q.path) for q in daprd.requests] == [
        ("GET", "/v1.0-beta1/workflows/dapr/abc")
    ]


def test_status_table_plain_when_not_a_terminal(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.add("abc", name="hello", status="FAILED", input='{"x":  1}')
    r = invoke(runner, "--url", daprd.url, "status", "abc")
    assert r.exit_code == 0
    fields = dict(line.split(":", 1) for line in r.stdout.splitlines())
    fields = {k: v.strip() for k, v in fields.items()}
    assert list(fields)[:3] == ["Instance", "Workflow", "Status"]
    assert fields["Instance"] == "abc"
    assert fields["Status"] == "FAILED"
    assert fields["Input"] == '{"x":1}'
    assert fields["Failure"] == "ValueError: boom second line"
    assert fields["Created"] == "2026-01-02 03:04:05 UTC"
    assert "\x1b[" not in r.stdout


@pytest.mark.parametrize("status", ["RUNNING", "PENDING"])
def test_status_table_of_an_unfinished_instance_asks_daprd_once(
    runner: CliRunner, daprd: FakeDaprd, status: str
) -> None:
    """The "Waiting for" row needs serve's history route: against daprd (known from the GET's
    answer, which lacks serve's wfctl-api header) no /wfctl/v1 request follows, not one 404."""
    daprd.add("abc", name="hello", status=status)
    r = invoke(runner, "--url", daprd.url, "status", "abc")
    assert r.exit_code == 0, r.stderr
    assert "Waiting for" not in r.stdout
    assert [(q.method, q.path) for q in daprd.requests] == [
        ("GET", "/v1.0-beta1/workflows/dapr/abc")
    ]


def test_status_not_found_exit_3(runner: CliRunner, daprd: FakeDaprd) -> None:
    r = invoke(runner, "--url", daprd.url, "status", "nope")
    assert r.exit_code == 3
    assert r.stdout == ""
    assert r.stderr == f"Error: no workflow instance 'nope' at {daprd.url}\n"


def test_real_process_start_and_status(daprd: FakeDaprd) -> None:
    p = run_wfctl("start", "wf", "--id", "p1", "--input", '"x"', "-q", "--url", daprd.url)
    assert (p.returncode, p.stdout, p.stderr) == (0, b"p1\n", b"")
    p = run_wfctl("-o", "json", "--url", daprd.url, "status", "p1")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["runtimeStatus"] == "RUNNING"
    assert daprd.requests[0].body == b'"x"'
