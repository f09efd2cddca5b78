"""The lean path: ``wfctl [GLOBALS] status ID... -o json|yaml [GLOBALS]`` without Typer.

Scripts and CI poll ``status -o json`` in loops, where start-up is most of the cost and Typer
(with its copy of click) is a third of it. :func:`run` takes exactly that shape of command
line — global options (:data:`wfctl.options.GLOBAL_OPTIONS`), written before or after the
command, the command ``status``, instance IDs, and an explicit ``-o json``/``-o yaml`` — and
runs the same code as the Typer command (:func:`wfctl.cli.show.show_status`) behind the same error
boundary (:func:`wfctl.cli.errors.handle`). Anything else (help, other commands, ``--watch``,
tables, a value that looks like an option, ``--``, an unknown option) returns ``None``, and
the caller runs the full Typer app, which parses and reports exactly as always.
"""

from __future__ import annotations

from collections.abc import Sequence

from wfctl.options import lean_tables

#: Global options that take a value ({spelling: settings key}), and global flags
#: ({spelling: (settings key, value)}): both from the one spec, wfctl.options.
VALUED, FLAGS = lean_tables()


def parse(args: Sequence[str]) -> tuple[dict[str, object], list[str]] | None:
    """The global flags and the IDs of a lean ``status`` command line, or None."""
    flags: dict[str, object] = {}
    ids: list[str] = []
    command = None
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if not arg.startswith("-") or arg == "-":
            if command is None:
                if arg != "status":
                    return None
                command = arg
            else:
                ids.append(arg)
            continue
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name == "-o" or (arg.startswith("-o") and len(arg) > 2):  # -o json, -ojson
            name, value, eq = "-o", arg[2:], "=" if len(arg) > 2 else ""
        if name in VALUED:
            if not eq:
                if i >= len(args):
                    return None
                value = args[i]
                i += 1
            if value.startswith("-"):
                return None
            flags[VALUED[name]] = value
        elif name in FLAGS and not eq:
            key, flag = FLAGS[name]
            flags[key] = flag
        else:  # help, --version, --watch, --, combined short flags, a typo: Typer's job
            return None
    if command is None or not ids or flags.get("output") not in ("json", "yaml"):
        return None
    return flags, ids


def run(args: Sequence[str]) -> int | None:
    """Run a lean ``status`` command line and return its exit code; None when ``args`` is
    not one (the caller then runs the Typer app)."""
    parsed = parse(args)
    if parsed is None:
        return None
    flags, ids = parsed
    from wfctl.cli import errors
    from wfctl.cli.common import CliState
    from wfctl.cli.show import show_status

    errors.reset()
    errors.add_secret(flags.get("api_token"))  # type: ignore[arg-type]
    state = CliState.last = CliState(flags)
    try:
        return show_status(state, ids, watch=False, interval="2s")
    except BaseException as exc:  # the same boundary as the Typer app's
        if isinstance(exc, SystemExit):
            raise
        return errors.handle(exc, verbose=state.verbose)
    finally:
        state.close()
