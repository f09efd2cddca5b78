"""Deadlines CI scripts rely on, over real processes and misbehaving servers on 127.0.0.1:
``--request-timeout`` bounds a whole request, ``wait --timeout`` the whole wait, and polling
intervals have a floor. Only generous upper bounds on time: a loaded machine is slower."""

from __future__ import annotations

import json
import time

import pytest
from typer.testing import CliRunner

from tests.cli.rawservers import DripServer, LateServer, SilentServer, response
from tests.http.fakedaprd import FakeDaprd
from tests.http.fixtures import run_wfctl
from wfctl.cli.app import app

STATE = json.dumps(
    {"instanceID": "a", "workflowName": "wf", "runtimeStatus": "RUNNING", "properties": {}}
).encode()


def test_request_timeout_bounds_a_whole_dripping_answer() -> None:
    # 0.25 s a byte, ~150 bytes: ~40 s to finish; every single read is quick.
    with DripServer(response(STATE), every=0.25) as server:
        started = time.monotonic()
        p = run_wfctl("--url", server.url, "--request-timeout", "2s", "status", "a", timeout=60)
        took = time.monotonic() - started
    assert p.returncode == 5, p.stderr
    assert b"timed out after 2s" in p.stderr
    assert took < 15, took


def test_wait_timeout_bounds_a_request_in_flight() -> None:
    with SilentServer() as server:
        started = time.monotonic()
        p = run_wfctl("--url", server.url, "wait", "a", "--timeout", "3s", timeout=60)
        took = time.monotonic() - started
    assert p.returncode == 124, p.stderr
    assert p.stderr.startswith(b"Error: gave up on instance 'a' after 3s")
    assert took < 15, took  # the 30 s request timeout no longer applies


def test_wait_for_several_ids_stops_at_the_deadline() -> None:
    with SilentServer() as server:
        started = time.monotonic()
        p = run_wfctl("--url", server.url, "wait", "x", "y", "z", "--timeout", "2s", timeout=60)
        took = time.monotonic() - started
    assert p.returncode == 124, p.stderr
    assert p.stderr.count(b"\n") == 3 and b"'z' was not read before --timeout 2s" in p.stderr
    assert took < 15, took


def test_a_late_empty_answer_is_still_a_timeout() -> None:
    with LateServer(response(b"{}"), delay=6) as server:
        p = run_wfctl("--url", server.url, "wait", "a", "--timeout", "2s", timeout=60)
    assert p.returncode == 124, p.stderr


def test_wait_timeout_zero_still_reads_once(daprd: FakeDaprd, runner: CliRunner) -> None:
    daprd.add("done", status="COMPLETED")
    daprd.add("live", status="RUNNING")
    r = runner.invoke(app, ["--url", daprd.url, "wait", "done", "--timeout", "0"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["--url", daprd.url, "wait", "live", "--timeout", "0"])
    assert r.exit_code == 124, r.output


@pytest.mark.parametrize(
    "args",
    [
        ["status", "a", "--watch", "--interval", "0"],
        ["status", "a", "--watch", "--interval", "49ms"],
        ["wait", "a", "--interval", "0s"],
        ["start", "wf", "--wait", "--interval", "0"],
    ],
)
def test_polling_intervals_have_a_floor(
    runner: CliRunner, daprd: FakeDaprd, args: list[str]
) -> None:
    daprd.add("a")
    r = runner.invoke(app, ["--url", daprd.url, *args])
    assert r.exit_code == 2, r.output
    assert "--interval" in r.stderr and "minimum is 50ms" in r.stderr
    assert daprd.requests == []
