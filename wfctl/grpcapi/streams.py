"""The remote front's book-keeping of worker streams and the work items out on them
(:mod:`wfctl.grpcapi.front` owns and mutates them on its one thread)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wfctl.engine.items import TaskItem, TurnItem


@dataclass(eq=False)
class Stream:
    """One worker's ``GetWorkItems`` stream. ``send(items)`` is thread-safe (it posts a
    round's work items to the stream's event loop at once), as is ``end(code, message)``
    (it ends the RPC with that status); ``marks`` is the history length the worker caches,
    per run; ``peer`` the connection it came on (gRPC's ``context.peer()``);
    ``last_ack`` when it last answered (the front's clock; its opening at first)."""

    send: Callable[[list[Any]], None]
    stateful: bool
    peer: str = ""
    end: Callable[[str, str], None] = lambda code, message: None
    last_ack: float = 0.0
    id: int = 0
    turns: set[str] = field(default_factory=set)
    tasks: set[str] = field(default_factory=set)
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)  # iid: (run, length)
    closed: bool = False
    out: list[Any] = field(default_factory=list)  # this round's items, sent at its end


@dataclass
class Pending:
    """A work item out on ``stream``: a turn or an activity, and when it went out."""

    stream: Stream
    turn: TurnItem | None = None
    task: TaskItem | None = None
    sent: float = 0.0  # the front's clock when it went out
