"""The Dapr SDK's value types of a workflow's state: ``WorkflowStatus``, ``WorkflowState``
(what ``DaprWorkflowClient.get_workflow_state`` returns, built from wfctl's
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
    """One instance as ``DaprWorkflowClient.get_workflow_state`` returns it (SDK fields)."""

    def __init__(
        self,
        instance_id: str,
        name: str,
        runtime_status: WorkflowStatus,
        created_at: datetime | None = None,
        last_updated_at: datetime | None = None,
        serialized_input: str | None = None,
        serialized_output: str | None = None,
        serialized_custom_status: str | None = None,
        failure_details: model.FailureDetails | None = None,
    ) -> None:
        self.instance_id = instance_id
        self.name = name
        self.runtime_status = runtime_status
        self.created_at = created_at
        self.last_updated_at = last_updated_at
        self.serialized_input = serialized_input
        self.serialized_output = serialized_output
        self.serialized_custom_status = serialized_custom_status
        self.failure_details = failure_details

    @classmethod
    def from_model(cls, state: model.WorkflowState) -> WorkflowState:
        """Build the SDK view of a ``wfctl.model.WorkflowState``."""
        return cls(
            instance_id=state.instance_id,
            name=state.name,
            runtime_status=WorkflowStatus.from_runtime_status(state.runtime_status),
            created_at=_naive_utc(state.created_at),
            last_updated_at=_naive_utc(state.last_updated_at),
            serialized_input=state.serialized_input,
            serialized_output=state.serialized_output,
            serialized_custom_status=state.serialized_custom_status,
            failure_details=state.failure,
        )

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
