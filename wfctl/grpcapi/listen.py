"""The gRPC server of ``wfctl serve --grpc-port``: grpc.aio on an event loop of its own
thread, with daprd's channel settings, the door (:mod:`wfctl.grpcapi.door`) in front of the
servicer (:mod:`wfctl.grpcapi.server`)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from wfctl.engine.store import STATUS_HUB, Store
from wfctl.grpcapi.door import door
from wfctl.grpcapi.front import RemoteFront
from wfctl.grpcapi.server import Servicer
from wfctl.model import UsageError
from wfctl.protocol import rpc


def channel_options(max_message: int, handshake_timeout: float = 10.0) -> list[tuple[str, int]]:
    """Server channel settings as daprd's (GRPC.md "Channel settings"), plus a handshake
    deadline: a connection that has not completed the HTTP/2 handshake within
    ``handshake_timeout`` seconds (serve's ``--header-timeout``) is closed."""
    return [
        ("grpc.server_handshake_timeout_ms", max(1, round(handshake_timeout * 1000))),
        ("grpc.max_receive_message_length", max_message),
        ("grpc.max_send_message_length", max_message),
        ("grpc.keepalive_time_ms", 10_000),
        ("grpc.keepalive_timeout_ms", 20_000),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_recv_ping_interval_without_data_ms", 5_000),
        ("grpc.http2.max_ping_strikes", 0),
        ("grpc.max_connection_idle_ms", 180_000),
        ("grpc.so_reuseport", 0),  # a second serve on the same port must fail, not share it
    ]


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class GrpcServer:
    """grpc.aio on a thread of its own: ``start()`` binds (UsageError when it cannot) and
    returns the port; ``stop()`` ends the streams and the server."""

    def __init__(
        self,
        proto: Any,
        store: Store,
        front: RemoteFront,
        *,
        local_names: Callable[[], list[str]],
        local_app: str | None,
        api_token: str | None = None,
        max_message: int = 4 * 1024 * 1024,
        handshake_timeout: float = 10.0,
    ) -> None:
        self.proto = proto
        self.servicer = Servicer(
            proto,
            store,
            front,
            local_names=local_names,
            local_app=local_app,
            max_message=max_message,
        )
        self.api_token = api_token
        self.max_message = max_message
        self.handshake_timeout = handshake_timeout
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._server: Any = None
        self._stopped: asyncio.Event | None = None

    def start(self, host: str, port: int) -> int:
        ready = threading.Event()
        result: dict[str, Any] = {}

        async def main() -> None:
            grpc = self.proto.grpc
            server = grpc.aio.server(
                options=channel_options(self.max_message, self.handshake_timeout),
                interceptors=[door(grpc, self.api_token)],
            )
            server.add_generic_rpc_handlers((rpc.handler(self.servicer),))
            try:
                bound = server.add_insecure_port(f"{_host(host)}:{port}")
            except RuntimeError as exc:
                result["error"] = exc
                ready.set()
                return
            await server.start()
            self._server = server
            self._stopped = asyncio.Event()
            self.servicer.changed = asyncio.Event()
            result["port"] = bound
            ready.set()
            watcher = asyncio.ensure_future(self._watch_changes())
            await self._stopped.wait()
            watcher.cancel()
            await self._end_streams()
            await server.stop(2.0)

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(main())
            except Exception as exc:  # pragma: no cover - reported through start()
                result.setdefault("error", exc)
                ready.set()

        self._thread = threading.Thread(target=run, name="wfctl-grpc", daemon=True)
        self._thread.start()
        ready.wait()
        if "error" in result or not result.get("port"):
            raise UsageError(f"cannot listen for gRPC on {host}:{port}: the port is in use")
        return int(result["port"])

    async def _end_streams(self) -> None:
        """End the worker streams as daprd's engine does when it stops: CANCELLED "shutting
        down" (durabletask-go's errShuttingDown); give them a moment to say it."""
        for end in list(self.servicer.streams.values()):
            end("CANCELLED", "shutting down")
        for _ in range(40):
            if not self.servicer.streams:
                return
            await asyncio.sleep(0.05)

    async def _watch_changes(self) -> None:
        """Turn the store's status notifications (a threading condition) into wake-ups of
        the waiting RPCs, from one helper thread for all of them."""
        loop = asyncio.get_running_loop()
        seen = STATUS_HUB.version
        while True:
            seen = await loop.run_in_executor(None, STATUS_HUB.wait, seen, 1.0)
            ev, self.servicer.changed = self.servicer.changed, asyncio.Event()
            if ev is not None:
                ev.set()

    def stop(self) -> None:
        if self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(10)
        self.servicer.pool.shutdown(wait=False)
