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
from typing import TYPE_CHECKING, Any, TextIO

from wfctl.model import UsageError, WfctlError

if TYPE_CHECKING:
    from wfctl.backend.embedded import EmbeddedBackend

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
    KEEP_ALIVE_TIMEOUT seconds after a response (see :mod:`wfctl._adapters.uvicorn_compat`).
    Only Host names of this server, or in ``allowed_hosts``, are answered, and a browser on
    another origin cannot change state (see :mod:`wfctl.server.guard`).
    """
    guard = _guard(host, header_timeout, work_item_timeout, allowed_hosts)
    out = out or sys.stdout
    err = sys.stderr
    stop = threading.Event()
    proto = _grpc_protocol(verbose) if grpc_port is not None else None
    with _signals_request_stop(stop):
        sock = bind_socket(host, port)  # first: a busy port is the likeliest mistake
        run = _Running(proto, app, app_id)
        try:
            path, names = run.open(db_path)
            asgi = run.asgi(api_token=api_token, ui=ui, guard=guard, verbose=verbose)
            if proto is None or app:
                run.start_worker()
            if proto is not None:  # bound before any banner line: a busy port says only that
                run.start_grpc(
                    path,
                    host,
                    grpc_port or 0,
                    api_token=api_token,
                    max_message=max_body_size,
                    handshake_timeout=header_timeout,
                    work_item_timeout=work_item_timeout,
                    history_cache_bytes=history_cache_bytes,
                )
            url = url_of(sock)
            _banner(out, err, url, path, run, names, ui=ui, host=host, api_token=api_token)
            server = _make_server(_config(asgi, verbose, header_timeout), stop, run.parts, err)
            server.run(sockets=[sock])
            print("wfctl serve: stopped accepting requests; stopping the engine", file=out)
            out.flush()
        finally:
            run.close()
            sock.close()
    print("wfctl serve: stopped", file=out)
    out.flush()
    error = getattr(run.handle, "error", None)
    if server.worker_died and isinstance(error, WfctlError):
        # The database became unusable (read-only, corrupt, deleted): exit 8 with the
        # CLI's one line, rather than answer 500 or retry forever.
        raise error
    return 1 if server.worker_died else 0


def _guard(
    host: str, header_timeout: float, work_item_timeout: float, allowed_hosts: Sequence[str]
) -> Any:
    """serve's :class:`wfctl.server.guard.Guard`, once the limits are checked (UsageError)."""
    if not 0 < header_timeout <= 300:
        raise UsageError(f"--header-timeout {header_timeout:g}: give 0.1 to 300 seconds")
    if not work_item_timeout >= 0:  # NaN too
        raise UsageError(f"--work-item-timeout {work_item_timeout:g}: give 0 (no limit) or more")
    from wfctl.server.guard import Guard, check_allowed_host

    try:
        allowed = [check_allowed_host(entry) for entry in allowed_hosts]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return Guard(bound_host=host, allowed_hosts=allowed)


def _grpc_protocol(verbose: bool) -> Any:
    """The Durable Task protocol's stubs; UsageError with the install line without them."""
    import os

    from wfctl.protocol import load

    # gRPC's core logs to stderr on its own (a busy port: one line of ours is enough).
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR" if verbose else "NONE")
    return load()


def _config(asgi: Any, verbose: bool, header_timeout: float) -> Any:
    import uvicorn

    from wfctl._adapters.uvicorn_compat import KEEP_ALIVE_TIMEOUT, protocol_class

    return uvicorn.Config(
        asgi,
        log_level="info" if verbose else "warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SECONDS,  # type: ignore[arg-type]  # a float works
        backlog=BACKLOG,
        server_header=False,
        http=protocol_class(header_timeout),
        timeout_keep_alive=KEEP_ALIVE_TIMEOUT,  # type: ignore[arg-type]  # a float works
    )


class _Running:
    """What serve runs over the file — the backends, the in-process worker, the gRPC side —
    stopped in reverse by :meth:`close`."""

    def __init__(self, proto: Any, app: str | None, app_id: str) -> None:
        self.proto, self.app, self.app_id = proto, app, app_id
        self.backend: EmbeddedBackend | None = None
        self.reader: EmbeddedBackend | None = None
        self.handle: Any = None
        self.grpc_side: Any = None
        self.gport = 0
        self.parts = _Parts([])

    def _workers(self) -> int | None:  # for status: "waits for a worker"
        return None if self.grpc_side is None else self.grpc_side.front.connected

    def open(self, db_path: str | Path | None) -> tuple[Path, list[str]]:
        """Open the writer and the reader on the file and load the app (now, before any
        request thread could race); the file's path and the app's workflow names, sorted."""
        from wfctl.backend.embedded import EmbeddedBackend
        from wfctl.paths import default_db_path

        path = Path(db_path) if db_path else default_db_path()

        if self.proto is not None:
            from wfctl.grpcapi import serving

            self.backend = backend = EmbeddedBackend(
                path,
                app=self.app,
                registry=None if self.app else serving.no_app(self.app_id),
                detach=True,
                remote_app=serving.grpc_identity(self.app_id),
                workers=self._workers,
            )
        else:
            self.backend = backend = EmbeddedBackend(path, app=self.app, detach=True)
        names = sorted(backend.workflow_names())
        backend.store.db.check_writable()  # read-only: exit 8 now, not 500s later
        self.reader = EmbeddedBackend(path, app=self.app, detach=True, registry=backend.registry())
        return path, names

    def asgi(self, *, api_token: str | None, ui: bool, guard: Any, verbose: bool) -> Any:
        """The ASGI app over the opened backends."""
        from wfctl.server.app import WorkflowServerApp

        assert self.backend is not None
        asgi = WorkflowServerApp(
            self.backend, api_token=api_token, reader=self.reader, ui=ui, guard=guard
        )
        asgi.verbose = verbose
        return asgi

    def start_worker(self) -> None:
        assert self.backend is not None
        self.handle = self.backend.start_worker()
        self.handle.report = False  # a StorageError that stops it: said once, at exit
        self.parts.parts.append(self.handle)

    def start_grpc(self, path: Path, host: str, port: int, **options: Any) -> None:
        """Serve the gRPC API on ``host:port`` (``options``: :class:`GrpcSide`'s)."""
        from wfctl.grpcapi import serving

        assert self.backend is not None
        self.grpc_side = serving.GrpcSide(
            self.proto,
            path,
            app_id=self.app_id,
            local_names=self.backend.workflow_names,
            local_app=self.backend.app_identity,
            **options,
        )
        self.gport = self.grpc_side.start(host, port)
        self.parts.parts.append(self.grpc_side)

    def close(self) -> None:
        if self.grpc_side is not None:
            self.grpc_side.stop()
        if self.handle is not None:
            self.handle.stop(WORKER_STOP_SECONDS)
        if self.reader is not None:
            self.reader.close()
        if self.backend is not None:
            self.backend.close()


def _banner(
    out: TextIO,
    err: TextIO,
    url: str,
    path: Path,
    run: _Running,
    names: list[str],
    *,
    ui: bool,
    host: str,
    api_token: str | None,
) -> None:
    print(f"wfctl serve: listening on {url} (database {path})", file=out)
    if run.proto is not None:
        gaddr = f"[{host}]" if ":" in host else host
        print(f"wfctl serve: gRPC listening on {gaddr}:{run.gport}", file=out)
        print(
            f"wfctl serve: app id {run.app_id!r}: "
            + (
                "the workflows below run in-process, every other one on the gRPC workers"
                if run.app
                else "every workflow runs on the connected gRPC workers"
            ),
            file=out,
        )
    shown = ", ".join(names) or (
        "(none in-process)" if run.proto is not None else "(none registered)"
    )
    if ui:
        print(f"wfctl serve: web view at {url}/", file=out)
    print(f"wfctl serve: workflows: {shown}", file=out)
    if api_token:
        print("wfctl serve: requests need the dapr-api-token header", file=out)
    out.flush()
    if not api_token and not is_loopback(host):
        _warn_exposed(err, url)


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
