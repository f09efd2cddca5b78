"""``serve()``: run the Dapr-compatible HTTP API over the embedded engine until a signal.

Order of events: bind the socket (a clear error if the address is taken), open the SQLite
file, start the engine's background worker, serve with uvicorn; on SIGTERM or SIGINT stop
accepting connections, let requests in flight finish, stop the worker (it hands its leases
back) and close the file. A restart continues every instance where it was.
"""

from __future__ import annotations

import errno
import ipaddress
import signal
import socket
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from wfctl.model import UsageError, WfctlError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
GRACEFUL_SECONDS = 30.0
WORKER_STOP_SECONDS = 30.0
BACKLOG = 2048


def is_loopback(host: str) -> bool:
    """True when ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_socket(host: str, port: int) -> socket.socket:
    """A bound, listening TCP socket for ``host:port`` (port 0 picks a free one).

    UsageError with a one-line reason when the port is out of range, in use or not ours.
    """
    if not 0 <= port <= 65535:
        raise UsageError(f"port {port} is out of range: use 1 to 65535 (or 0 for any free port)")
    try:
        infos = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise UsageError(f"cannot resolve host {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        # Listen now, so that connections made as soon as the banner is printed queue up
        # instead of being refused while uvicorn starts.
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"{host}:{port} is already in use: stop the other server or pick --port"
            ) from None
        if exc.errno == errno.EACCES:
            raise UsageError(
                f"not allowed to listen on {host}:{port}: use a port above 1023"
            ) from None
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@contextmanager
def _signals_request_stop(stop: threading.Event) -> Iterator[None]:
    """SIGTERM/SIGINT set ``stop`` (uvicorn takes them over while it serves, and re-raises
    them here when it is done, so they must not kill the process with the default action)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {
        sig: signal.signal(sig, lambda _s, _f: stop.set())
        for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _make_server(config: Any, stop: threading.Event, worker: Any, err: TextIO) -> Any:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn that also stops for a signal caught before it started, and when the
        engine worker has died (then nothing would drive the workflows it accepts)."""

        worker_died = False

        async def on_tick(self, counter: int) -> bool:
            if stop.is_set():
                self.should_exit = True
            elif not worker.running and not self.worker_died:
                self.worker_died = True
                if not isinstance(getattr(worker, "error", None), WfctlError):  # said at exit
                    err.write(
                        "wfctl serve: the engine worker stopped unexpectedly; shutting down\n"
                    )
                    err.flush()
                self.should_exit = True
            return await super().on_tick(counter)

    return Server(config)


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 3500,
    db_path: str | Path | None = None,
    app: str | None = None,
    api_token: str | None = None,
    verbose: bool = False,
    out: TextIO | None = None,
    ui: bool = True,
    grpc_port: int | None = None,
    app_id: str = "wfctl",
    max_body_size: int = 4 * 1024 * 1024,
    header_timeout: float = 10.0,
    work_item_timeout: float = 120.0,
    history_cache_bytes: int | None = None,
    allowed_hosts: Sequence[str] = (),
) -> int:
    """Serve the Dapr workflow HTTP API on ``host:port`` over the SQLite file ``db_path``.

    Blocks until SIGTERM or SIGINT, then shuts down gracefully and returns 0 (1 if the engine
    worker died of a bug). Raises a :class:`wfctl.model.WfctlError` (UsageError, StorageError,
    AppError) for a port in use, an unusable (e.g. read-only) file or an app that fails to
    import, before anything is served; and the StorageError that stopped the engine, after a
    graceful shutdown, when the file becomes unusable while serving. ``out`` gets the banner
    (default stdout); access-log lines go to stderr. ``ui=False`` leaves out the web view
    (``/`` answers 404). With ``grpc_port`` (0: any free port) it also serves daprd's Durable
    Task gRPC API there for SDK workers of app ``app_id`` (see :mod:`wfctl.grpcapi.serving`).
    A gRPC worker that holds a turn or an activity longer than ``work_item_timeout``
    seconds (0: no limit) loses it to the next worker. A connection whose request headers
    are not complete after ``header_timeout`` seconds is closed, as is one idle for
    KEEP_ALIVE_TIMEOUT seconds after a response (see :mod:`wfctl.server.conn`). Only Host
    names of this server, or in ``allowed_hosts``, are answered, and a browser on another
    origin cannot change state (see :mod:`wfctl.server.guard`).
    """
    if not 0 < header_timeout <= 300:
        raise UsageError(f"--header-timeout {header_timeout:g}: give 0.1 to 300 seconds")
    if not work_item_timeout >= 0:  # NaN too
        raise UsageError(f"--work-item-timeout {work_item_timeout:g}: give 0 (no limit) or more")
    from wfctl.server.guard import Guard, check_allowed_host

    try:
        allowed = [check_allowed_host(entry) for entry in allowed_hosts]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    guard = Guard(bound_host=host, allowed_hosts=allowed)
    out = out or sys.stdout
    err = sys.stderr
    stop = threading.Event()
    proto = None
    if grpc_port is not None:
        import os

        from wfctl.protocol import load

        # gRPC's core logs to stderr on its own (a busy port: one line of ours is enough).
        os.environ.setdefault("GRPC_VERBOSITY", "ERROR" if verbose else "NONE")
        proto = load()  # UsageError with the install line when the extra is missing
    with _signals_request_stop(stop):
        sock = bind_socket(host, port)  # first: a busy port is the likeliest mistake
        backend = reader = None
        handle = grpc_side = None
        try:
            import uvicorn

            from wfctl.backend.embedded import EmbeddedBackend
            from wfctl.paths import default_db_path
            from wfctl.server.app import WorkflowServerApp
            from wfctl.server.conn import KEEP_ALIVE_TIMEOUT, protocol_class

            path = Path(db_path) if db_path else default_db_path()
            if proto is not None:
                from wfctl.grpcapi import serving

                def workers() -> int | None:  # for status: "waits for a worker"
                    return None if grpc_side is None else grpc_side.front.connected

                backend = EmbeddedBackend(
                    path,
                    app=app,
                    registry=None if app else serving.no_app(app_id),
                    detach=True,
                    remote_app=serving.grpc_identity(app_id),
                    workers=workers,
                )
            else:
                backend = EmbeddedBackend(path, app=app, detach=True)
            # Loads the app and opens the file now, before any request thread could race.
            names = sorted(backend.workflow_names())
            backend.store.db.check_writable()  # read-only: exit 8 now, not 500s later
            reader = EmbeddedBackend(path, app=app, detach=True, registry=backend.registry())
            asgi = WorkflowServerApp(
                backend, api_token=api_token, reader=reader, ui=ui, guard=guard
            )
            asgi.verbose = verbose
            parts: list[Any] = []
            if proto is None or app:
                handle = backend.start_worker()
                handle.report = False  # a StorageError that stops it: said once, at exit
                parts.append(handle)
            if proto is not None:  # bound before any banner line: a busy port says only that
                grpc_side = serving.GrpcSide(
                    proto,
                    path,
                    app_id=app_id,
                    local_names=backend.workflow_names,
                    local_app=backend.app_identity,
                    api_token=api_token,
                    max_message=max_body_size,
                    handshake_timeout=header_timeout,
                    work_item_timeout=work_item_timeout,
                    history_cache_bytes=history_cache_bytes,
                )
                gport = grpc_side.start(host, grpc_port or 0)
                parts.append(grpc_side)
            url = url_of(sock)
            print(f"wfctl serve: listening on {url} (database {path})", file=out)
            if proto is not None:
                gaddr = f"[{host}]" if ":" in host else host
                print(f"wfctl serve: gRPC listening on {gaddr}:{gport}", file=out)
                print(
                    f"wfctl serve: app id {app_id!r}: "
                    + (
                        "the workflows below run in-process, every other one on the gRPC workers"
                        if app
                        else "every workflow runs on the connected gRPC workers"
                    ),
                    file=out,
                )
            shown = ", ".join(names) or (
                "(none in-process)" if proto is not None else "(none registered)"
            )
            if ui:
                print(f"wfctl serve: web view at {url}/", file=out)
            print(f"wfctl serve: workflows: {shown}", file=out)
            if api_token:
                print("wfctl serve: requests need the dapr-api-token header", file=out)
            out.flush()
            if not api_token and not is_loopback(host):
                _warn_exposed(err, url)
            config = uvicorn.Config(
                asgi,
                log_level="info" if verbose else "warning",
                access_log=False,
                lifespan="on",
                timeout_graceful_shutdown=GRACEFUL_SECONDS,
                backlog=BACKLOG,
                server_header=False,
                http=protocol_class(header_timeout),
                timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
            )
            server = _make_server(config, stop, _Parts(parts), err)
            server.run(sockets=[sock])
            print("wfctl serve: stopped accepting requests; stopping the engine", file=out)
            out.flush()
        finally:
            if grpc_side is not None:
                grpc_side.stop()
            if handle is not None:
                handle.stop(WORKER_STOP_SECONDS)
            if reader is not None:
                reader.close()
            if backend is not None:
                backend.close()
            sock.close()
    print("wfctl serve: stopped", file=out)
    out.flush()
    error = getattr(handle, "error", None)
    if server.worker_died and isinstance(error, WfctlError):
        # The database became unusable (read-only, corrupt, deleted): exit 8 with the
        # CLI's one line, rather than answer 500 or retry forever.
        raise error
    return 1 if server.worker_died else 0


class _Parts:
    """The background parts of serve (engine worker, gRPC front): running while all are."""

    def __init__(self, parts: list[Any]) -> None:
        self.parts = parts

    @property
    def running(self) -> bool:
        return all(p.running for p in self.parts)

    @property
    def error(self) -> BaseException | None:
        """Why a part stopped by itself (the engine's StorageError), if it says."""
        for p in self.parts:
            if getattr(p, "error", None) is not None:
                return p.error
        return None


def _warn_exposed(err: TextIO, url: str) -> None:
    bar = "!" * 78
    err.write(
        f"{bar}\n"
        f"WARNING: wfctl serve listens on {url}, beyond this machine, WITHOUT an API token.\n"
        "Anyone who can reach it can start, terminate and purge workflows.\n"
        "Set --api-token, --api-token-file or DAPR_API_TOKEN, or bind 127.0.0.1.\n"
        f"{bar}\n"
    )
    err.flush()
