"""exec, worker and serve: thin fronts on the embedded engine and server (imported lazily,
inside each command, so that the CLI works even where those modules are not installed)."""

import importlib
from typing import Annotated, Any

import typer

from wfctl.cli.common import state_of
from wfctl.model import UsageError

#: The settings exec, worker and serve use: no client setting (a URL, a gRPC endpoint, which an
#: app's environment often carries for its own SDK client) is read, so none can stop them.
ENGINE_KEYS = ("db", "app", "api_token", "api_token_file", "verbose", "no_color")


def _load(module: str, name: str, what: str) -> Any:
    """``module.name``, imported now; a UsageError naming ``what`` when a wfctl module of it is
    missing (another missing module is a real error and propagates)."""
    try:
        return getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("wfctl"):
            raise UsageError(f"{what} ({module}) is not installed in this wfctl") from None
        raise


def exec_(
    ctx: typer.Context,
    app_path: Annotated[str, typer.Argument(help="The app: a file or module.", metavar="APP")],
    args: Annotated[
        list[str] | None, typer.Argument(help="Arguments for the app.", metavar="ARGS")
    ] = None,
) -> None:
    """Run a Dapr workflow app as __main__ against the embedded engine (no sidecar).

    Everything after APP is passed to the app untouched.

    Example: wfctl exec app.py --orders 10
    """
    st = state_of(ctx)
    exec_app = _load("wfctl.workflow.loader", "exec_app", "the embedded engine")
    import signal

    # The app gets Python's own Ctrl-C handler, the one asyncio.run() recognises and replaces.
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    raise typer.Exit(
        exec_app(app_path, list(args or []), db_path=st.settings_of(ENGINE_KEYS).db_path)
    )


def worker(
    ctx: typer.Context,
    concurrency: Annotated[
        int, typer.Option("--concurrency", metavar="N", min=1, help="Activities run at once.")
    ] = 4,
) -> None:
    """Run the embedded engine's worker until Ctrl-C: activities, timers, workflow steps.

    Example: wfctl worker --app app.py --concurrency 8
    """
    st = state_of(ctx)
    run_worker = _load("wfctl.engine.background", "run_worker", "the embedded engine")
    load_app = _load("wfctl.workflow.loader", "load_app", "the embedded engine")
    from wfctl import demo

    s = st.settings_of(ENGINE_KEYS)
    registry = load_app(s.app, default=demo.registry)
    raise typer.Exit(run_worker(s.db_path, registry, concurrency=concurrency))


# serve's connection options, declared apart (serve() stays under the size limit).
HeaderTimeout = Annotated[
    float,
    typer.Option(
        "--header-timeout",
        metavar="SECONDS",
        min=0.1,
        max=300,
        help="Close a connection whose request headers take longer than this.",
    ),
]
AllowedHosts = Annotated[
    list[str] | None,
    typer.Option(
        "--allowed-host",
        metavar="NAME[:PORT]",
        envvar="WFCTL_ALLOWED_HOSTS",
        help="Also answer this Host name, e.g. a proxy's (repeatable; * for any).",
    ),
]


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", metavar="HOST", help="Address to bind.")] = (
        "127.0.0.1"
    ),
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", min=0, max=65535, help="Port to listen on.")
    ] = 3500,
    no_ui: Annotated[
        bool, typer.Option("--no-ui", help="Do not serve the web view at / (API only).")
    ] = False,
    grpc_port: Annotated[
        int | None,
        typer.Option(
            "--grpc-port",
            metavar="PORT",
            min=0,
            max=65535,
            help="Also serve daprd's workflow gRPC API here, for Dapr SDK apps (0: any port).",
        ),
    ] = None,
    app_id: Annotated[
        str,
        typer.Option("--app-id", metavar="NAME", help="The Dapr app id gRPC workers see."),
    ] = "wfctl",
    max_body_size: Annotated[
        int,
        typer.Option(
            "--max-body-size",
            metavar="BYTES",
            min=1024,
            help="Largest gRPC message accepted or sent.",
        ),
    ] = 4 * 1024 * 1024,
    header_timeout: HeaderTimeout = 10.0,
    work_item_timeout: Annotated[
        float,
        typer.Option(
            "--work-item-timeout",
            metavar="SECONDS",
            min=0,
            help="Hand a gRPC worker's turn or activity to another after this (0: never).",
        ),
    ] = 120.0,
    allowed_hosts: AllowedHosts = None,
) -> None:
    """Serve the Dapr workflow HTTP API over the embedded engine (curl and SDK scripts work),
    and a web view of the instances at / (open http://127.0.0.1:3500/).

    Uses the global --db, --app, --api-token/--api-token-file (or DAPR_API_TOKEN). With
    --grpc-port, unmodified Dapr SDK apps run against it: DAPR_GRPC_PORT=PORT python app.py.

    Example: wfctl serve --port 3500 --app app.py
    """
    st = state_of(ctx)
    run_server = _load("wfctl.server", "serve", "wfctl serve")
    s = st.settings_of(ENGINE_KEYS)
    code = run_server(
        host=host,
        port=port,
        db_path=s.db_path,
        app=s.app,
        api_token=s.token(),
        verbose=s.verbose,
        ui=not no_ui,
        grpc_port=grpc_port,
        app_id=app_id,
        max_body_size=max_body_size,
        header_timeout=header_timeout,
        work_item_timeout=work_item_timeout,
        allowed_hosts=list(allowed_hosts or ()),
    )
    raise typer.Exit(code)


def register(app: typer.Typer, *, epilog: str) -> None:
    # Options stop at APP: everything after it, "--" included, is the app's.
    raw = {
        "allow_extra_args": True,
        "ignore_unknown_options": True,
        "allow_interspersed_args": False,
    }
    app.command("exec", epilog=epilog, context_settings=raw)(exec_)
    app.command("worker", epilog=epilog)(worker)
    app.command("serve", epilog=epilog)(serve)
