"""Running an engine (:class:`wfctl.engine.worker.Engine`): in a background thread of this
process (:func:`start_worker`, and :func:`start_runtime_worker` for ``WorkflowRuntime.start()``),
or as the ``wfctl worker`` process (:func:`run_worker`).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from wfctl.engine.store import HUB
from wfctl.engine.worker import Engine
from wfctl.model import WfctlError

log = logging.getLogger("wfctl.engine")


def workflow_names(registry: Any) -> list[str]:
    """The workflow names a registry knows (tolerant of the registry's shape)."""
    for attr in ("workflow_names", "workflows", "_workflows"):
        v = getattr(registry, attr, None)
        if callable(v):
            v = v()
        if v is not None:
            return sorted(v)
    return []


class WorkerHandle:
    """A background engine thread; ``stop()`` finishes activities in flight and hands back
    its leases."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Why the engine stopped by itself (a database that became unusable), in one log
        # line rather than a thread traceback; an owner that reports it itself (serve, on
        # its way out) sets ``report`` False.
        self.error: BaseException | None = None
        self.report = True
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wfctl-engine", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.engine.run_forever(self._stop)
        except BaseException as exc:
            self.error = exc
            if not isinstance(exc, WfctlError):
                log.exception("wfctl engine: unexpected error; the engine stopped")
            elif self.report:
                log.error("wfctl engine: %s; the engine stopped", exc)
        finally:
            self.engine.close()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        HUB.bump()
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()


def start_worker(
    db_path: str | Path, registry: Any, *, concurrency: int = 8, executor: Any = None
) -> WorkerHandle:
    """Drive every instance of ``db_path`` in a background thread until ``handle.stop()``."""
    engine = Engine(db_path, registry, executor=executor, concurrency=concurrency)
    engine.store.instances.register_workflows(workflow_names(registry))
    return WorkerHandle(engine)


def start_runtime_worker(registry: Any, *, concurrency: int | None = None) -> WorkerHandle:
    """What ``WorkflowRuntime.start()`` calls: a background worker on the default database
    (``wfctl.paths.default_db_path()``, which honours ``WFCTL_DB``), running at most
    ``concurrency`` activities at once (None: 8)."""
    from wfctl.paths import default_db_path

    return start_worker(default_db_path(), registry, concurrency=concurrency or 8)


def run_worker(db_path: str | Path, registry: Any, *, concurrency: int = 8) -> int:
    """``wfctl worker``: drive the file with ``registry``'s workflows and activities until
    SIGTERM or SIGINT, then finish the activities in flight, hand back every lease and
    return 0."""
    import signal

    engine = Engine(db_path, registry, concurrency=concurrency)
    try:
        engine.store.db.check_writable()  # read-only: exit 8 now, not on the first write
        engine.store.instances.register_workflows(workflow_names(registry))
    except BaseException:
        engine.close()
        raise
    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()
        HUB.bump()

    old = {s: signal.signal(s, _on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        engine.run_forever(stop)
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        engine.close()
    return 0
