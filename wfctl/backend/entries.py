"""What the embedded backend's reads hand out: history events as the timeline rows every
front shows (:class:`wfctl.model.HistoryEntry`, numbered by Durable Task event id), and the
page cursors of :meth:`wfctl.backend.embedded.EmbeddedBackend.page_instances`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from wfctl.model import HistoryEntry, UsageError

if TYPE_CHECKING:
    from wfctl.engine.history import HistoryEvent


def _short(text: str | None) -> str:
    """A payload as stored, whole: machine output never cuts (the table shortens cells)."""
    return "" if text is None else text


def _fire_at(dt: datetime) -> str:
    """RFC 3339 in UTC with its ``Z`` (the store's times are naive UTC)."""
    from wfctl.wire import format_time

    return format_time(dt)


def history_entries(events: Sequence[HistoryEvent]) -> list[HistoryEntry]:
    """A timeline of history events: one entry per event but the turn markers; completions
    carry the name of what they complete. EVENTID is the Durable Task event id."""
    from wfctl.engine.history import dt_event_id

    names: dict[int, str] = {}
    out: list[HistoryEntry] = []
    for e in events:
        kind = e.TYPE
        if kind == "OrchestratorStarted":
            continue
        d = e.__dict__
        task_id = d.get("task_id")
        name = d.get("name", "") or ""
        if kind in ("TaskScheduled", "ChildWorkflowCreated") and task_id is not None:
            names[task_id] = name
        elif kind == "TimerCreated" and task_id is not None:
            names[task_id] = "timer"
        elif task_id is not None and not name:
            name = names.get(task_id, "")
        details = ""
        failure = d.get("failure")
        if failure is not None:
            details = f"{failure.error_type}: {failure.message}"
        elif kind in ("TimerCreated", "TimerFired"):
            details = f"fires at {_fire_at(d['fire_at'])}"
        elif kind == "ExecutionCompleted":
            details = _short(d.get("result"))
        elif kind == "ExecutionTerminated":
            details = _short(d.get("output"))
        elif kind == "ChildWorkflowCreated":
            details = f"{d['instance_id']} {_short(d.get('input'))}".strip()
        elif kind == "EventSent":
            details = f"to {d['instance_id']} {_short(d.get('data'))}".strip()
        else:
            for key in ("input", "result", "data", "reason"):
                if d.get(key) is not None:
                    details = _short(d[key])
                    break
        out.append(
            HistoryEntry(
                event_id=dt_event_id(e),
                type=kind,
                timestamp=e.timestamp,
                name=name,
                task_id=task_id if kind not in ("ExecutionStarted",) else None,
                details=details,
                status=d["status"].value if kind == "ExecutionCompleted" else "",
            )
        )
    return out


#: SQLite's integers end here: a cursor past it cannot be bound.
_MAX_ROWID = 2**63 - 1


def parse_cursor(text: str | None) -> tuple[float, int] | None:
    """A cursor :meth:`EmbeddedBackend.page_instances` gave out (``CREATED:ROWID``); UsageError
    for any other text."""
    if not text:
        return None
    try:
        created, rowid = text.split(":", 1)
        at, row = float(created), int(rowid)
        if not (abs(at) < float("inf") and abs(row) <= _MAX_ROWID):
            raise ValueError(text)
    except ValueError:
        raise UsageError(f"cursor={text[:80]!r} is not a cursor this server gave out") from None
    return at, row
