"""The Typer app: global options, the command group and its error boundary.

``app`` (a ``typer.Typer``) is the public handle: ``typer.main.get_command(app)`` gives the
click group with every command, for generators such as shell completion. ``run()`` runs it.

Global options may come before or after the subcommand (``wfctl -o json status X`` and
``wfctl status X -qo json``): click parses both places (see :mod:`wfctl.cli.parsing`).
"""

import sys
from collections.abc import Sequence
from typing import Any

import typer

from wfctl import __version__
from wfctl._adapters import typer_compat
from wfctl.cli import (
    completion,
    control,
    declare,
    engine,
    errors,
    lifecycle,
    parsing,
    query,
    rerun,
)
from wfctl.cli.common import STATE_KEY, CliState, state_of

GLOBAL_EPILOG = (
    "Global options (--url, --api-token, -o, -q, --embedded, ...) may be given before or "
    "after the command; see 'wfctl --help'."
)


def _late_globals(ctx: Any, given: dict[str, Any]) -> None:
    """Global options written after the command: they override the ones written before."""
    if not given:
        return
    errors.add_secret(given.get("api_token"))
    state = state_of(ctx)
    state.flags.update(given)  # keyed like the settings (wfctl.options.GLOBAL_OPTIONS)
    CliState.last = state


class WfctlGroup(parsing.PlainGroup):
    """The top-level group: global options accepted before and after the command (click
    parses them: see :mod:`wfctl.cli.parsing`), plain help, and the one error boundary."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        parsing.tidy_help(self)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        typer_compat.install(self, ctx)
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        name, cmd, rest = super().resolve_command(ctx, args)
        if cmd is not None:
            parsing.attach_globals(cmd, self.params, _late_globals)
            typer_compat.install(cmd, ctx)
        return name, cmd, rest

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        errors.reset()
        CliState.last = None
        try:
            rv = super().main(
                args=args,
                prog_name=prog_name or "wfctl",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
            code = rv if isinstance(rv, int) else 0
        except typer_compat.UsageProblem as exc:
            code = _usage(exc)
        except typer.Abort:
            errors.print_error("aborted")
            code = 1
        except BaseException as exc:  # the boundary: nothing escapes as a traceback
            if isinstance(exc, SystemExit):
                raise
            state = CliState.last
            code = errors.handle(exc, verbose=bool(state and state.verbose))
        if standalone_mode:
            sys.exit(code)
        return code


def _usage(exc: Any) -> int:
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        sys.stdout.write(ctx.get_help() + "\n")
        return 0
    where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    errors.print_error(exc.format_message() + where)
    return int(getattr(exc, "exit_code", 2) or 2)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"wfctl {__version__}\n")
        raise typer.Exit(0)


app = typer.Typer(
    name="wfctl",
    cls=WfctlGroup,
    help=(
        "Drive Dapr workflows from the shell: on a Dapr sidecar over its HTTP API, "
        "or on the embedded engine (--embedded) with no sidecar at all.\n\n"
        "Example: wfctl start hello_world_wf --input '\"Ada\"' --wait"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _on_globals(ctx: typer.Context, given: dict[str, Any]) -> None:
    """The global options written before the command (only those given)."""
    errors.add_secret(given.get("api_token"))
    state = CliState(dict(given))
    CliState.last = state
    ctx.meta[STATE_KEY] = state
    ctx.call_on_close(state.close)


# The global options are declared in wfctl.options (GLOBAL_OPTIONS) and nowhere else.
app.callback()(declare.global_callback(_on_globals, eager={"version": _version}))


lifecycle.register(app, epilog=GLOBAL_EPILOG)
control.register(app, epilog=GLOBAL_EPILOG)
query.register(app, epilog=GLOBAL_EPILOG)
rerun.register(app, epilog=GLOBAL_EPILOG)
engine.register(app, epilog=GLOBAL_EPILOG)
completion.register(app)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI on ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    command = typer.main.get_command(app)
    return int(command.main(args=argv, prog_name="wfctl", standalone_mode=False) or 0)
