"""The embedded backend: every Backend call on the SQLite engine file, with no sidecar.

Each mutating call records its change durably first (one transaction), then drives the engine
until the instances it touched (and their families) are idle — finished, or waiting only for
an event or a future timer — for at most ``drive_limit`` seconds (``None``: no limit), or not
at all with ``detach=True``. Past the limit the activities in flight finish, the claims are
handed back and the call returns; another command, ``wfctl worker`` or ``wfctl serve`` carries
on. Every call first fires timers (and delayed starts) that are due.

The app (``app``: module or file, ``None`` = built-in demo) is imported only by calls that
run workflow code; ``get``/``list_instances``/``history``/``purge*`` import it only when a
timer has fallen due (and then ignore an app that fails to import). Reads of a database file
that does not exist answer as for an empty one and create nothing (nor does a change to an
instance that cannot be there); ``start`` creates it. Importing this module is cheap: the
engine is imported on first use.

With ``remote_app`` (``wfctl serve --grpc-port``) a workflow the in-process app does not
register is recorded for that app's remote workers, and not driven here: it waits PENDING
until a worker takes it, and :meth:`EmbeddedBackend.pending_reason` says so.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wfctl.backend.protocol import (
    Backend,
    Capability,
    OnRecorded,
    Progress,
    WaitFor,
    wait_reached,
    wait_timeout,
)
from wfctl.model import (
    HistoryEntry,
    NotFoundError,
    PurgeResult,
    RuntimeStatus,
    UsageError,
    WfctlError,
    WorkflowState,
)

if TYPE_CHECKING:
    from wfctl.engine.background import WorkerHandle
    from wfctl.engine.store import Store
    from wfctl.engine.worker import Engine


READ_FIRE_LIMIT = 2.0  # how long a read (status, list, history) may drive due timers


def _not_found(instance_id: str, where: object) -> NotFoundError:
    return NotFoundError(f"no workflow instance with ID {instance_id!r} in {where}")


class EmbeddedBackend(Backend):
    """The Backend interface over ``wfctl.engine`` (see the module docstring); it has every
    capability."""

    capabilities = frozenset(Capability)

    def __init__(
        self,
        db_path: str | Path,
        *,
        app: str | None = None,
        registry: Any = None,
        drive_limit: float | None = 30.0,
        detach: bool = False,
        concurrency: int = 8,
        remote_app: str | None = None,
        workers: Callable[[], int | None] | None = None,
    ) -> None:
        self.db_path = Path(db_path)
        #: The app identity of remote workers (serve --grpc-port), who run the workflows the
        #: in-process app does not register; ``workers()`` says how many are connected.
        self.remote_app = remote_app
        self._workers = workers
        self.location = str(self.db_path)
        self.app = app
        self.drive_limit = drive_limit
        self.detach = detach
        self.concurrency = concurrency
        self._registry = registry
        self._store: Store | None = None
        self._engine: Engine | None = None
        self._init_lock = threading.RLock()  # serve calls from several threads

    # ------------------------------------------------------------------ lazy parts
    @property
    def store(self) -> Store:
        if self._store is None:
            with self._init_lock:
                if self._store is None:
                    from wfctl.engine.store import Store

                    self._store = Store(self.db_path)
        return self._store

    @property
    def app_identity(self) -> str | None:
        """The identity of this backend's app, recorded on the instances it starts; its
        engine drives only those (and instances with no identity). Known without importing
        the app: the given registry's, else ``wfctl.engine.appid.app_identity(app)``."""
        if self._registry is not None:
            return getattr(self._registry, "app_identity", None)
        from wfctl.engine.appid import app_identity

        return app_identity(self.app)

    def _absent(self) -> bool:
        """Whether the database file does not exist (and is not open): reads then answer as
        for an empty database and create nothing; the first change creates it."""
        return self._store is None and str(self.db_path) != ":memory:" and not self.db_path.exists()

    def registry(self) -> Any:
        """The app's registry (imported on first use); its workflow names go into the file."""
        if self._registry is None:
            with self._init_lock:
                if self._registry is None:
                    from wfctl import demo
                    from wfctl.workflow.loader import load_app

                    registry = load_app(self.app, default=demo.registry)
                    self._registry = registry
                    self.store.instances.register_workflows(self.workflow_names())
        return self._registry

    def _known_names(self) -> list[str] | None:
        try:
            return self.workflow_names()
        except WfctlError:
            return None

    def workflow_names(self) -> list[str]:
        """The workflow names the app registers (importing it)."""
        from wfctl.engine.background import workflow_names

        return workflow_names(self.registry())

    def engine(self) -> Engine:
        if self._engine is None:
            with self._init_lock:
                if self._engine is None:
                    from wfctl.engine.worker import Engine

                    self._engine = Engine(
                        self.db_path, self.registry(), concurrency=self.concurrency
                    )
        return self._engine

    def drive(
        self,
        instance_ids: Sequence[str] | None = None,
        *,
        until: WaitFor | str = "idle",
        limit: float | None = None,
    ) -> bool:
        """Drive these instances' families (all, when None) until idle / started /
        completed, for at most ``limit`` seconds; whether the condition held."""
        return self.engine().drive(instance_ids, until=until, limit=limit)  # type: ignore[arg-type]

    def _settle(
        self, ids: Sequence[str], *, required: bool = True, limit: float | None = None
    ) -> None:
        if self.detach or self.drive_limit == 0:
            return
        try:
            engine = self.engine()
        except WfctlError:
            if required:
                raise
            return
        if limit is None or (self.drive_limit is not None and self.drive_limit < limit):
            limit = self.drive_limit
        engine.drive(ids, until="idle", limit=limit)

    def fire_due_timers(self, *, limit: float | None = READ_FIRE_LIMIT) -> None:
        """Drive the families with a timer or delayed start that has fallen due, for at most
        ``limit`` seconds (capped by the drive limit). An app that fails to import is
        skipped here: the calls that need it report it."""
        if self.detach or self.drive_limit == 0 or self._absent():
            return
        app = self.app_identity
        if not self.store.queues.due_timer_roots(limit=1, app=app):
            return  # nothing of this app is due: the app is not even imported
        names = self._known_names()
        if names is None:
            return  # the app fails to import: the calls that need it say so
        roots = self.store.queues.due_timer_roots(workflows=names, app=app)
        if roots:
            self._settle(roots, required=False, limit=limit)

    def start_worker(self, concurrency: int = 8) -> WorkerHandle:
        """Drive the whole file in a background thread (for ``wfctl serve``);
        ``handle.stop(timeout)`` finishes activities in flight and hands back the leases."""
        from wfctl.engine.background import start_worker

        return start_worker(self.db_path, self.registry(), concurrency=concurrency)

    # ------------------------------------------------------------------ Backend
    def start(
        self,
        name: str,
        input: str | None = None,
        *,
        instance_id: str | None = None,
        start_at: datetime | None = None,
        on_recorded: OnRecorded | None = None,
    ) -> str:
        """Record a new instance of ``name`` (UsageError naming the known workflows when the
        app has no such workflow), then drive it. With ``remote_app``, a workflow the app
        does not register is recorded for the remote workers instead, and not driven."""
        known = self.workflow_names()
        if self.remote_app is not None and name not in known:
            return self._start_remote(name, input, instance_id, start_at, on_recorded)
        if name not in known:
            listing = ", ".join(known) if known else "none"
            raise UsageError(
                f"unknown workflow {name!r}: the app registers {listing}"
                + ("" if self.app else " (use --app to load your own workflows)")
            )
        if instance_id is not None:
            from wfctl.ids import check_new_instance_id

            check_new_instance_id(instance_id)
        self.fire_due_timers(limit=None)
        if instance_id is None:
            from wfctl.ids import new_instance_id

            instance_id = new_instance_id()
        iid = instance_id
        self.store.instances.create_instance(
            iid, name, input, start_at=start_at, app=self.app_identity
        )
        if on_recorded is not None:
            on_recorded(iid)
        self._settle([iid])
        return iid

    def _start_remote(
        self,
        name: str,
        input: str | None,
        instance_id: str | None,
        start_at: datetime | None,
        on_recorded: OnRecorded | None,
    ) -> str:
        from wfctl.ids import check_new_instance_id, new_instance_id

        if instance_id is None:
            instance_id = new_instance_id()
        check_new_instance_id(instance_id)
        self.store.instances.create_instance(
            instance_id, name, input, start_at=start_at, app=self.remote_app
        )
        if on_recorded is not None:
            on_recorded(instance_id)
        return instance_id

    def pending_reason(self, instance_id: str) -> str | None:
        """Why a PENDING instance of the remote workers has not started: what `wfctl status`
        shows as "Waiting for" (None when it is not such an instance)."""
        if self.remote_app is None or self._absent():
            return None
        st = self.store.instances.get_state(instance_id)
        if st is None or st.runtime_status is not RuntimeStatus.PENDING:
            return None
        if self.store.instances.app_of(instance_id) != self.remote_app:
            return None
        app_id = self.remote_app.removeprefix("grpc:")
        n = None if self._workers is None else self._workers()
        if n == 0:
            return f"a gRPC worker of app {app_id!r} (none is connected)"
        return f"a gRPC worker of app {app_id!r} to take it (none has run it yet)"

    def get(self, instance_id: str) -> WorkflowState:
        """The instance's state; NotFoundError when there is none (or no database file)."""
        if self._absent():
            raise _not_found(instance_id, self.location)
        self.fire_due_timers()
        st = self.store.instances.get_state(instance_id)
        if st is None:
            raise _not_found(instance_id, self.location)
        return st

    def _require(self, instance_id: str) -> None:
        """NotFoundError, without creating the file, when there is no database file."""
        if self._absent():
            raise _not_found(instance_id, self.location)

    def pause(self, instance_id: str) -> None:
        self._require(instance_id)
        self.fire_due_timers(limit=None)
        if self.store.manage.suspend(instance_id) is None:
            raise _not_found(instance_id, self.location)
        self._settle([instance_id], required=False)

    def resume(self, instance_id: str) -> None:
        self._require(instance_id)
        self.fire_due_timers(limit=None)
        if self.store.manage.resume(instance_id) is None:
            raise _not_found(instance_id, self.location)
        self._settle([instance_id])

    def terminate(self, instance_id: str, output: str | None = None) -> None:
        self._require(instance_id)
        self.fire_due_timers(limit=None)
        if self.store.manage.terminate(instance_id, output) is None:
            raise _not_found(instance_id, self.location)
        self._settle([instance_id], required=False)

    def raise_event(self, instance_id: str, event_name: str, data: str | None = None) -> None:
        """Queue the event (an event for a finished instance is dropped), then drive."""
        self._require(instance_id)
        self.fire_due_timers(limit=None)
        if self.store.manage.raise_event(instance_id, event_name, data) is None:
            raise _not_found(instance_id, self.location)
        self._settle([instance_id])

    def purge(self, instance_id: str) -> None:
        self._require(instance_id)
        self.fire_due_timers(limit=None)
        if not self.store.manage.purge(instance_id):
            raise _not_found(instance_id, self.location)

    def rerun(
        self,
        instance_id: str,
        event_id: int,
        *,
        new_instance_id: str | None = None,
        new_input: str | None = None,
        overwrite_input: bool = False,
        on_recorded: OnRecorded | None = None,
    ) -> str:
        """Record the rerun (see :meth:`wfctl.engine.manage.Manage.rerun`), then drive the new
        instance as ``start`` does. The new instance belongs to the source's app, which runs
        it: this process when that is its app, else a worker of it (gRPC workers included)."""
        self._require(instance_id)
        if new_instance_id is not None:
            from wfctl.ids import check_new_instance_id

            check_new_instance_id(new_instance_id)
        self.fire_due_timers(limit=None)
        try:
            iid = self.store.manage.rerun(
                instance_id,
                event_id,
                new_instance_id=new_instance_id,
                new_input=new_input,
                overwrite_input=overwrite_input,
            )
        except NotFoundError:  # purged meanwhile
            raise _not_found(instance_id, self.location) from None
        if on_recorded is not None:
            on_recorded(iid)
        self._settle([iid])
        return iid

    def foreign_app(self, instance_id: str) -> str | None:
        """The identity of the app that owns the instance when it is not this backend's
        app (so nothing in this process will run it), else None."""
        if self._absent():
            return None
        owner = self.store.instances.app_of(instance_id)
        return owner if owner and owner != self.app_identity else None

    def wait(
        self,
        instance_id: str,
        *,
        until: WaitFor = "completion",
        timeout: float | None = None,
        interval: float = 0.5,
    ) -> WorkflowState:
        """Drive the instance until it has started / finished; WaitTimeoutError after
        ``timeout`` seconds (None: no limit)."""

        def met(st: WorkflowState) -> bool:
            return wait_reached(st.runtime_status, until)

        st = self.get(instance_id)
        if not met(st):
            if timeout is None or timeout > 0:
                self.engine().drive([instance_id], until=until, limit=timeout)
            st = self.get(instance_id)
            if not met(st):
                raise wait_timeout(instance_id, until, timeout, st.runtime_status)
        return st

    def let_run(self, instance_id: str, seconds: float) -> None:
        """Drive the instance for up to ``seconds`` (less when it finishes first)."""
        import contextlib

        from wfctl.model import WaitTimeoutError

        with contextlib.suppress(WaitTimeoutError):
            self.wait(instance_id, timeout=seconds, interval=seconds)

    def list_instances(
        self,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        name: str | None = None,
        max_age: float | None = None,
        limit: int | None = None,
    ) -> list[WorkflowState]:
        """Instances newest first (input and output left out); none without a file."""
        if self._absent():
            return []
        self.fire_due_timers()
        return self.store.instances.list_instances(
            statuses=statuses, name=name, max_age=max_age, limit=limit
        )

    def count_by_status(self, *, name: str | None = None) -> dict[RuntimeStatus, int]:
        """How many instances have each status (the web view's counts); {} without a file."""
        return {} if self._absent() else self.store.browse.count_by_status(name=name)

    def page_instances(
        self,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        name: str | None = None,
        id_prefix: str | None = None,
        max_age: float | None = None,
        limit: int = 50,
        after: str | None = None,
    ) -> tuple[list[WorkflowState], str | None]:
        """One page of instances newest first and the next page's cursor, ``CREATED:ROWID``
        (see :meth:`wfctl.engine.browse.Browse.page_instances`)."""
        from wfctl.backend.entries import parse_cursor

        cursor = parse_cursor(after)
        if self._absent():
            return [], None
        states, nxt = self.store.browse.page_instances(
            statuses=statuses,
            name=name,
            id_prefix=id_prefix,
            max_age=max_age,
            limit=limit,
            after=cursor,
        )
        return states, None if nxt is None else f"{nxt[0]!r}:{nxt[1]}"

    def history(self, instance_id: str) -> list[HistoryEntry]:
        """The instance's history as a timeline (turn markers left out)."""
        self._require(instance_id)
        self.fire_due_timers()
        events = self.store.instances.history(instance_id)
        if events is None:
            raise _not_found(instance_id, self.location)
        from wfctl.backend.entries import history_entries

        return history_entries(events)

    def history_with_waits(self, instance_id: str) -> tuple[list[HistoryEntry], list[str]]:
        """The history and the event names the instance's last turn said it waits for
        (for :func:`wfctl.waiting.derive`)."""
        entries = self.history(instance_id)  # NotFoundError without a file: none is made
        return entries, self.store.instances.waiting_for(instance_id)

    def purge_older_than(
        self,
        older_than: float,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> PurgeResult:
        """Purge finished instances last updated over ``older_than`` s ago, in batches;
        ``progress(done, total)`` is called after each batch."""
        if self._absent():
            return PurgeResult(instance_ids=[], dry_run=dry_run)
        self.fire_due_timers()
        ids = self.store.manage.purge_older_than(
            older_than, statuses=statuses, dry_run=dry_run, progress=progress
        )
        return PurgeResult(instance_ids=ids, dry_run=dry_run)

    def close(self) -> None:
        """Release every claim and close the file."""
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        if self._store is not None:
            self._store.close()
            self._store = None
