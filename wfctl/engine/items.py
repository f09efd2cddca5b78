"""Work items: what the store hands to executors and takes back (the store/executor seam).

A claimed workflow turn (:class:`TurnItem`), a claimed activity task (:class:`TaskItem`) and
its result (:class:`TaskOutcome`), an in-process start that shares its first turn's commit
(:class:`StartRequest`), and what applying a turn did (:class:`ApplyOutcome`). Plain data:
no SQL, no threads beyond the ``done`` event a starter waits on.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from wfctl.engine.history import HistoryEvent
from wfctl.model import FailureDetails


@dataclass
class TurnItem:
    """A claimed workflow turn. ``past`` is None when the claimer said (``known``) that its
    cached history has length ``base_seq``; ``new`` starts with an OrchestratorStarted."""

    instance_id: str
    name: str
    generation: int
    base_seq: int
    past: list[HistoryEvent] | None
    new: list[HistoryEvent]
    inbox_ids: list[int]
    status: str = ""  # as claimed
    root_id: str = ""
    app: str | None = None  # the app identity owning the instance (None: any)


@dataclass
class TaskItem:
    """A claimed activity task."""

    id: int
    instance_id: str
    generation: int
    task_id: int
    name: str
    input: str | None


@dataclass
class TaskOutcome:
    """An activity's result (JSON text) or failure, to record with ``complete_tasks``."""

    item: TaskItem
    result: str | None = None
    failure: FailureDetails | None = None


@dataclass
class StartRequest:
    """A start handed to an in-process engine so that recording it and running its first
    turn share one commit (see :meth:`Dispatch.step`). ``done`` is set once it committed
    (or failed: ``error``)."""

    instance_id: str
    name: str
    input: str | None = None
    app: str | None = None
    error: Exception | None = None
    start_at: datetime | None = None  # a delayed start (remote fronts only)
    done: threading.Event = field(default_factory=threading.Event)
    running: bool = False  # its first turn was applied in that commit and did not finish it


@dataclass
class ApplyOutcome:
    """What applying one turn did. ``appended``: events added to history (the turn's new
    events, then one per action); ``tasks``: activity tasks created already claimed.
    ``applied`` is False when the claim was lost (terminated, taken over): nothing changed."""

    instance_id: str
    applied: bool
    appended: list[HistoryEvent] = field(default_factory=list)
    tasks: list[TaskItem] = field(default_factory=list)
    finished: bool = False
    restarted: bool = False
