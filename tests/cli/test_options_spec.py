"""The option spec (wfctl.options) is the one declaration of wfctl's options: the Typer app's
global options are generated from it, and every command's own declarations must equal it."""

from __future__ import annotations

import os
from typing import Any

import pytest
import typer

from wfctl.cli import _lean
from wfctl.cli.app import app
from wfctl.cli.parsing import PREFIX
from wfctl.options import GLOBAL_OPTIONS, KINDS, TYPES, Option
from wfctl.options.commands import COMMAND_OPTIONS


def _tree() -> dict[str, Any]:
    root = typer.main.get_command(app)
    out = {"": root}

    def walk(cmd: Any, path: str) -> None:
        for name, sub in getattr(cmd, "commands", {}).items():
            key = f"{path} {name}".strip()
            if getattr(sub, "commands", None):
                walk(sub, key)
            else:
                out[key] = sub

    walk(root, "")
    return out


def _declared(param: Any) -> dict[str, Any]:
    """What a click parameter declares, in the spec's terms."""
    if param.param_type_name == "argument":
        return {
            "name": param.name,
            "argument": True,
            "metavar": param.metavar,
            "help": param.help,
            "many": param.nargs == -1,
        }
    return {
        "name": param.name,
        "argument": False,
        "flags": tuple(param.opts),
        "off": param.secondary_opts[0] if param.secondary_opts else None,
        "flag": bool(param.is_flag),
        "list": bool(param.multiple),
        "metavar": param.metavar,
        "help": param.help,
    }


def _spec(opt: Option) -> dict[str, Any]:
    if opt.argument:
        return {
            "name": opt.name,
            "argument": True,
            "metavar": opt.metavar,
            "help": opt.help,
            "many": opt.many,
        }
    out = {
        "name": opt.name,
        "argument": False,
        "flags": opt.flags,
        "off": opt.off,
        "flag": opt.type == "flag",
        "list": opt.type == "list",
        "metavar": opt.metavar,
        "help": opt.help,
    }
    return out


def test_every_command_is_in_the_spec_and_nothing_else() -> None:
    commands = {k for k in _tree() if k and k not in ("config show", "workflows")}
    assert {k for k, v in COMMAND_OPTIONS.items() if v} <= commands
    # Commands with parameters must all be declared (config show, workflows take none).
    with_params = {
        k
        for k, cmd in _tree().items()
        if k and any(not p.name.startswith(PREFIX) for p in cmd.params)
    }
    assert with_params == set(COMMAND_OPTIONS)


@pytest.mark.parametrize("path", sorted(COMMAND_OPTIONS))
def test_a_commands_declarations_equal_the_spec(path: str) -> None:
    cmd = _tree()[path]
    got = [_declared(p) for p in cmd.params if not p.name.startswith(PREFIX)]
    want = [_spec(o) for o in COMMAND_OPTIONS[path]]
    assert got == want
    defaults = {p.name: p.default for p in cmd.params if p.param_type_name == "option"}
    for opt in COMMAND_OPTIONS[path]:
        if not opt.argument:
            assert defaults[opt.name] == opt.default, (path, opt.name)


def test_the_global_options_are_the_spec() -> None:
    root = _tree()[""]
    got = [_declared(p) for p in root.params]
    assert got == [_spec(o) for o in GLOBAL_OPTIONS]
    # Each global is None unless given: the settings resolver supplies the defaults.
    assert all(p.default is None for p in root.params)


def test_the_lean_tables_are_the_typer_apps_global_options() -> None:
    """The lean path parses globals without Typer: its tables must be the app's options."""
    root = _tree()[""]
    valued, flags = {}, {}
    for p in root.params:
        if p.name == "version":
            continue
        if p.is_flag:
            flags.update({n: (p.name, True) for n in p.opts})
            flags.update({n: (p.name, False) for n in p.secondary_opts})
        else:
            valued.update({n: p.name for n in p.opts})
    assert (valued, flags) == (_lean.VALUED, _lean.FLAGS)


def test_spec_entries_are_well_formed() -> None:
    entries = [*GLOBAL_OPTIONS, *(o for opts in COMMAND_OPTIONS.values() for o in opts)]
    for o in entries:
        assert o.type in TYPES and o.kind in KINDS, o
        assert o.help.endswith((".", ")")), o
        assert o.argument or all(f.startswith("-") for f in o.spellings), o
        assert (o.kind == "none") == (o.type == "flag"), o
        assert not o.choices or o.kind == "choice" or o.argument, o
    # A global named in the help of its env var really reads it (settings.sources).
    for o in GLOBAL_OPTIONS:
        for var in o.env:
            assert var in o.help, o


def test_a_new_global_option_is_one_entry_in_the_spec(tmp_path) -> None:
    """Adding a global option (the k8s work adds -n/--namespace and friends) is one entry in
    GLOBAL_OPTIONS: added there before anything else reads the spec, it is parsed by the
    Typer app (before and after the command) and by the lean path, resolved from a flag, a
    profile or its environment variable, shown by `config show`, and passed along by the
    completion fast path."""
    import json
    import subprocess
    import sys

    prelude = (
        "import sys, wfctl.options as o\n"
        "extra = o.Option('namespace', '--namespace', '-n', metavar='NS', env=('WFCTL_NS',),"
        " context=True, help='Kubernetes namespace [env WFCTL_NS].')\n"
        "o.GLOBAL_OPTIONS = (*o.GLOBAL_OPTIONS, extra)\n"
        "o.GLOBALS[extra.name] = extra\n"
    )
    check = prelude + (
        "from wfctl.cli import _lean\n"
        "from wfctl import _complete\n"
        "print(_lean.VALUED['-n'], _complete.parse_args(['instances', '-n', 'x']).secrets)\n"
        "from wfctl.cli.app import run\n"
        "sys.exit(run(sys.argv[1:]))\n"
    )
    cfg = tmp_path / "config.yaml"
    cfg.write_text("profiles:\n  k8s:\n    namespace: from-profile\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAPR_", "WFCTL_"))}

    def show(*argv: str, **extra_env: str) -> tuple[str, dict[str, Any]]:
        p = subprocess.run(
            [sys.executable, "-c", check, "--config", str(cfg), *argv, "-o", "json"],
            env={**env, **extra_env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert p.returncode == 0, p.stderr
        first, _, rest = p.stdout.partition("\n")
        return first, json.loads(rest)["namespace"]

    first, row = show("-n", "flag-ns", "config", "show")
    assert first == "namespace {'namespace': 'x'}"
    assert row == {"value": "flag-ns", "source": "flag --namespace"}
    assert show("config", "show", "--namespace", "late")[1]["value"] == "late"
    assert show("config", "show", WFCTL_NS="env-ns")[1] == {
        "value": "env-ns",
        "source": "env WFCTL_NS",
    }
    assert show("--profile", "k8s", "config", "show")[1]["value"] == "from-profile"
    assert show("config", "show")[1] == {"value": "", "source": "default"}


def test_docs_cli_lists_every_global_option_and_its_environment() -> None:
    """docs/cli.md's table of global options names each option of the spec (and each
    environment variable it reads), so the page cannot fall behind a new option."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    table = text.split("## Global options", 1)[1].split("\n## ", 1)[0]
    for opt in GLOBAL_OPTIONS:
        if opt.name == "version":
            continue
        for spelling in opt.spellings:
            assert f"`{spelling}" in table or f" {spelling}`" in table or f"{spelling} " in table, (
                spelling
            )
        for var in opt.env:
            assert var in table, (opt.name, var)
