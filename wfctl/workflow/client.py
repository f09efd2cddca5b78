"""``DaprWorkflowClient`` for the embedded engine: the Dapr SDK client's methods, on SQLite.

Bound to one engine file (``wfctl.paths.default_db_path()`` — ``$WFCTL_DB`` — unless
``db_path`` is given); the SDK's connection arguments (host, port, logger_options, ...) are
accepted and ignored. Workflows are driven by whatever engine runs on the file: the app's own
``WorkflowRuntime.start()`` worker, ``wfctl worker``, ``wfctl serve`` or a CLI command.

What callers may rely on (as with a Dapr sidecar):
* ``schedule_new_workflow`` returns the instance ID (``uuid4().hex`` when not given,
  as the SDK's client makes it) once the instance has left PENDING — unless ``start_at``
  is given, or nothing drives the file within ``start_wait`` seconds (default 10);
* ``pause_workflow``/``resume_workflow``/``terminate_workflow`` return with the new status
  already visible to ``get_workflow_state``;
* ``wait_for_*`` take ``timeout_in_seconds`` (0 waits forever) and raise ``TimeoutError``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from wfctl.engine.registry import callable_name, default_app_identity
from wfctl.engine.serialization import to_json
from wfctl.engine.store import STATUS_HUB, Store
from wfctl.ids import new_instance_id
from wfctl.model import NotFoundError, RuntimeStatus
from wfctl.model import WorkflowState as _ModelState
from wfctl.workflow.state import UNSET, WorkflowState

_POLL = 0.05


class DaprWorkflowClient:
    """The Dapr SDK's workflow client over wfctl's embedded engine."""

    def __init__(
        self,
        host: str | None = None,
        port: str | None = None,
        logger_options: Any = None,
        *,
        db_path: str | Path | None = None,
        start_wait: float = 10.0,
        **_sdk_options: Any,
    ) -> None:
        if db_path is None:
            from wfctl.paths import default_db_path

            db_path = default_db_path()
        self._store = Store(db_path)
        self.start_wait = start_wait
        # The app that owns the instances this client starts (its runtime's, in a process).
        self.app_identity = default_app_identity()
        self._engine_key: str | None = None  # realpath of the file (see _start_here)
        # (instance ID, STATUS_HUB version) of the last start whose first turn this
        # process's engine applied, leaving it RUNNING: a wait for its completion need not
        # read the state until the hub moves on (one read less on the hot path).
        self._fresh: tuple[str, int] | None = None

    # ------------------------------------------------------------------ helpers
    def _await(
        self,
        instance_id: str,
        done: Callable[[_ModelState], bool],
        timeout: float | None,
        *,
        raise_on_timeout: bool = True,
        known_running: int | None = None,
    ) -> _ModelState | None:
        """Poll (woken by this process's status changes) until ``done(state)``.
        ``known_running``: a STATUS_HUB version at which the instance was known to be
        RUNNING, so the first read waits until the hub has moved past it."""
        deadline = None if not timeout else time.monotonic() + timeout
        if known_running is not None:
            STATUS_HUB.wait(known_running, min(_POLL, timeout) if timeout else _POLL)
        while True:
            seen = STATUS_HUB.version
            st = self._store.instances.get_state(instance_id)
            if st is None or done(st):
                return st
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                if raise_on_timeout:
                    raise TimeoutError(
                        f"workflow instance {instance_id!r} is still "
                        f"{st.runtime_status.value} after {timeout} s"
                    )
                return st
            STATUS_HUB.wait(seen, _POLL if left is None else min(_POLL, left))

    @staticmethod
    def _sdk(st: _ModelState | None, fetch_payloads: bool) -> WorkflowState | None:
        if st is None:
            return None
        if not fetch_payloads:
            st.serialized_input = st.serialized_output = st.serialized_custom_status = None
        return WorkflowState(st)

    def _start_here(self, iid: str, name: str, payload: str | None) -> bool:
        """With a worker of this process on the same file that knows ``name``, record the
        start and run its first turn in one commit. False when there is none."""
        from wfctl.engine.worker import local_engine

        if self._engine_key is None:
            self._engine_key = os.path.realpath(self._store.db.path)
        engine = local_engine(self._store.db.path, key=self._engine_key)
        if engine is None or name not in getattr(engine.registry, "workflows", {}):
            return False
        if engine.app is not None and engine.app != self.app_identity:
            return False
        req = engine.submit_start(iid, name, payload)
        if req is None:
            return False
        req.done.wait()  # always set: by the loop's commit, or as the loop stops
        if req.error is not None:
            raise req.error
        self._fresh = (iid, STATUS_HUB.version) if req.running else None
        return True

    # ------------------------------------------------------------------ the SDK surface
    def schedule_new_workflow(
        self,
        workflow: Callable[..., Any] | str,
        *,
        input: Any = None,
        instance_id: str | None = None,
        start_at: datetime | None = None,
        reuse_id_policy: Any = None,
    ) -> str:
        """Start ``workflow`` (a registered function or its name); return the instance ID."""
        name = callable_name(workflow)
        iid = instance_id or new_instance_id(sdk_client=True)
        payload = None if input is None else to_json(input)
        if start_at is None and self._start_here(iid, name, payload):
            return iid
        self._store.instances.create_instance(
            iid, name, payload, start_at=start_at, app=self.app_identity
        )
        if start_at is None:
            self._await(
                iid,
                lambda s: s.runtime_status != RuntimeStatus.PENDING,
                self.start_wait,
                raise_on_timeout=False,
            )
        return iid

    def get_workflow_state(
        self, instance_id: str, *, fetch_payloads: bool = True
    ) -> WorkflowState | None:
        """The instance's state, or None when there is no such instance."""
        return self._sdk(self._store.instances.get_state(instance_id), fetch_payloads)

    def wait_for_workflow_start(
        self, instance_id: str, *, fetch_payloads: bool = False, timeout_in_seconds: int = 0
    ) -> WorkflowState | None:
        """Block until the instance has left PENDING (0 s = forever); TimeoutError after."""
        st = self._await(
            instance_id,
            lambda s: s.runtime_status != RuntimeStatus.PENDING,
            timeout_in_seconds,
        )
        return self._sdk(st, fetch_payloads)

    def wait_for_workflow_completion(
        self, instance_id: str, *, fetch_payloads: bool = True, timeout_in_seconds: int = 0
    ) -> WorkflowState | None:
        """Block until the instance has finished (0 s = forever); TimeoutError after."""
        fresh, self._fresh = self._fresh, None
        st = self._await(
            instance_id,
            lambda s: s.runtime_status.is_terminal,
            timeout_in_seconds,
            known_running=fresh[1] if fresh is not None and fresh[0] == instance_id else None,
        )
        return self._sdk(st, fetch_payloads)

    def raise_workflow_event(self, instance_id: str, event_name: str, *, data: Any = None) -> None:
        """Send an event; falsy ``data`` arrives as no payload. Events for finished or unknown
        instances are dropped."""
        payload = to_json(data) if data else None
        self._store.manage.raise_event(instance_id, event_name, payload)

    def terminate_workflow(
        self, instance_id: str, *, output: Any = None, recursive: bool = True
    ) -> None:
        """End the instance (and its children) as TERMINATED; finished ones are left alone."""
        payload = None if output is None else to_json(output)
        if self._store.manage.terminate(instance_id, payload, recursive=recursive) is None:
            raise NotFoundError(f"no workflow instance with ID {instance_id!r}")

    def pause_workflow(self, instance_id: str) -> None:
        """Suspend the instance; returns once it reads SUSPENDED (or finished)."""
        if self._store.manage.suspend(instance_id) is None:
            raise NotFoundError(f"no workflow instance with ID {instance_id!r}")

    def resume_workflow(self, instance_id: str) -> None:
        """Resume a suspended instance; returns once it reads RUNNING again."""
        if self._store.manage.resume(instance_id) is None:
            raise NotFoundError(f"no workflow instance with ID {instance_id!r}")

    def purge_workflow(self, instance_id: str, recursive: bool = True) -> None:
        """Delete a finished instance (and its finished children when ``recursive``, as
        daprd); ConflictError when active."""
        self._store.manage.purge(instance_id, recursive=recursive)

    def rerun_workflow_from_event(
        self,
        instance_id: str,
        event_id: int,
        *,
        new_instance_id: str | None = None,
        input: Any = UNSET,
        new_child_workflow_instance_id: str | None = None,
        app_id: str | None = None,
    ) -> str:
        """A new instance that replays the finished ``instance_id`` up to event ``event_id``
        (an activity's TaskScheduled, or a root's child creation) and runs on from there,
        with ``input`` as that step's new input when given; returns its ID (see
        :meth:`wfctl.engine.manage.Manage.rerun`). The source app's worker runs it."""
        if new_child_workflow_instance_id is not None or app_id is not None:
            raise NotImplementedError(
                "rerun_workflow_from_event: new_child_workflow_instance_id and app_id are not"
                " supported by wfctl's engine"
            )
        overwrite = input is not UNSET
        payload = None if not overwrite or input is None else to_json(input)
        return self._store.manage.rerun(
            instance_id,
            event_id,
            new_instance_id=new_instance_id,
            new_input=payload,
            overwrite_input=overwrite,
        )

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> DaprWorkflowClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
