"""`history --gantt` (one bar per activity, timer and child workflow on a time axis) and
`history --follow` (events printed as they happen until the run ends), and the cells of
`history`'s table rows that both share.

The bars are paired from the history rows alone (scheduled → completed/failed, by task id),
so the chart reads the same from every backend that has a history. Drawn with rich, which
wfctl already uses for tables: no new dependency.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from wfctl.model import HistoryEntry

_OPEN = {
    "TaskScheduled": "activity",
    "TimerCreated": "timer",
    "ChildWorkflowCreated": "child",
    "SubOrchestrationInstanceCreated": "child",
}
_CLOSE = {
    "TaskCompleted": False,
    "TaskFailed": True,
    "TimerFired": False,
    "ChildWorkflowCompleted": False,
    "ChildWorkflowFailed": True,
    "SubOrchestrationInstanceCompleted": False,
    "SubOrchestrationInstanceFailed": True,
}
_ENDS = {"ExecutionCompleted", "ExecutionTerminated", "ExecutionFailed"}
_COLOUR = {"run": "bold", "activity": "cyan", "timer": "yellow", "child": "magenta"}


_STATUS_OF_TYPE = {
    "ExecutionStarted": "RUNNING",
    "ExecutionCompleted": "COMPLETED",
    "ExecutionFailed": "FAILED",
    "ExecutionTerminated": "TERMINATED",
    "ExecutionSuspended": "SUSPENDED",
    "ExecutionResumed": "RUNNING",
    "ContinueAsNew": "CONTINUED_AS_NEW",
    "TaskScheduled": "SCHEDULED",
    "TaskCompleted": "COMPLETED",
    "TaskFailed": "FAILED",
    "SubOrchestrationInstanceCreated": "SCHEDULED",
    "ChildWorkflowCreated": "SCHEDULED",
    "SubOrchestrationInstanceCompleted": "COMPLETED",
    "SubOrchestrationInstanceFailed": "FAILED",
    "TimerCreated": "SCHEDULED",
    "TimerFired": "FIRED",
    "EventRaised": "RECEIVED",
    "EventSent": "SENT",
}


def history_status(entry: HistoryEntry) -> str:
    """A one-word outcome for a history row (empty where the type says nothing)."""
    if entry.status:
        return entry.status
    if entry.type in _STATUS_OF_TYPE:
        return _STATUS_OF_TYPE[entry.type]
    for suffix, word in (
        ("Completed", "COMPLETED"),
        ("Failed", "FAILED"),
        ("Scheduled", "SCHEDULED"),
    ):
        if entry.type.endswith(suffix):
            return word
    return ""


def detail_cell(text: str, cut: int | None) -> str:
    """A DETAILS cell: JSON payloads compact (one style for all), shortened with a visible
    "…" only when ``cut`` is given (a terminal table without --full)."""
    from wfctl.render import compact

    if text.startswith(("{", "[", '"')):
        return compact(text, cut)
    head, sep, rest = text.partition(" ")
    if sep and rest.startswith(("{", "[", '"')):  # "<child id> <input>"
        return head + " " + compact(rest, None if cut is None else max(1, cut - len(head) - 1))
    return compact(text, cut) if cut is not None else text


@dataclass
class Bar:
    """One span on the chart: what ran (or waited) from ``start`` to ``end``."""

    kind: str  # run, activity, timer, child, event
    label: str
    start: datetime
    end: datetime | None  # None: still open
    failed: bool = False
    abandoned: bool = False  # still open when the run ended (a timeout timer not needed)


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt


def bars(entries: Sequence[HistoryEntry]) -> list[Bar]:
    """The chart's bars, in the order things began: the run, then each activity, timer and
    child workflow, and each event received (a point)."""
    out: list[Bar] = []
    open_: dict[tuple[str, int], Bar] = {}
    run: Bar | None = None
    for e in entries:
        if e.timestamp == datetime.min:
            continue
        t = _utc(e.timestamp)
        if e.type == "ExecutionStarted":
            run = Bar("run", e.name or "workflow", t, None)
            out.append(run)
        elif e.type in _ENDS and run is not None:
            run.end = t
            run.failed = e.type == "ExecutionFailed" or e.status in ("FAILED", "TERMINATED")
            for bar in open_.values():  # e.g. an event's timeout timer: gone with the run
                bar.end, bar.abandoned = t, True
            open_.clear()
        elif e.type in _OPEN:
            kind = _OPEN[e.type]
            label = f"{kind} {e.name}" if kind != "timer" else "timer"
            if kind == "child" and e.details:
                label = f"child {e.name} {e.details.split(' ', 1)[0]}"
            bar = Bar(kind, label, t, None)
            open_[(kind, e.task_id if e.task_id is not None else -1)] = bar
            out.append(bar)
        elif e.type in _CLOSE:
            kind = "activity" if e.type.startswith("Task") else "timer"
            if "Child" in e.type or "SubOrchestration" in e.type:
                kind = "child"
            closed = open_.pop((kind, e.task_id if e.task_id is not None else -1), None)
            if closed is not None:
                closed.end = t
                closed.failed = _CLOSE[e.type]
        elif e.type == "EventRaised":
            out.append(Bar("event", f"event {e.name}", t, t))
    return out


def render_gantt(entries: Sequence[HistoryEntry], width: int, now: datetime | None = None) -> Any:
    """A rich renderable: label, bar on the time axis, duration; ``width`` columns wide."""
    from rich.table import Table
    from rich.text import Text

    from wfctl.durations import format_duration

    now = now or datetime.now(timezone.utc)
    spans = bars(entries)
    grid = Table.grid(padding=(0, 1))
    if not spans:
        grid.add_row(Text("no history yet", style="dim"))
        return grid
    t0 = min(b.start for b in spans)
    t1 = max((b.end or now) for b in spans)
    total = max((t1 - t0).total_seconds(), 1e-3)
    label_w = min(32, max(len(b.label) for b in spans))
    dur_w = 9
    axis_w = max(10, width - label_w - dur_w - 2)

    def col(t: datetime) -> int:
        return min(axis_w - 1, int((t - t0).total_seconds() / total * axis_w))

    grid.add_column(width=label_w, no_wrap=True, overflow="ellipsis")
    grid.add_column(width=axis_w, no_wrap=True)
    grid.add_column(width=dur_w, no_wrap=True, justify="right")
    scale = Text("0s".ljust(axis_w - len(format_duration(total))) + format_duration(total))
    grid.add_row(Text(""), Text(scale.plain[:axis_w], style="dim"), Text(""))
    for b in spans:
        a = col(b.start)
        z = col(b.end or now)
        style = "red" if b.failed else _COLOUR.get(b.kind, "green")
        if b.abandoned:
            style = "dim"
        if b.kind == "event":
            body, dur = "◆", ""
        else:
            length = max(1, z - a + 1)
            tail = "✗" if b.failed else ("▶" if b.end is None else "")
            body = ("━" * max(0, length - len(tail)) + tail) or "━"
            dur = format_duration(((b.end or now) - b.start).total_seconds())
        a = max(0, min(a, axis_w - len(body)))  # a mark at the very end still shows
        line = Text(" " * a)
        line.append(body[: axis_w - a], style=style)
        label = Text(b.label, style=style if b.failed else "")
        grid.add_row(label, line, Text(dur + (" !" if b.failed else ""), style=style))
    return grid


def row_cells(e: HistoryEntry, start: datetime | None, cut: int | None) -> list[str]:
    """One history row's cells (TYPE, NAME, EVENTID, ELAPSED, STATUS, DETAILS)."""
    from wfctl.durations import format_duration

    elapsed = ""
    if start is not None and e.timestamp != datetime.min and start != datetime.min:
        elapsed = "+" + format_duration((_utc(e.timestamp) - _utc(start)).total_seconds())
    event_id = str(e.event_id) if e.event_id >= 0 else ""
    return [e.type, e.name, event_id, elapsed, history_status(e), detail_cell(e.details, cut)]


def follow(st: Any, instance_id: str, fmt: str, every: float) -> int:
    """Print the history's rows as they are recorded until the run ends; return the exit
    code `wait` would give for how it ended. The embedded engine is driven meanwhile."""
    from wfctl.wire import history_to_dict

    backend = st.backend()
    out = st.out()
    widths = [28, 18, 7, 9, 10]
    shown = 0
    start: datetime | None = None
    if fmt == "table":
        out.line("  ".join(h.ljust(w) for h, w in zip(HEADERS, widths, strict=False)) + "DETAILS")
    while True:
        # The state first: once it is final, the history read after it holds every row.
        state = backend.get(instance_id)
        entries = backend.history(instance_id)
        for e in entries[shown:]:
            if start is None:
                start = e.timestamp
            if fmt == "table":
                cells = row_cells(e, start, 120 if out.tty else None)
                head = "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False))
                out.line((head + cells[-1]).rstrip())
            else:
                out.line(json.dumps(history_to_dict(e), ensure_ascii=False))
        shown = len(entries)
        if state.runtime_status.is_terminal:
            return int(state.runtime_status.wait_exit_code)
        backend.let_run(instance_id, every)  # embedded: drives it; remote: sleeps


HEADERS = ["TYPE", "NAME", "EVENTID", "ELAPSED", "STATUS", "DETAILS"]
