"""``wfctl serve``: the Dapr workflow HTTP API over the embedded engine.

Public API (the CLI's ``serve`` command calls :func:`serve`)::

    create_app(backend, *, api_token=None, log=None) -> ASGI application
    serve(*, host="127.0.0.1", port=3500, db_path=None, app=None, api_token=None,
          verbose=False, ui=True, grpc_port=None, app_id="wfctl",
          max_body_size=4 MiB, header_timeout=10.0, work_item_timeout=120.0,
          allowed_hosts=()) -> int

Importing this package is cheap: uvicorn and the engine load only when :func:`serve` runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wfctl.server.app import WorkflowServerApp

__all__ = ["create_app", "serve"]


def create_app(
    backend: Any,
    *,
    api_token: str | None = None,
    log: Callable[[str], None] | None = None,
) -> WorkflowServerApp:
    """An ASGI application serving daprd's workflow routes (and wfctl's) over ``backend``.

    ``backend`` is any :class:`wfctl.backend.protocol.Backend` safe to call from several
    threads. With ``api_token``, every path but ``/v1.0/healthz`` needs the header
    ``dapr-api-token``. ``log`` gets one access-log line per request (default: stderr).
    """
    from wfctl.server.app import WorkflowServerApp

    return WorkflowServerApp(backend, api_token=api_token, log=log)


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 3500,
    db_path: str | Path | None = None,
    app: str | None = None,
    api_token: str | None = None,
    verbose: bool = False,
    ui: bool = True,
    grpc_port: int | None = None,
    app_id: str = "wfctl",
    max_body_size: int = 4 * 1024 * 1024,
    header_timeout: float = 10.0,
    work_item_timeout: float = 120.0,
    history_cache_bytes: int | None = None,
    allowed_hosts: Sequence[str] = (),
) -> int:
    """Serve until SIGTERM/SIGINT, then shut down gracefully and return 0.

    See :func:`wfctl.server.run.serve`; raises a :class:`wfctl.model.WfctlError` when it
    cannot start (port in use, unusable database file, app import failure). ``ui=False``
    leaves out the web view at ``/``; ``header_timeout``: seconds a client has to send a
    request's headers before its connection is closed; ``work_item_timeout``: seconds a
    gRPC worker may hold a turn or an activity before it is handed out again (0: no limit);
    ``history_cache_bytes``: the cap of the gRPC front's history cache (default 64 MiB).
    ``allowed_hosts``: Host names answered besides the loopback ones and ``host`` (see
    :mod:`wfctl.server.guard`).
    """
    from wfctl.server.run import serve as _serve

    return _serve(
        host=host,
        port=port,
        db_path=db_path,
        app=app,
        api_token=api_token,
        verbose=verbose,
        ui=ui,
        grpc_port=grpc_port,
        app_id=app_id,
        max_body_size=max_body_size,
        header_timeout=header_timeout,
        work_item_timeout=work_item_timeout,
        history_cache_bytes=history_cache_bytes,
        allowed_hosts=allowed_hosts,
    )
