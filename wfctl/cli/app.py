"""The Typer app: global options, the command group and its error boundary.

``app`` (a ``typer.Typer``) is the public handle: ``typer.main.get_command(app)`` gives the
click group with every command, for generators such as shell completion. ``run()`` runs it.

Global options may come before or after the subcommand (``wfctl -o json status X`` and
``wfctl status X -qo json``): click parses both places (see :mod:`wfctl.cli.parsing`).
"""

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from wfctl import __version__
from wfctl.cli import (
    _fast,
    completion,
    control,
    engine,
    errors,
    lifecycle,
    parsing,
    query,
    rerun,
)
from wfctl.cli.common import STATE_KEY, CliState, state_of

try:  # typer >= 0.29 carries its own copy of click
    from typer._click import exceptions as _click_exc
except ImportError:  # pragma: no cover - older typer on real click
    from click import exceptions as _click_exc  # type: ignore[no-redef]

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
    # Parameter names are the callback's (``app_``); flags are keyed like settings (``app``).
    state.flags.update({k.rstrip("_"): v for k, v in given.items()})
    CliState.last = state


class WfctlGroup(parsing.PlainGroup):
    """The top-level group: global options accepted before and after the command (click
    parses them: see :mod:`wfctl.cli.parsing`), plain help, and the one error boundary."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        parsing.tidy_help(self)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _fast.install(self, ctx)
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        name, cmd, rest = super().resolve_command(ctx, args)
        if cmd is not None:
            parsing.attach_globals(cmd, self.params, _late_globals)
            _fast.install(cmd, ctx)
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
        except _click_exc.ClickException as exc:
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

_Str = str | None
_Flag = bool | None


@app.callback()
def _global(
    ctx: typer.Context,
    url: Annotated[
        _Str,
        typer.Option(
            "--url",
            metavar="URL",
            help="Sidecar base URL [env DAPR_HTTP_ENDPOINT, DAPR_RUNTIME_HOST/DAPR_HTTP_PORT; "
            "default http://127.0.0.1:3500].",
        ),
    ] = None,
    api_version: Annotated[
        _Str,
        typer.Option(
            "--api-version", metavar="V", help="v1.0-beta1 (default, every daprd) or v1.0."
        ),
    ] = None,
    component: Annotated[
        _Str, typer.Option("--component", metavar="NAME", help="Workflow component [dapr].")
    ] = None,
    api_token: Annotated[
        _Str,
        typer.Option("--api-token", metavar="TOKEN", help="API token [env DAPR_API_TOKEN]."),
    ] = None,
    api_token_file: Annotated[
        _Str, typer.Option("--api-token-file", metavar="PATH", help="Read the API token here.")
    ] = None,
    ca_cert: Annotated[
        _Str, typer.Option("--ca-cert", metavar="PATH", help="CA bundle for an https:// URL.")
    ] = None,
    insecure: Annotated[
        _Flag, typer.Option("--insecure", help="Do not verify the server's TLS certificate.")
    ] = None,
    request_timeout: Annotated[
        _Str,
        typer.Option("--request-timeout", metavar="D", help="Timeout of one HTTP request [30s]."),
    ] = None,
    output: Annotated[
        _Str,
        typer.Option(
            "--output", "-o", metavar="FMT", help="table, json or yaml (list: +wide, ids)."
        ),
    ] = None,
    quiet: Annotated[_Flag, typer.Option("--quiet", "-q", help="Print only IDs/statuses.")] = None,
    no_color: Annotated[
        _Flag, typer.Option("--no-color", help="No colour (also NO_COLOR).")
    ] = None,
    verbose: Annotated[
        _Flag, typer.Option("--verbose", help="Log requests; tracebacks for internal errors.")
    ] = None,
    profile: Annotated[
        _Str, typer.Option("--profile", metavar="NAME", help="Config profile [env WFCTL_PROFILE].")
    ] = None,
    config: Annotated[
        _Str,
        typer.Option(
            "--config",
            metavar="PATH",
            help="Config file [env WFCTL_CONFIG; default $XDG_CONFIG_HOME/wfctl/config.yaml].",
        ),
    ] = None,
    embedded: Annotated[
        _Flag,
        typer.Option(
            "--embedded/--no-embedded",
            help="Use the embedded engine [env WFCTL_EMBEDDED=1; --url beats the env].",
        ),
    ] = None,
    db: Annotated[
        _Str, typer.Option("--db", metavar="PATH", help="Embedded database file [env WFCTL_DB].")
    ] = None,
    app_: Annotated[
        _Str,
        typer.Option(
            "--app", metavar="MODULE_OR_FILE[:ATTR]", help="Workflow app [env WFCTL_APP]."
        ),
    ] = None,
    drive: Annotated[
        _Str,
        typer.Option("--drive", metavar="D", help="Embedded: drive the engine at most D [30s]."),
    ] = None,
    detach: Annotated[
        _Flag, typer.Option("--detach", help="Embedded: record the change, do not drive.")
    ] = None,
    version: Annotated[
        _Flag,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = None,
) -> None:
    flags = {
        "url": url,
        "api_version": api_version,
        "component": component,
        "api_token": api_token,
        "api_token_file": api_token_file,
        "ca_cert": ca_cert,
        "insecure": insecure,
        "request_timeout": request_timeout,
        "output": output,
        "quiet": quiet,
        "no_color": no_color,
        "verbose": verbose,
        "profile": profile,
        "config": config,
        "embedded": embedded,
        "db": db,
        "app": app_,
        "drive": drive,
        "detach": detach,
    }
    errors.add_secret(api_token)
    state = CliState({k: v for k, v in flags.items() if v is not None})
    CliState.last = state
    ctx.meta[STATE_KEY] = state
    ctx.call_on_close(state.close)


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
