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
    round's work items to the stream's event loop at once); ``marks`` is the history length
    the worker caches, per run."""

    send: Callable[[list[Any]], None]
    stateful: bool
    id: int = 0
    turns: set[str] = field(default_factory=set)
    tasks: set[str] = field(default_factory=set)
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)  # iid: (run, length)
    closed: bool = False
    out: list[Any] = field(default_factory=list)  # this round's items, sent at its end


class Known:
    """The history length cached per instance, as ``claim_turns(known=...)`` reads it."""

    def __init__(self, hist: dict[str, list[Any]]) -> None:
        self._hist = hist

    def get(self, iid: str, default: int | None = None) -> int | None:
        h = self._hist.get(iid)
        return default if h is None else len(h)


@dataclass
class Pending:
    """A work item out on ``stream``: a turn or an activity, and when it went out."""

    stream: Stream
    turn: TurnItem | None = None
    task: TaskItem | None = None
    sent: float = 0.0  # the front's clock when it went out
