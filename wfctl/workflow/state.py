"""The Dapr SDK's value types of a workflow's state: ``WorkflowStatus``, ``WorkflowState``
(what ``DaprWorkflowClient.get_workflow_state`` returns: a view of wfctl's
:class:`wfctl.model.WorkflowState`) and ``UNSET``."""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Any

from wfctl import model


class WorkflowStatus(enum.Enum):
    """A workflow's status as the Dapr SDK numbers it."""

    UNKNOWN = 0
    RUNNING = 1
    COMPLETED = 2
    FAILED = 3
    TERMINATED = 4
    PENDING = 5
    SUSPENDED = 6
    STALLED = 7

    @classmethod
    def from_runtime_status(cls, status: model.RuntimeStatus) -> WorkflowStatus:
        """The SDK status for wfctl's RuntimeStatus (CONTINUED_AS_NEW reads RUNNING)."""
        return _FROM_RUNTIME.get(status, cls.UNKNOWN)


_FROM_RUNTIME = {
    model.RuntimeStatus.RUNNING: WorkflowStatus.RUNNING,
    model.RuntimeStatus.CONTINUED_AS_NEW: WorkflowStatus.RUNNING,
    model.RuntimeStatus.COMPLETED: WorkflowStatus.COMPLETED,
    model.RuntimeStatus.FAILED: WorkflowStatus.FAILED,
    model.RuntimeStatus.TERMINATED: WorkflowStatus.TERMINATED,
    model.RuntimeStatus.CANCELED: WorkflowStatus.TERMINATED,
    model.RuntimeStatus.PENDING: WorkflowStatus.PENDING,
    model.RuntimeStatus.SUSPENDED: WorkflowStatus.SUSPENDED,
    model.RuntimeStatus.STALLED: WorkflowStatus.STALLED,
}


class WorkflowState:
    """One instance as ``DaprWorkflowClient.get_workflow_state`` returns it: the SDK's view of
    wfctl's one state record, :class:`wfctl.model.WorkflowState`, which it wraps (as the SDK's
    wraps Durable Task's ``OrchestrationState``) and reads through — SDK statuses
    (:class:`WorkflowStatus`), naive-UTC times and ``failure_details``, nothing copied."""

    def __init__(self, state: model.WorkflowState) -> None:
        self._state = state

    @property
    def instance_id(self) -> str:
        return self._state.instance_id

    @property
    def name(self) -> str:
        return self._state.name

    @property
    def runtime_status(self) -> WorkflowStatus:
        return WorkflowStatus.from_runtime_status(self._state.runtime_status)

    @property
    def created_at(self) -> datetime | None:
        return _naive_utc(self._state.created_at)

    @property
    def last_updated_at(self) -> datetime | None:
        return _naive_utc(self._state.last_updated_at)

    @property
    def serialized_input(self) -> str | None:
        return self._state.serialized_input

    @property
    def serialized_output(self) -> str | None:
        return self._state.serialized_output

    @property
    def serialized_custom_status(self) -> str | None:
        return self._state.serialized_custom_status

    @property
    def failure_details(self) -> model.FailureDetails | None:
        return self._state.failure

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the fields (times as ISO text)."""
        failure = self.failure_details
        return {
            "instance_id": self.instance_id,
            "name": self.name,
            "runtime_status": self.runtime_status.name,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "last_updated_at": self.last_updated_at.isoformat() if self.last_updated_at else None,
            "serialized_input": self.serialized_input,
            "serialized_output": self.serialized_output,
            "serialized_custom_status": self.serialized_custom_status,
            "failure_details": None
            if failure is None
            else {
                "message": failure.message,
                "error_type": failure.error_type,
                "stack_trace": failure.stack_trace,
            },
        }

    def __repr__(self) -> str:
        return (
            f"WorkflowState(instance_id={self.instance_id!r}, name={self.name!r}, "
            f"runtime_status={self.runtime_status.name})"
        )


class _Unset:
    """Type of :data:`UNSET`, as the SDK's: an argument left out (not None)."""

    def __repr__(self) -> str:
        return "<unset>"


#: Default of an argument whose absence means something other than None (the SDK's UNSET).
UNSET = _Unset()


def _naive_utc(dt: datetime | None) -> datetime | None:
    """The SDK hands out naive UTC datetimes (protobuf's ToDatetime()); so do we."""
    if dt is None or dt.tzinfo is None:
        return dt
    return dt.astimezone(timezone.utc).replace(tzinfo=None)
