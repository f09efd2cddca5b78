"""`status` says what an unfinished instance waits for — events, the next timer, activities in
flight, running children — on the embedded engine and over `wfctl serve`; `-o json` keeps
Dapr's exact shape. The derivation is one function over history (wfctl.waiting)."""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

from tests.harness import BETA, Serve
from tests.http.fixtures import run_wfctl
from wfctl.model import HistoryEntry
from wfctl.waiting import Waiting, derive, describe

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def row(kind: str, task_id: int | None = None, name: str = "", details: str = "") -> HistoryEntry:
    return HistoryEntry(event_id=-1, type=kind, timestamp=T0, name=name, task_id=task_id,
                        details=details)  # fmt: skip


def test_derive_pairs_what_was_started_with_what_finished() -> None:
    entries = [
        row("ExecutionStarted", name="wf"),
        row("TaskScheduled", 0, "charge"),
        row("TaskScheduled", 1, "ship"),
        row("TaskCompleted", 0, "charge"),
        row("TimerCreated", 2, "timer", "fires at 2026-01-01T00:05:00Z"),
        row("TimerCreated", 3, "timer", "fires at 2026-01-01T00:01:00Z"),
        row("TimerFired", 3, "timer", "fires at 2026-01-01T00:01:00Z"),
        row("ChildWorkflowCreated", 4, "sleepy", 'p1:0004 "x"'),
        row("SubOrchestrationInstanceCreated", 5, "other", "p1:0005"),
        row("SubOrchestrationInstanceCompleted", 5, "other"),
    ]
    w = derive(entries, ["approval"])
    assert w == Waiting(
        events=["approval"],
        timers=[T0 + timedelta(minutes=5)],
        activities=["ship"],
        children=[("p1:0004", "sleepy")],
    )
    assert describe(w, now=T0 + timedelta(minutes=2)) == [
        "event approval",
        "timer due in 3m (2026-01-01 00:05:00 UTC)",
        "activity ship",
        "child p1:0004 (sleepy)",
    ]


def test_derive_forgets_waits_of_an_ended_or_restarted_run() -> None:
    scheduled = [row("ExecutionStarted"), row("TaskScheduled", 0, "a")]
    assert not derive([*scheduled, row("ExecutionCompleted")], ["e"])
    assert derive([*scheduled, row("ExecutionStarted")]) == Waiting()
    two = derive([*scheduled, row("TaskScheduled", 1, "a")])
    assert describe(two, now=T0) == ["activity a ×2"]


APP = textwrap.dedent(
    """
    from datetime import timedelta

    import wfctl.workflow as wf

    wfr = wf.WorkflowRuntime()

    @wfr.workflow(name="sleepy")
    def sleepy(ctx, s):
        yield ctx.create_timer(timedelta(seconds=s))
        return s

    @wfr.workflow(name="parent")
    def parent(ctx, _):
        yield wf.when_all([
            ctx.call_child_workflow(sleepy, input=3600),
            ctx.create_timer(timedelta(minutes=5)),
            ctx.wait_for_external_event("go"),
        ])
        return 1
    """
)


def _check_waiting_line(text: str) -> None:
    line = next(x for x in text.splitlines() if x.startswith("Waiting for:"))
    assert "event go" in line and "timer due in 4m" in line, line
    assert "child p1:0001 (sleepy)" in line, line


def test_status_shows_what_an_embedded_instance_waits_for(tmp_path: Path) -> None:
    app = tmp_path / "kids.py"
    app.write_text(APP)
    base = ["--embedded", "--db", str(tmp_path / "k.db"), "--app", str(app)]
    env = {"XDG_DATA_HOME": str(tmp_path)}
    r = run_wfctl(*base, "start", "parent", "--id", "p1", env=env)
    assert r.returncode == 0, r.stderr
    r = run_wfctl(*base, "status", "p1", env=env)
    assert r.returncode == 0, r.stderr
    _check_waiting_line(r.stdout.decode())
    r = run_wfctl(*base, "status", "p1", "-o", "json", env=env)
    assert "Waiting" not in r.stdout.decode() and "waiting" not in r.stdout.decode()


def test_status_shows_what_it_waits_for_over_serve(
    tmp_path: Path, start_serve: Callable[..., Serve]
) -> None:
    app = tmp_path / "kids.py"
    app.write_text(APP)
    srv = start_serve(tmp_path / "s.db", extra=["--app", str(app)])
    r = srv.client.post(f"{BETA}/parent/start", params={"instanceID": "p1"})
    assert r.status_code == 202, r.text
    body: dict = {}
    for _ in range(600):  # until its first turn has run (the child is created)
        body = srv.client.get("/wfctl/v1/instances/p1/history").json()
        if any(e["type"] == "ChildWorkflowCreated" for e in body["events"]):
            break
        time.sleep(0.05)
    assert body["waitingFor"] == ["go"]
    env = {"XDG_DATA_HOME": str(tmp_path)}
    r = run_wfctl("--url", srv.url, "status", "p1", env=env)
    assert r.returncode == 0, r.stderr
    _check_waiting_line(r.stdout.decode())
    r = run_wfctl("--url", srv.url, "status", "p1", "-o", "json", env=env)
    assert json.loads(r.stdout) == httpx.get(f"{srv.url}{BETA}/p1").json()
