"""What ``wfctl serve --grpc-port`` adds to serve: the gRPC server, the remote front, and
an HTTP backend that starts a workflow the in-process app does not know for the workers.

Who runs what: one app per port, as daprd. Instances of workflows the in-process app
(``--app``) registers belong to it and run in-process; every other instance belongs to the
gRPC app (identity ``grpc:APP_ID`` in the store) and runs on the connected workers. Without
``--app`` nothing runs in-process.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from wfctl.backend.embedded import EmbeddedBackend
from wfctl.limits import MAX_MESSAGE_BYTES
from wfctl.model import RuntimeStatus

DEFAULT_APP_ID = "wfctl"
DEFAULT_MAX_MESSAGE = MAX_MESSAGE_BYTES


def grpc_identity(app_id: str) -> str:
    """The store's app identity of instances run by the gRPC workers of app ``app_id``."""
    return f"grpc:{app_id}"


def no_app(app_id: str) -> Any:
    """A registry with no workflows: serve without ``--app`` runs nothing in-process."""
    return SimpleNamespace(workflows={}, activities={}, app_identity=grpc_identity(app_id))


class WorkerBackend(EmbeddedBackend):
    """EmbeddedBackend whose ``start`` hands a workflow the in-process app does not register
    to the gRPC workers (it waits PENDING until one takes it)."""

    def __init__(self, db_path: str | Path, *, remote_app: str, **kw: Any) -> None:
        super().__init__(db_path, **kw)
        self.remote_app = remote_app
        #: How many gRPC workers are connected now (serve sets it; None: unknown).
        self.workers: Callable[[], int] | None = None

    def pending_reason(self, instance_id: str) -> str | None:
        """Why a PENDING instance of the gRPC workers has not started: what `wfctl status`
        shows as "Waiting for" (None when it is not such an instance)."""
        st = self.store.instances.get_state(instance_id)
        if st is None or st.runtime_status is not RuntimeStatus.PENDING:
            return None
        if self.store.instances.app_of(instance_id) != self.remote_app:
            return None
        app_id = self.remote_app.removeprefix("grpc:")
        n = None if self.workers is None else self.workers()
        if n == 0:
            return f"a gRPC worker of app {app_id!r} (none is connected)"
        return f"a gRPC worker of app {app_id!r} to take it (none has run it yet)"

    def start(
        self,
        name: str,
        input: str | None = None,
        *,
        instance_id: str | None = None,
        start_at: datetime | None = None,
    ) -> str:
        if name in self.workflow_names():
            return super().start(name, input, instance_id=instance_id, start_at=start_at)
        from wfctl.ids import check_new_instance_id, new_instance_id

        if instance_id is None:
            instance_id = new_instance_id()
        check_new_instance_id(instance_id)
        self.store.instances.create_instance(
            instance_id, name, input, start_at=start_at, app=self.remote_app
        )
        if self.on_recorded is not None:
            self.on_recorded(instance_id)
        return instance_id


class GrpcSide:
    """The gRPC server and its remote front over the file ``path``; ``start()`` returns the
    bound port, ``stop()`` ends both and hands back the leases."""

    def __init__(
        self,
        proto: Any,
        path: Path,
        *,
        app_id: str,
        local: EmbeddedBackend,
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
        local_app = local.app_identity
        self.server = GrpcServer(
            proto,
            self._rpc_store,
            self.front,
            local_names=local.workflow_names,
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
