"""`wait` says at once when the instance's app is not loaded here; a missing --app file is an
error for every command; one wait-timeout message on every backend."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.http.fixtures import run_wfctl
from wfctl.cli.app import app

GREET = textwrap.dedent(
    """
    from datetime import timedelta

    import wfctl.workflow as wf

    wfr = wf.WorkflowRuntime()

    @wfr.workflow(name="greet")
    def greet(ctx, name):
        yield ctx.create_timer(timedelta(hours=1))
        return f"hi {name}"
    """
)


def test_wait_names_the_app_that_runs_the_instance(tmp_path: Path) -> None:
    (tmp_path / "greet.py").write_text(GREET)
    db = str(tmp_path / "g.db")
    env = {"XDG_DATA_HOME": str(tmp_path), "WFCTL_EMBEDDED": "", "WFCTL_APP": ""}
    r = run_wfctl("--embedded", "--db", db, "--app", str(tmp_path / "greet.py"), "--detach",
                  "start", "greet", "--id", "g1", env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = run_wfctl("--embedded", "--db", db, "wait", "g1", "--timeout", "200ms", env=env)
    assert r.returncode == 124
    lines = r.stderr.decode().splitlines()
    assert lines[0].startswith("Note: instance 'g1' belongs to app "), lines
    assert "greet.py" in lines[0] and "`--app " in lines[0] and "runs it here" in lines[0]
    assert lines[1] == "Error: instance 'g1' has not finished after 0.2s (it is PENDING)"


@pytest.mark.parametrize(
    "argv", [["list"], ["status", "x"], ["history", "x"], ["wait", "x"], ["purge", "x"]]
)
def test_a_missing_app_file_is_an_error_for_every_command(tmp_path: Path, argv: list[str]) -> None:
    r = CliRunner().invoke(
        app, ["--embedded", "--db", str(tmp_path / "x.db"), "--app", "nope/greet.py", *argv]
    )
    assert r.exit_code == 9, r.stdout
    assert r.stderr == "Error: app file not found: nope/greet.py; check the --app path\n"
