"""Fuzz the command line: whatever the words, wfctl answers with a documented exit code and
at most a one-line error, never a traceback (the embedded backend, so no network).

In process, on one command tree (see ``run``). ``WFCTL_FUZZ_EXAMPLES=N`` sets how many
argv the Hypothesis test draws (200 by default; e.g. 5000 for a long run before a release).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfctl.model import ExitCode

COMMANDS = [
    "start",
    "status",
    "pause",
    "suspend",
    "resume",
    "terminate",
    "raise-event",
    "purge",
    "list",
    "history",
    "config show",
    "completion",
]  # fmt: skip  (none that block: no wait, exec, worker, serve)
BLOCKING = {"--wait", "--watch", "-w", "--input-file", "--data-file"}  # block or read stdin
VALUES = [
    "json", "yaml", "table", "wide", "ids", "xml", "bash", "v1.0", "v9", "COMPLETED",
    "RUNNING", "nope", "hello_world_wf", "OrderProcessingWorkflow", "x", "a/b", "..", "p:0001",
    "{", "[1,", '"s"', "5q", "-1", "0", "1h30m", "2030-01-01T00:00:00Z", "yesterday", "",
    "é" * 40, "\x01", "approval", "/nonexistent/file", "10000000000000000000000", "--bogus",
]  # fmt: skip


@functools.cache
def _wfctl() -> Any:
    """The click command tree ``wfctl.cli.app.run`` builds on every call, built once: Typer
    takes ~25 ms to build it (4/5 of a case), and the tree is made to be reused (the
    global options it grafts on and the fast coercion are idempotent)."""
    import typer

    from wfctl.cli.app import app

    return typer.main.get_command(app)


def run(argv: list[str]) -> int:
    """``wfctl.cli.app.run(argv)`` on the tree built once."""
    return int(_wfctl().main(args=argv, prog_name="wfctl", standalone_mode=False) or 0)


def _command(command: str) -> Any:
    cmd = _wfctl()
    for part in command.split():
        cmd = cmd.commands[part]  # type: ignore[attr-defined]
    return cmd


def _options(command: str, *, valued: bool = False) -> list[str]:
    params = _command(command).params
    return [
        p.opts[0]
        for p in params
        if p.param_type_name == "option"
        and p.opts[0] not in BLOCKING
        and not (valued and p.is_flag)
    ]


@st.composite
def argvs(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(COMMANDS))
    words = command.split()
    opts = _options(command) + ["-o", "--api-version", "--drive", "--profile", "-q"]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 2))
        if kind == 0:
            words.append(draw(st.sampled_from(VALUES)))  # a positional argument
        else:
            words.append(draw(st.sampled_from(opts)))
            if kind == 2:
                words.append(draw(st.sampled_from(VALUES)))
    return words


DOCUMENTED = {int(c) for c in ExitCode} - {int(ExitCode.INTERNAL)}


def check(argv_tail: list[str], tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    argv = ["--embedded", "--db", str(tmp_path / "fuzz.db"), "--detach", *argv_tail]
    try:
        code = run(argv)
    except SystemExit as exc:  # click's --help paths
        code = exc.code if isinstance(exc.code, int) else 0
    out, err = capfd.readouterr()
    assert "Traceback" not in err and "Traceback" not in out, (argv, err)
    assert code in DOCUMENTED, (argv, code, err)
    if code != 0:
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines, (argv, code, "an error exit printed nothing on stderr")
        assert lines[0].startswith(("Error:", "Note:")), (argv, err)


@pytest.fixture
def private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    for name in ("WFCTL_PROFILE", "WFCTL_CONFIG", "WFCTL_APP", "DAPR_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_every_option_of_every_command_with_every_odd_value(
    private_env: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    for command in COMMANDS:
        positional = ["x", "approval"][: 2 if command == "raise-event" else 1]
        if command in ("start",):
            positional = ["hello_world_wf"]
        if command in ("list", "config show", "completion"):
            positional = ["bash"] if command == "completion" else []
        for option in _options(command, valued=True) + ["-o", "--api-version", "--drive"]:
            for value in VALUES:
                check([*command.split(), *positional, option, value], private_env, capfd)


def test_the_tree_built_once_answers_as_a_fresh_one(
    private_env: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """What the speed-up above relies on: after many runs, the shared tree answers each
    command (its usage errors, its odd values, its success) as ``run`` does on a new one."""
    from wfctl.cli.app import run as fresh

    for command in COMMANDS:
        for tail in (["--bogus"], ["-o", "xml"], ["--api-version", "v9"], []):
            argv = ["--embedded", "--db", str(private_env / "same.db"), "--detach"]
            argv += [*command.split(), *tail]
            answers = []
            for invoke in (run, fresh):
                try:
                    code = invoke(argv)
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 0
                out, err = capfd.readouterr()
                answers.append((code, err, "" if command == "start" else out))
            assert answers[0] == answers[1], argv


@settings(
    max_examples=int(os.environ.get("WFCTL_FUZZ_EXAMPLES") or 200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(words=argvs())
def test_any_argv_gets_a_documented_exit_code_and_no_traceback(
    words: list[str], private_env: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    check(words, private_env, capfd)
