"""The shared vocabulary: runtime statuses, instance state, history rows, errors, exit codes.

Error tree (every error wfctl raises on purpose derives from :class:`WfctlError`)::

    WfctlError                 exit 1   an unexpected internal error
    ├── UsageError             exit 2   bad flag, invalid ID, unparsable JSON, input too large
    │   └── UnsupportedError   exit 2   the backend has no such call (list/history on a sidecar)
    ├── NotFoundError          exit 3   no instance with that ID
    ├── ConflictError          exit 4   an active instance has that ID; purge of an unfinished one
    ├── UnreachableError       exit 5   connection refused, DNS, TLS, request timeout
    ├── AuthError              exit 6   401/403
    ├── ServerError            exit 7   the server answered with another error
    ├── StorageError           exit 8   the SQLite file is corrupt, read-only or too new
    ├── AppError               exit 9   the user's workflow app failed to import
    ├── WaitTimeoutError       exit 124 `wait --timeout` passed before the condition
    └── DeclinedError          exit 20  a confirmation prompt was answered "no": nothing done

Two more codes come from no error class: 130 for Ctrl-C and 141 (a shell's code for SIGPIPE)
when stdout is closed under wfctl (``wfctl list | head -1``), which ends quietly.

Nothing here imports Typer, rich or httpx: every layer may import this module.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class ExitCode(enum.IntEnum):
    """The one table of exit codes; README.md documents it."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    NOT_FOUND = 3
    CONFLICT = 4
    UNREACHABLE = 5
    AUTH = 6
    SERVER = 7
    STORAGE = 8
    APP = 9
    FAILED = 10
    TERMINATED = 11
    CANCELED = 12
    STALLED = 13
    DECLINED = 20
    TIMEOUT = 124
    INTERRUPTED = 130
    BROKEN_PIPE = 141


class RuntimeStatus(str, enum.Enum):
    """A workflow instance's status, spelled as the Dapr HTTP API spells it."""

    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    CONTINUED_AS_NEW = "CONTINUED_AS_NEW"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    TERMINATED = "TERMINATED"
    PENDING = "PENDING"
    SUSPENDED = "SUSPENDED"
    STALLED = "STALLED"
    UNKNOWN = "UNKNOWN"

    @classmethod
    def parse(cls, text: str | None) -> RuntimeStatus:
        """Read a status string from any server; anything unknown reads UNKNOWN."""
        if not text:
            return cls.UNKNOWN
        t = text.strip().upper()
        if t == "CANCELLED":
            t = "CANCELED"
        if t.startswith("ORCHESTRATION_STATUS_"):
            t = t[len("ORCHESTRATION_STATUS_") :]
        try:
            return cls(t)
        except ValueError:
            return cls.UNKNOWN

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES

    @property
    def wait_exit_code(self) -> ExitCode:
        """The exit code `wait` ends with when an instance settles in this status."""
        return _WAIT_EXIT.get(self, ExitCode.STALLED)


TERMINAL_STATUSES = frozenset(
    {
        RuntimeStatus.COMPLETED,
        RuntimeStatus.FAILED,
        RuntimeStatus.TERMINATED,
        RuntimeStatus.CANCELED,
    }
)

_WAIT_EXIT = {
    RuntimeStatus.COMPLETED: ExitCode.OK,
    RuntimeStatus.FAILED: ExitCode.FAILED,
    RuntimeStatus.TERMINATED: ExitCode.TERMINATED,
    RuntimeStatus.CANCELED: ExitCode.CANCELED,
}


@dataclass
class FailureDetails:
    """Why a run failed, as Dapr reports it."""

    error_type: str = ""
    message: str = ""
    stack_trace: str = ""


@dataclass
class WorkflowState:
    """One instance as a status read sees it; payloads are raw JSON text, as stored.

    Times are timezone-aware UTC datetimes (history events, inside the engine, use naive UTC).
    The one state record of wfctl: every backend and front hands out this class; the Dapr
    SDK's ``WorkflowState`` (:mod:`wfctl.workflow.state`) is a read-only view of it.
    """

    instance_id: str
    name: str = ""
    runtime_status: RuntimeStatus = RuntimeStatus.UNKNOWN
    created_at: datetime | None = None
    last_updated_at: datetime | None = None
    serialized_input: str | None = None
    serialized_output: str | None = None
    serialized_custom_status: str | None = None
    failure: FailureDetails | None = None
    # Extra string properties a server sent that wfctl has no field for; kept for -o json.
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class HistoryEntry:
    """One row of an instance's history timeline, as `wfctl history` shows it."""

    # The Durable Task event id, as daprd shows it (-1 where it has none): a TaskScheduled,
    # TimerCreated or ChildWorkflowCreated carries its task's sequence number (1, 2, 3...);
    # `rerun --from-event` takes it. Rows are in history order, not by this id.
    event_id: int
    type: str  # e.g. ExecutionStarted, TaskScheduled, TaskCompleted, TimerFired, EventRaised
    timestamp: datetime
    name: str = ""  # activity, child workflow, event or timer name
    task_id: int | None = None  # the sequence number a completion refers to
    details: str = ""  # input/output/failure/fire time, compact
    # The outcome where the type alone does not say it (ExecutionCompleted: COMPLETED, FAILED
    # or CONTINUED_AS_NEW); empty elsewhere.
    status: str = ""


@dataclass
class PurgeResult:
    """What a bulk purge did (or, with dry_run, would do)."""

    instance_ids: list[str]
    dry_run: bool = False


class WfctlError(Exception):
    """Root of wfctl's errors. ``str(err)`` is one line that says what to do next."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self)


class UsageError(WfctlError):
    exit_code = ExitCode.USAGE


class UnsupportedError(UsageError):
    """The backend cannot answer this call (e.g. `list` on a Dapr sidecar); ``capability``
    names what it lacks (a :class:`wfctl.backend.protocol.Capability`), where known."""

    capability: str | None = None


class NotFoundError(WfctlError):
    exit_code = ExitCode.NOT_FOUND


class ConflictError(WfctlError):
    exit_code = ExitCode.CONFLICT


class UnreachableError(WfctlError):
    exit_code = ExitCode.UNREACHABLE


class AuthError(WfctlError):
    exit_code = ExitCode.AUTH


class ServerError(WfctlError):
    """The server answered with an error wfctl has no better name for."""

    exit_code = ExitCode.SERVER

    def __init__(self, message: str, *, status_code: int = 0, error_code: str = "") -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error_code = error_code


class StorageError(WfctlError):
    exit_code = ExitCode.STORAGE


class AppError(WfctlError):
    exit_code = ExitCode.APP


class WaitTimeoutError(WfctlError):
    exit_code = ExitCode.TIMEOUT
    #: The instance's status when the wait gave up, where it was read.
    status: RuntimeStatus | None = None


class DeclinedError(WfctlError):
    """The user answered "no" to a confirmation prompt (not a failure, not a bug)."""

    exit_code = ExitCode.DECLINED
