"""The Backend protocol: every CLI command is one call on one of these.

Payloads (input, output, event data, custom status) are raw JSON *text*, passed through as-is,
exactly as the Dapr HTTP API carries them. ``None`` means "no payload".

Every method raises only :class:`wfctl.model.WfctlError` subclasses on purpose; the CLI maps
them to exit codes. Implementations: :class:`wfctl.backend.http.HttpBackend` (a Dapr sidecar or
``wfctl serve``) and :class:`wfctl.backend.embedded.EmbeddedBackend` (the SQLite engine).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from wfctl.model import HistoryEntry, PurgeResult, RuntimeStatus, WaitTimeoutError, WorkflowState

WaitFor = Literal["start", "completion"]
#: However short the time left, a wait reads each instance once, with up to this long to answer
#: (so ``wait --timeout 0`` reports a finished instance instead of timing out at once).
FIRST_READ = 1.0


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
    exc.status = status  # type: ignore[attr-defined]  # for a caller that words it anew
    return exc


def unanswered_wait(instance_id: str, timeout: float | None, location: str) -> WaitTimeoutError:
    """The message a ``wait`` gives up with when the server never answered its first read
    before the wait's deadline (it may be connecting still, or stalled)."""
    seconds = round(float(timeout or 0), 3)
    text = str(int(seconds)) if seconds.is_integer() else repr(seconds)
    return WaitTimeoutError(
        f"gave up on instance {instance_id!r} after {text}s: {location} did not answer"
    )


@runtime_checkable
class Backend(Protocol):
    """What wfctl asks of a place where workflows run."""

    #: A short description for messages, e.g. ``http://127.0.0.1:3500`` or ``/path/wfctl.db``.
    location: str

    def start(
        self,
        name: str,
        input: str | None = None,
        *,
        instance_id: str | None = None,
        start_at: datetime | None = None,
    ) -> str:
        """Schedule a new instance of workflow ``name``; return its instance ID.

        ConflictError when an *active* instance has ``instance_id``; a finished one is replaced.
        """
        ...

    def get(self, instance_id: str) -> WorkflowState:
        """The instance's current state; NotFoundError when there is none."""
        ...

    def pause(self, instance_id: str) -> None: ...

    def resume(self, instance_id: str) -> None: ...

    def terminate(self, instance_id: str, output: str | None = None) -> None:
        """End the instance (and its children) as TERMINATED; a finished one is left alone."""
        ...

    def raise_event(self, instance_id: str, event_name: str, data: str | None = None) -> None: ...

    def purge(self, instance_id: str) -> None:
        """Delete a finished instance and its children; ConflictError when it is still active."""
        ...

    def wait(
        self,
        instance_id: str,
        *,
        until: WaitFor = "completion",
        timeout: float | None = None,
        interval: float = 0.5,
    ) -> WorkflowState:
        """Block until the instance has started (left PENDING) or reached a terminal status.

        Returns the state at that moment; WaitTimeoutError when ``timeout`` seconds pass first.
        """
        ...

    # The calls below exist only where the backend can answer them; others raise
    # UnsupportedError with a sentence that says so.

    def rerun(
        self,
        instance_id: str,
        event_id: int,
        *,
        new_instance_id: str | None = None,
        new_input: str | None = None,
        overwrite_input: bool = False,
    ) -> str:
        """Start a new instance (``new_instance_id``, else a generated ID; returned) that keeps
        the finished instance's history up to Durable Task event ``event_id`` (an activity's
        TaskScheduled, or a root workflow's ChildWorkflowCreated, as ``history`` numbers them)
        and runs on from there; with ``overwrite_input`` that step gets ``new_input``. The
        source is untouched. NotFoundError: no such instance; ConflictError: it is not
        finished, or the new ID is the source's or taken; UsageError: not such an event."""
        ...

    def list_instances(
        self,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        name: str | None = None,
        max_age: float | None = None,
        limit: int | None = None,
    ) -> list[WorkflowState]:
        """Instances, newest first, filtered; payloads may be left out."""
        ...

    def history(self, instance_id: str) -> list[HistoryEntry]: ...

    def purge_older_than(
        self,
        older_than: float,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        dry_run: bool = False,
    ) -> PurgeResult:
        """Purge finished instances last updated more than ``older_than`` seconds ago."""
        ...

    def close(self) -> None: ...
