"""Global options parse like any CLI's (click parses them before and after the command), an
explicit --url beats WFCTL_EMBEDDED from the environment, and help shows no Python types."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.http.fakedaprd import FakeDaprd
from wfctl.cli.app import app


def invoke(runner: CliRunner, *args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.mark.parametrize(
    "argv",
    [
        ["status", "a1", "-qo", "json"],  # bundled short flags after the command
        ["status", "a1", "-q", "-o", "json"],
        ["status", "a1", "--output=json"],
        ["-o", "json", "status", "a1"],
        ["-qojson", "status", "a1"],
        ["--output=yaml", "status", "a1", "-o", "json"],  # the later one wins
        ["status", "--", "a1"],  # "--" ends options; a1 is the ID
    ],
)
def test_global_options_before_and_after_the_command(
    runner: CliRunner, daprd: FakeDaprd, argv: list[str]
) -> None:
    daprd.add("a1", status="COMPLETED")
    r = invoke(runner, "--url", daprd.url, *argv)
    assert r.exit_code == 0, r.stderr
    if "json" in " ".join(argv):
        assert json.loads(r.stdout)["instanceID"] == "a1"


def test_url_written_after_the_command(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.add("a1", status="COMPLETED")
    r = invoke(runner, "status", "a1", f"--url={daprd.url}", "-o", "yaml")
    assert r.exit_code == 0, r.stderr
    assert yaml.safe_load(r.stdout)["runtimeStatus"] == "COMPLETED"


def test_double_dash_makes_an_option_like_word_an_id(runner: CliRunner, daprd: FakeDaprd) -> None:
    r = invoke(runner, "--url", daprd.url, "status", "--", "-q")
    # "-q" after "--" is an instance ID (looked up, not found), never the quiet flag
    assert r.exit_code == 3 and "'-q'" in r.stderr, r.stderr
    assert daprd.requests[-1].path.endswith("/-q")


def test_an_unknown_option_after_the_command_is_a_usage_error(runner: CliRunner) -> None:
    r = invoke(runner, "status", "a1", "--bogus")
    assert r.exit_code == 2 and "No such option" in r.stderr and "--bogus" in r.stderr


def test_exec_keeps_everything_after_the_app_for_the_app(tmp_path: Path) -> None:
    script = tmp_path / "echo_args.py"
    out = tmp_path / "args.json"
    code = f"open({str(out)!r}, 'w').write(json.dumps(sys.argv[1:]))"
    script.write_text("import json, sys\n" + code + "\n")
    from tests.http.fixtures import run_wfctl

    db = str(tmp_path / "x.db")
    p = run_wfctl("exec", "--db", db, str(script), "-o", "json", "--url=x", "--", "-q")
    assert p.returncode == 0, p.stderr
    assert json.loads(out.read_text()) == ["-o", "json", "--url=x", "--", "-q"]


# -- precedence ---------------------------------------------------------------------------


def test_url_flag_beats_embedded_from_the_environment(
    runner: CliRunner, daprd: FakeDaprd, tmp_path: Path
) -> None:
    daprd.add("a1", status="COMPLETED")
    env = {"WFCTL_EMBEDDED": "1", "WFCTL_DB": str(tmp_path / "local.db")}
    r = invoke(runner, "status", "a1", "--url", daprd.url, "-o", "json", env=env)
    assert r.exit_code == 0, r.stderr  # the sidecar has a1; the local file does not
    assert any(req.path.endswith("/a1") for req in daprd.requests)
    r = invoke(runner, "--url", daprd.url, "config", "show", env=env)
    assert r.exit_code == 0
    row = next(line for line in r.stdout.splitlines() if line.startswith("embedded"))
    assert "false" in row and "flag --url" in row
    assert "Note:" in r.stderr and "WFCTL_EMBEDDED" in r.stderr and "--url wins" in r.stderr


def test_no_embedded_turns_the_environment_off(runner: CliRunner, daprd: FakeDaprd) -> None:
    daprd.add("a1", status="COMPLETED")
    env = {"WFCTL_EMBEDDED": "1", "DAPR_HTTP_ENDPOINT": daprd.url}
    r = invoke(runner, "status", "a1", "--no-embedded", env=env)
    assert r.exit_code == 0, r.stderr
    assert daprd.requests


def test_config_show_points_out_an_ignored_url(runner: CliRunner) -> None:
    env = {"WFCTL_EMBEDDED": "1", "DAPR_HTTP_ENDPOINT": "http://127.0.0.1:1"}
    r = invoke(runner, "config", "show", env=env)
    assert r.exit_code == 0
    assert "url from env DAPR_HTTP_ENDPOINT is ignored" in r.stderr
    assert "--no-embedded" in r.stderr


def test_embedded_flag_still_beats_a_url_from_the_environment(
    runner: CliRunner, tmp_path: Path
) -> None:
    env = {"DAPR_HTTP_ENDPOINT": "http://127.0.0.1:1"}
    r = invoke(runner, "--embedded", "--db", str(tmp_path / "x.db"), "list", env=env)
    assert r.exit_code == 0, r.stderr


# -- help ---------------------------------------------------------------------------------

COMMANDS = [
    "start", "status", "wait", "pause", "resume", "terminate", "raise-event", "purge", "list",
    "history", "exec", "worker", "serve", "completion", "config", "config show",
    "config init", "config set-profile", "config use", "workflows", "rerun",
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_no_python_types(runner: CliRunner, command: str) -> None:
    r = invoke(runner, *command.split(), "--help")
    assert r.exit_code == 0
    usage = r.stdout.splitlines()[0]
    assert "{" not in usage, usage
    for bad in ("<str>", "<int>", "<list[", "<bool>", "<float>"):
        assert bad not in r.stdout, (command, r.stdout)


def test_command_summaries_are_never_cut(runner: CliRunner) -> None:
    r = invoke(runner, "--help", env={"COLUMNS": "200"})
    assert r.exit_code == 0
    section = r.stdout.split("Commands:", 1)[1]
    assert "..." not in section
    words = " ".join(section.split())
    assert "(embedded engine or `wfctl serve`; a sidecar cannot)" in words


def test_completion_fast_path_follows_the_same_precedence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from wfctl import _complete

    monkeypatch.setenv("WFCTL_EMBEDDED", "1")
    monkeypatch.setenv("WFCTL_DB", str(tmp_path / "x.db"))
    req = _complete.parse_args(["instances", "--url", "http://127.0.0.1:9"])
    assert _complete.resolve(req) == ("http", "http://127.0.0.1:9")
    monkeypatch.setenv("DAPR_HTTP_ENDPOINT", "http://127.0.0.1:8")
    req = _complete.parse_args(["instances", "--no-embedded"])
    assert _complete.resolve(req) == ("http", "http://127.0.0.1:8")
