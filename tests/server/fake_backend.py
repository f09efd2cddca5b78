"""An in-memory Backend with the engine's observable rules, for testing the HTTP layer alone.

Rules mirrored from ../shared/API.md and ENGINE.md: start of an active ID conflicts, of a
finished one replaces it; unknown IDs raise NotFoundError; purge of an active instance
conflicts; terminate/raise/pause/resume of a finished instance do nothing. An unknown workflow
name is refused with a UsageError naming the known ones, as EmbeddedBackend does.
Every call records the thread it ran on, so tests can prove it ran off-loop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone

from wfctl.backend.protocol import Backend, Capability, OnRecorded
from wfctl.model import (
    ConflictError,
    HistoryEntry,
    NotFoundError,
    PurgeResult,
    RuntimeStatus,
    StorageError,
    UsageError,
    WaitTimeoutError,
    WorkflowState,
)

KNOWN = {"hello_world_wf", "slow_wf"}
ACTIVE = {RuntimeStatus.PENDING, RuntimeStatus.RUNNING, RuntimeStatus.SUSPENDED}


def _now() -> datetime:
    return datetime.now(timezone.utc)


class FakeBackend(Backend):
    location = "memory"
    capabilities = frozenset({Capability.LIST, Capability.HISTORY, Capability.BULK_PURGE})

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.states: dict[str, WorkflowState] = {}
        self.events: dict[str, list[tuple[str, str | None]]] = {}
        self.history_rows: dict[str, list[HistoryEntry]] = {}
        self.call_threads: list[int] = []
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        # Set to make `get("block")` wait until released (proves the loop stays free).
        self.release = threading.Event()
        self.fail_next: Exception | None = None
        self.closed = False
        # Times of starts, updates and history rows; tests may set a clock of their own.
        self.clock: Callable[[], datetime] = _now

    def _enter(self, name: str, *args: object) -> None:
        self.call_threads.append(threading.get_ident())
        self.calls.append((name, args))
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            raise exc

    def _state(self, instance_id: str) -> WorkflowState:
        state = self.states.get(instance_id)
        if state is None:
            raise NotFoundError(f"no workflow instance {instance_id!r}")
        return state

    def _log(self, instance_id: str, kind: str, name: str = "", details: str = "") -> None:
        rows = self.history_rows.setdefault(instance_id, [])
        rows.append(HistoryEntry(len(rows), kind, self.clock(), name=name, details=details))

    # ------------------------------------------------------------------ the protocol

    def start(
        self,
        name: str,
        input: str | None = None,
        *,
        instance_id: str | None = None,
        start_at: datetime | None = None,
        on_recorded: OnRecorded | None = None,
    ) -> str:
        self._enter("start", name, input, instance_id)
        assert instance_id, "the server always picks the ID"
        if name not in KNOWN:
            raise UsageError(f"unknown workflow {name!r}: the app registers {sorted(KNOWN)}")
        with self.lock:
            old = self.states.get(instance_id)
            if old is not None and old.runtime_status in ACTIVE:
                raise ConflictError(f"an active workflow with ID {instance_id!r} already exists")
            now = self.clock()
            state = WorkflowState(
                instance_id=instance_id,
                name=name,
                runtime_status=RuntimeStatus.RUNNING,
                created_at=now,
                last_updated_at=now,
                serialized_input=input,
            )
            self.states[instance_id] = state
            self.history_rows[instance_id] = []
            self._log(instance_id, "ExecutionStarted", name, input or "")
        return instance_id

    def complete(self, instance_id: str, output: str | None = None) -> None:
        """Test helper: finish a run as the engine would."""
        with self.lock:
            state = self._state(instance_id)
            state.runtime_status = RuntimeStatus.COMPLETED
            state.serialized_output = output
            state.last_updated_at = self.clock()
            self._log(instance_id, "ExecutionCompleted", details=output or "")

    def get(self, instance_id: str) -> WorkflowState:
        self._enter("get", instance_id)
        if instance_id == "block":
            self.release.wait(10)
        with self.lock:
            return self._state(instance_id)

    def _set(self, instance_id: str, new: RuntimeStatus, only_from: set[RuntimeStatus]) -> None:
        with self.lock:
            state = self._state(instance_id)
            if state.runtime_status in only_from:
                state.runtime_status = new
                state.last_updated_at = self.clock()
                self._log(instance_id, new.value.title())

    def pause(self, instance_id: str) -> None:
        self._enter("pause", instance_id)
        self._set(instance_id, RuntimeStatus.SUSPENDED, {RuntimeStatus.RUNNING})

    def resume(self, instance_id: str) -> None:
        self._enter("resume", instance_id)
        self._set(instance_id, RuntimeStatus.RUNNING, {RuntimeStatus.SUSPENDED})

    def terminate(self, instance_id: str, output: str | None = None) -> None:
        self._enter("terminate", instance_id)
        self._set(instance_id, RuntimeStatus.TERMINATED, ACTIVE)

    def raise_event(self, instance_id: str, event_name: str, data: str | None = None) -> None:
        self._enter("raise_event", instance_id, event_name, data)
        if "/" in event_name:
            raise UsageError(f"event name {event_name!r} has '/'")
        with self.lock:
            self._state(instance_id)
            self.events.setdefault(instance_id, []).append((event_name, data))

    def purge(self, instance_id: str) -> None:
        self._enter("purge", instance_id)
        with self.lock:
            state = self._state(instance_id)
            if state.runtime_status in ACTIVE:
                raise ConflictError(f"workflow {instance_id!r} has not finished")
            del self.states[instance_id]

    def wait(
        self,
        instance_id: str,
        *,
        until: str = "completion",
        timeout: float | None = None,
        interval: float = 0.5,
    ) -> WorkflowState:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            state = self.get(instance_id)
            if state.runtime_status.is_terminal:
                return state
            if deadline is not None and time.monotonic() > deadline:
                raise WaitTimeoutError("timed out")
            time.sleep(interval)

    def list_instances(
        self,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        name: str | None = None,
        max_age: float | None = None,
        limit: int | None = None,
    ) -> list[WorkflowState]:
        self._enter("list_instances", tuple(statuses), name, max_age, limit)
        now = self.clock()
        with self.lock:
            rows = [
                s
                for s in self.states.values()
                if (not statuses or s.runtime_status in statuses)
                and (name is None or s.name == name)
                and (max_age is None or s.created_at >= now - timedelta(seconds=max_age))
            ]
        rows.sort(key=lambda s: s.created_at or now, reverse=True)
        return rows[:limit] if limit else rows

    def history(self, instance_id: str) -> list[HistoryEntry]:
        self._enter("history", instance_id)
        with self.lock:
            self._state(instance_id)
            return list(self.history_rows.get(instance_id, []))

    def purge_older_than(
        self,
        older_than: float,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> PurgeResult:
        self._enter("purge_older_than", older_than, tuple(statuses), dry_run)
        cutoff = self.clock() - timedelta(seconds=older_than)
        with self.lock:
            ids = [
                s.instance_id
                for s in self.states.values()
                if s.runtime_status not in ACTIVE
                and (not statuses or s.runtime_status in statuses)
                and s.last_updated_at is not None
                and s.last_updated_at <= cutoff
            ]
            if not dry_run:
                for i in ids:
                    del self.states[i]
        return PurgeResult(sorted(ids), dry_run=dry_run)

    def close(self) -> None:
        self.closed = True


def storage_failure() -> Exception:
    return StorageError("the database file is read-only")
