"""Changes to finished instances say what happened: terminate leaves one alone (exit 0);
pause, resume and raise-event refuse with exit 4 naming its status — on a plain sidecar (one
GET first) and on the embedded engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.http.fakedaprd import FakeDaprd
from wfctl.cli.app import app


def invoke(runner: CliRunner, *args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_terminate_of_a_finished_instance_leaves_it_alone(
    runner: CliRunner, daprd: FakeDaprd
) -> None:
    daprd.add("done", status="COMPLETED")
    r = invoke(runner, "--url", daprd.url, "terminate", "done")
    assert (r.exit_code, r.stdout) == (0, "done: already COMPLETED, left alone\n"), r.stderr
    assert [(q.method, q.path.rsplit("/", 1)[-1]) for q in daprd.requests] == [("GET", "done")]


@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (["pause", "gone"], "not suspended"),
        (["suspend", "gone"], "not suspended"),
        (["resume", "gone"], "not resumed"),
        (["raise-event", "gone", "approval", "--data", "1"], "the event was not delivered"),
    ],
)
def test_changes_to_a_finished_instance_are_refused(
    runner: CliRunner, daprd: FakeDaprd, argv: list[str], what: str
) -> None:
    daprd.add("gone", status="TERMINATED")
    r = invoke(runner, "--url", daprd.url, *argv)
    assert r.exit_code == 4, r.stdout
    assert r.stderr == f"Error: instance 'gone' is already TERMINATED: {what}\n"
    assert r.stdout == ""
    assert [q.method for q in daprd.requests] == ["GET"]  # nothing was sent


def test_terminate_of_several_prints_an_array_like_status(
    runner: CliRunner, daprd: FakeDaprd
) -> None:
    daprd.add("a")
    daprd.add("b", status="FAILED")
    r = invoke(runner, "--url", daprd.url, "terminate", "a", "b", "-o", "json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout) == [
        {"instanceID": "a", "result": "terminated"},
        {"instanceID": "b", "result": "already FAILED, left alone"},
    ]
    r = invoke(runner, "--url", daprd.url, "terminate", "a", "-o", "json")
    assert json.loads(r.stdout) == {"instanceID": "a", "result": "already TERMINATED, left alone"}


def test_several_with_one_finished_go_on_and_exit_with_the_first_failure(
    runner: CliRunner, daprd: FakeDaprd
) -> None:
    daprd.add("a", status="COMPLETED")
    daprd.add("b")
    r = invoke(runner, "--url", daprd.url, "pause", "a", "b")
    assert r.exit_code == 4
    assert r.stdout == "b: suspended\n"
    assert "'a' is already COMPLETED: not suspended" in r.stderr


def test_embedded_finished_instance(runner: CliRunner, tmp_path: Path) -> None:
    db = str(tmp_path / "f.db")
    base = ["--embedded", "--db", db]
    r = invoke(runner, *base, "start", "hello_world_wf", "--id", "h1", "--input", '"x"', "--wait")
    assert r.exit_code == 0, r.stderr
    r = invoke(runner, *base, "terminate", "h1")
    assert (r.exit_code, r.stdout) == (0, "h1: already COMPLETED, left alone\n")
    r = invoke(runner, *base, "raise-event", "h1", "approval")
    assert r.exit_code == 4
    assert "already COMPLETED: the event was not delivered" in r.stderr
    r = invoke(runner, *base, "pause", "h1")
    assert r.exit_code == 4 and "already COMPLETED" in r.stderr
    r = invoke(runner, *base, "status", "h1", "-q")
    assert r.stdout == "COMPLETED\n"
