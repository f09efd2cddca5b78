"""What ``wfctl serve --grpc-port`` adds to serve: the gRPC server and the remote front
(serve's EmbeddedBackend, given ``remote_app=grpc_identity(app_id)``, records a workflow the
in-process app does not know for the workers).

Who runs what: one app per port, as daprd. Instances of workflows the in-process app
(``--app``) registers belong to it and run in-process; every other instance belongs to the
gRPC app (identity ``grpc:APP_ID`` in the store) and runs on the connected workers. Without
``--app`` nothing runs in-process.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from wfctl.limits import MAX_MESSAGE_BYTES

DEFAULT_APP_ID = "wfctl"
DEFAULT_MAX_MESSAGE = MAX_MESSAGE_BYTES


def grpc_identity(app_id: str) -> str:
    """The store's app identity of instances run by the gRPC workers of app ``app_id``."""
    return f"grpc:{app_id}"


def no_app(app_id: str) -> Any:
    """A registry with no workflows: serve without ``--app`` runs nothing in-process."""
    return SimpleNamespace(workflows={}, activities={}, app_identity=grpc_identity(app_id))


class GrpcSide:
    """The gRPC server and its remote front over the file ``path``; ``start()`` returns the
    bound port, ``stop()`` ends both and hands back the leases."""

    def __init__(
        self,
        proto: Any,
        path: Path,
        *,
        app_id: str,
        local_names: Callable[[], list[str]],
        local_app: str | None,
        api_token: str | None,
        max_message: int,
        handshake_timeout: float = 10.0,
        work_item_timeout: float | None = None,
        history_cache_bytes: int | None = None,
    ) -> None:
        from wfctl.engine.store import Store
        from wfctl.grpcapi.front import RemoteFront
        from wfctl.grpcapi.listen import GrpcServer

        self.app_id = app_id
        self._front_store = Store(path)
        self._rpc_store = Store(path)
        kw: dict[str, Any] = {"max_message": max_message}
        if work_item_timeout is not None:
            kw["work_item_timeout"] = work_item_timeout
        if history_cache_bytes is not None:
            kw["cache_bytes"] = history_cache_bytes
        self.front = RemoteFront(
            self._front_store, proto.pb, app=grpc_identity(app_id), app_id=app_id, **kw
        )
        self.server = GrpcServer(
            proto,
            self._rpc_store,
            self.front,
            local_names=local_names,
            local_app=local_app,
            api_token=api_token,
            max_message=max_message,
            handshake_timeout=handshake_timeout,
        )

    def start(self, host: str, port: int) -> int:
        bound = self.server.start(host, port)
        self.front.start()
        return bound

    @property
    def running(self) -> bool:
        return self.front.running

    def stop(self) -> None:
        self.server.stop()
        self.front.stop(10)
        self._front_store.close()
        self._rpc_store.close()
