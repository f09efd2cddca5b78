"""The generator: what it reads from the command tree, and that completions/ is current."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from tests.completion import fixture_app
from tests.completion.support import REPO
from wfctl.cli import refresh_completions
from wfctl.completion import generate
from wfctl.completion.spec import STATUS_VALUES, build_spec


@pytest.fixture(scope="module")
def real_spec():
    return build_spec(refresh_completions.root_command())


def _opt(node, name):
    return next(o for o in node.options if name in o.names)


def test_checked_in_completions_are_current(tmp_path) -> None:
    written = generate.write_completions(tmp_path, refresh_completions.root_command())
    stale = [
        p.name
        for p in written
        if not (REPO / "completions" / p.name).is_file()
        or (REPO / "completions" / p.name).read_text() != p.read_text()
    ]
    assert not stale, (
        f"completions/{', '.join(stale)} no longer match the CLI: "
        f"run `{generate.REFRESH_COMMAND}` and commit the result"
    )


def test_generator_module_writes_three_files(tmp_path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "wfctl.cli.refresh_completions", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_wfctl", "wfctl.bash", "wfctl.fish"]


def test_real_tree_kinds(real_spec) -> None:
    root = real_spec
    assert {"start", "status", "pause", "suspend", "raise-event", "wait", "config"} <= set(
        root.commands
    )
    assert _opt(root, "-o").choices[:1] == ["table"] and "json" in _opt(root, "-o").choices
    assert _opt(root, "--api-version").choices == ["v1.0-beta1", "v1.0"]
    for name in ("--db", "--config", "--api-token-file", "--ca-cert"):
        assert _opt(root, name).kind == "file", name
    assert _opt(root, "--request-timeout").kind == "duration"
    assert _opt(root, "--embedded").kind == "none"
    start = root.commands["start"]
    assert start.args[0].kind == "workflow"
    assert _opt(start, "--input-file").kind == "file"
    assert _opt(start, "--id").kind == "plain"  # a new ID: nothing to offer
    assert _opt(start, "--timeout").kind == "duration"
    assert root.commands["status"].args[0].kind == "instance"
    assert root.commands["status"].args[0].many
    assert [a.kind for a in root.commands["raise-event"].args] == ["instance", "event"]
    assert _opt(root.commands["raise-event"], "--data-file").kind == "file"
    assert _opt(root.commands["wait"], "--for").choices == ["start", "completion"]
    if "list" in root.commands:
        assert _opt(root.commands["list"], "--status").choices == list(STATUS_VALUES)
    if "exec" in root.commands:
        assert root.commands["exec"].raw_after == 1
        assert all(a.kind == "file" for a in root.commands["exec"].args)


def test_typed_parameters_of_a_typer_app() -> None:
    root = build_spec(typer.main.get_command(fixture_app.app))
    assert _opt(root, "--output").choices == ["table", "json", "yaml"]  # an Enum
    assert _opt(root, "--db").kind == "file"  # a Path
    assert _opt(root.commands["wait"], "--for").choices == ["start", "completion"]
    assert "show" in root.commands["config"].commands
    assert "--help" in _opt(root, "--help").names


@pytest.mark.parametrize("shell", generate.SHELLS)
def test_scripts_name_every_command_and_option(real_spec, shell) -> None:
    text = generate.render(shell, refresh_completions.root_command())
    for node in real_spec.walk():
        for name in node.commands:
            assert name in text
        for o in node.options:
            for n in o.names:
                spelled = n if shell != "fish" else n.lstrip("-")
                assert spelled in text, (shell, n)


def test_completion_command_prints_the_scripts() -> None:
    app = typer.Typer(add_completion=False)

    @app.command()
    def start(name: str) -> None:
        """Start."""

    from wfctl.cli.completion import register

    register(app)
    runner = CliRunner()
    for shell in generate.SHELLS:
        result = runner.invoke(app, ["completion", shell], catch_exceptions=False)
        assert result.exit_code == 0
        assert result.output == generate.render(shell, typer.main.get_command(app))
    assert "completion" in runner.invoke(app, ["completion", "bash"]).output
    assert runner.invoke(app, ["completion", "tcsh"]).exit_code == 2


def test_help_lines_are_short_and_single() -> None:
    from wfctl.completion.spec import _first_line

    assert _first_line("Do it.\n\nMore text.") == "Do it"
    assert _first_line("A (b c d e f g h i j k l m n o p q r s t u v w x y z) " * 3, 40) == "A"
    assert "\n" not in _first_line("one\ntwo")


def test_no_command_offers_an_option_twice() -> None:
    """A command's own option that shares a global's name (config set-profile's
    --insecure/--verify) replaces the global in what TAB offers."""
    from wfctl.completion.spec import all_options

    root = build_spec(refresh_completions.root_command())
    for node in root.walk():
        names = [n for o in all_options(root, node) for n in o.names]
        assert len(names) == len(set(names)), (node.path, sorted(names))
