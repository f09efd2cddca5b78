"""The Backend interface: every call the CLI and `wfctl serve` make on a place where workflows run.

One abstract class holds every capability; each backend declares the optional ones it has in
``capabilities`` (as huey's storages declare theirs), and a call it lacks raises
:class:`~wfctl.model.UnsupportedError` (exit 2) with a sentence naming the way out. Nothing
outside a backend probes it with ``hasattr`` or assigns onto it: a front asks
:meth:`Backend.supports` when it only wants to know, and passes notices (``on_recorded``,
``progress``) as arguments.

Payloads (input, output, event data, custom status) are raw JSON *text*, passed through as-is,
exactly as the Dapr HTTP API carries them. ``None`` means "no payload". Every method raises only
:class:`wfctl.model.WfctlError` subclasses on purpose; the CLI maps them to exit codes.

Implementations: :class:`wfctl.backend.embedded.EmbeddedBackend` (the SQLite engine; every
capability), :class:`wfctl.backend.http.HttpBackend` (daprd's HTTP API: none; `wfctl serve`:
the read and rerun extensions, learned from the first answer) and
:class:`wfctl.backend.grpc.GrpcBackend` (the Durable Task RPCs of daprd or `serve --grpc-port`).
tests/contract runs one suite against all of them, and checks each declaration.
"""

from __future__ import annotations

import abc
import enum
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from wfctl.model import (
    HistoryEntry,
    PurgeResult,
    RuntimeStatus,
    UnsupportedError,
    WaitTimeoutError,
    WorkflowState,
)
from wfctl.waiting import WaitFor, wait_reached

__all__ = [
    "Backend",
    "Capability",
    "OnRecorded",
    "Progress",
    "WaitFor",
    "FIRST_READ",
    "unanswered_wait",
    "wait_reached",
    "wait_timeout",
]

#: Called with a new instance's ID once its start (or rerun) is durable, before the call
#: drives it (the CLI prints the ID at once through it).
OnRecorded = Callable[[str], None]
#: Called with (done, total) as a bulk purge goes.
Progress = Callable[[int, int], None]


class Capability(str, enum.Enum):
    """An optional part of the interface; the value is how messages name it."""

    LIST = "list"  #: list_instances
    PAGE = "page"  #: page_instances: pages of a filtered listing, for bulk actions
    COUNT = "count"  #: count_by_status, for the web view
    HISTORY = "history"  #: history and history_with_waits
    RERUN = "rerun"  #: rerun
    BULK_PURGE = "bulk purge"  #: purge_older_than
    WORKFLOWS = "workflows"  #: workflow_names: what the app registers
    DELAYED_START = "delayed start"  #: start(start_at=...)
    TERMINATE_OUTPUT = "terminate output"  #: terminate(output=...)


def wait_timeout(
    instance_id: str, until: WaitFor, timeout: float | None, status: RuntimeStatus
) -> WaitTimeoutError:
    """The one message every backend's ``wait`` gives up with."""
    seconds = round(float(timeout or 0), 3)
    text = str(int(seconds)) if seconds.is_integer() else repr(seconds)
    what = "started" if until == "start" else "finished"
    exc = WaitTimeoutError(
        f"instance {instance_id!r} has not {what} after {text}s (it is {status.value})"
    )
    exc.status = status  # for a caller that words it anew
    return exc


#: However short the time left, a wait reads each instance once, with up to this long to answer
#: (so ``wait --timeout 0`` reports a finished instance instead of timing out at once).
FIRST_READ = 1.0


def unanswered_wait(instance_id: str, timeout: float | None, location: str) -> WaitTimeoutError:
    """The message a ``wait`` gives up with when the server never answered its first read
    before the wait's deadline (it may be connecting still, or stalled)."""
    seconds = round(float(timeout or 0), 3)
    text = str(int(seconds)) if seconds.is_integer() else repr(seconds)
    return WaitTimeoutError(
        f"gave up on instance {instance_id!r} after {text}s: {location} did not answer"
    )


class Backend(abc.ABC):
    """What wfctl asks of a place where workflows run (see the module docstring)."""

    #: A short description for messages, e.g. ``http://127.0.0.1:3500`` or ``/path/wfctl.db``.
    location: str
    #: The optional calls this backend answers; the others raise UnsupportedError.
    capabilities: frozenset[Capability] = frozenset()

    # ------------------------------------------------------------------ capabilities
    def supports(self, capability: Capability) -> bool:
        """Whether the optional call ``capability`` works here (never a request of its own
        when the backend already knows; HttpBackend learns it once per connection)."""
        return capability in self.capabilities

    def way_out(self, capability: Capability) -> str:
        """What a user can do instead, for the message of :meth:`unsupported`."""
        return "use --embedded, or point --url at `wfctl serve`"

    def unsupported(self, capability: Capability, *, why: str = "") -> UnsupportedError:
        """The one error of a call this backend lacks (``why``: how it found out)."""
        why = why or f"{self.location} cannot answer it"
        exc = UnsupportedError(
            f"{capability.value} needs another backend ({why}): {self.way_out(capability)}"
        )
        exc.capability = capability
        return exc

    def require(self, capability: Capability) -> None:
        """UnsupportedError unless the backend has ``capability``."""
        if not self.supports(capability):
            raise self.unsupported(capability)

    # ------------------------------------------------------------------ every backend
    @abc.abstractmethod
    def start(
        self,
        name: str,
        input: str | None = None,
        *,
        instance_id: str | None = None,
        start_at: datetime | None = None,
        on_recorded: OnRecorded | None = None,
    ) -> str:
        """Schedule a new instance of workflow ``name``; return its instance ID.

        ConflictError when an *active* instance has ``instance_id``; a finished one is replaced.
        ``start_at`` needs DELAYED_START. ``on_recorded(id)`` is called once the start is
        durable, before the call drives it (a remote backend calls it as it returns).
        """

    @abc.abstractmethod
    def get(self, instance_id: str) -> WorkflowState:
        """The instance's current state; NotFoundError when there is none."""

    @abc.abstractmethod
    def pause(self, instance_id: str) -> None: ...

    @abc.abstractmethod
    def resume(self, instance_id: str) -> None: ...

    @abc.abstractmethod
    def terminate(self, instance_id: str, output: str | None = None) -> None:
        """End the instance (and its children) as TERMINATED; a finished one is left alone.
        An ``output`` needs TERMINATE_OUTPUT."""

    @abc.abstractmethod
    def raise_event(self, instance_id: str, event_name: str, data: str | None = None) -> None: ...

    @abc.abstractmethod
    def purge(self, instance_id: str) -> None:
        """Delete a finished instance and its children; ConflictError when it is still active."""

    @abc.abstractmethod
    def wait(
        self,
        instance_id: str,
        *,
        until: WaitFor = "completion",
        timeout: float | None = None,
        interval: float = 0.5,
    ) -> WorkflowState:
        """Block until :func:`wfctl.waiting.wait_reached` holds for the instance's status.

        Returns the state at that moment; WaitTimeoutError when ``timeout`` seconds pass first.
        """

    def let_run(self, instance_id: str, seconds: float) -> None:
        """Give the instance ``seconds`` to make progress (a watching command between two
        reads). A remote backend sleeps, as the server runs it; the embedded one drives it."""
        time.sleep(seconds)

    def pending_reason(self, instance_id: str) -> str | None:
        """What a PENDING instance waits for, when the backend can say (a worker); else None."""
        return None

    def foreign_app(self, instance_id: str) -> str | None:
        """The app that owns the instance when nothing in this process will run it (an
        embedded backend whose app is another); None when that is not so or not knowable."""
        return None

    @abc.abstractmethod
    def close(self) -> None: ...

    # ------------------------------------------------------------------ optional calls
    def list_instances(
        self,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        name: str | None = None,
        max_age: float | None = None,
        limit: int | None = None,
    ) -> list[WorkflowState]:
        """LIST: instances, newest first, filtered; payloads may be left out."""
        raise self.unsupported(Capability.LIST)

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
        """PAGE: up to ``limit`` instances newest first, from the cursor ``after``, and the
        cursor of the next page (None: the last). Cursors are opaque text of this backend;
        UsageError for one it did not give out."""
        raise self.unsupported(Capability.PAGE)

    def count_by_status(self, *, name: str | None = None) -> dict[RuntimeStatus, int]:
        """COUNT: how many instances (of workflow ``name``) have each status."""
        raise self.unsupported(Capability.COUNT)

    def history(self, instance_id: str) -> list[HistoryEntry]:
        """HISTORY: the instance's history as a timeline; NotFoundError when there is none."""
        raise self.unsupported(Capability.HISTORY)

    def history_with_waits(self, instance_id: str) -> tuple[list[HistoryEntry], list[str]]:
        """HISTORY: the history and the event names the instance waits for, where the backend
        knows them (a waiting turn records them; history cannot tell): for
        :func:`wfctl.waiting.derive`."""
        return self.history(instance_id), []

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
        """RERUN: start a new instance (``new_instance_id``, else a generated ID; returned)
        that keeps the finished instance's history up to Durable Task event ``event_id`` (an
        activity's TaskScheduled, or a root workflow's ChildWorkflowCreated, as ``history``
        numbers them) and runs on from there; with ``overwrite_input`` that step gets
        ``new_input``. The source is untouched. NotFoundError: no such instance;
        ConflictError: it is not finished, or the new ID is the source's or taken;
        UsageError: not such an event. ``on_recorded`` as for :meth:`start`."""
        raise self.unsupported(Capability.RERUN)

    def purge_older_than(
        self,
        older_than: float,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> PurgeResult:
        """BULK_PURGE: purge finished instances last updated over ``older_than`` s ago;
        ``progress(done, total)`` where the backend purges in batches."""
        raise self.unsupported(Capability.BULK_PURGE)

    def workflow_names(self) -> list[str]:
        """WORKFLOWS: the workflow names the app registers, sorted."""
        raise self.unsupported(Capability.WORKFLOWS)
