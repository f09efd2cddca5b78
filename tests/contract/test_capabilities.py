"""Every method of the Backend interface, on every target, and each backend's declared
capabilities checked against what it does: a capability declared present works, one declared
absent raises UnsupportedError (exit 2, naming a way out) and, where the backend already knows
it lacks it, sends nothing.

The declarations themselves are the contract's table: a change to a backend that adds or
drops a capability must change EXPECTED here too.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest

from tests.contract.support import Target, uid
from wfctl.backend.protocol import Backend, Capability
from wfctl.model import RuntimeStatus, UnsupportedError, WaitTimeoutError

LONG = 120.0
ALL = frozenset(Capability)
SERVE_HTTP = frozenset(
    {
        Capability.LIST,
        Capability.PAGE,
        Capability.HISTORY,
        Capability.RERUN,
        Capability.BULK_PURGE,
        Capability.WORKFLOWS,
    }
)
EXPECTED = {
    "embedded": ALL,
    "http-serve": SERVE_HTTP,
    "http-fake": frozenset(),
    "grpc-serve": ALL - {Capability.WORKFLOWS, Capability.COUNT},
    # tests/daprd runs this module against a real daprd too
    "http-daprd": frozenset(),
    "grpc-daprd": ALL - {Capability.WORKFLOWS, Capability.COUNT},
}


def _finished(target: Target) -> str:
    iid = target.backend.start("echo_wf", '"x"', instance_id=uid("cap"))
    assert target.backend.wait(iid, timeout=LONG).runtime_status is RuntimeStatus.COMPLETED
    return iid


def _list(t: Target, iid: str) -> None:
    assert iid in {s.instance_id for s in t.backend.list_instances()}


def _page(t: Target, iid: str) -> None:
    seen: list[str] = []
    states, cursor = t.backend.page_instances(limit=3)
    seen += [s.instance_id for s in states]
    while cursor is not None:
        assert isinstance(cursor, str) and len(states) == 3
        states, cursor = t.backend.page_instances(limit=3, after=cursor)
        seen += [s.instance_id for s in states]
    assert iid in seen and len(seen) == len(set(seen))


def _count(t: Target, iid: str) -> None:
    assert t.backend.count_by_status().get(RuntimeStatus.COMPLETED, 0) >= 1
    assert t.backend.count_by_status(name="no-such-workflow") == {}


def _history(t: Target, iid: str) -> None:
    rows = t.backend.history(iid)
    assert rows[0].type == "ExecutionStarted"
    entries, events = t.backend.history_with_waits(iid)
    assert [r.type for r in entries] == [r.type for r in rows] and events == []


def _rerun(t: Target, iid: str) -> None:
    seen: list[str] = []
    step = 1 if not t.backend.supports(Capability.HISTORY) else _first_step(t, iid)
    new = t.backend.rerun(iid, step, on_recorded=seen.append)
    assert seen == [new] and new != iid
    assert t.backend.wait(new, timeout=LONG).serialized_output == '"x"'


def _first_step(t: Target, iid: str) -> int:
    return next(r.event_id for r in t.backend.history(iid) if r.type == "TaskScheduled")


def _bulk_purge(t: Target, iid: str) -> None:
    assert iid in t.backend.purge_older_than(0, dry_run=True).instance_ids


def _workflows(t: Target, iid: str) -> None:
    assert {"echo_wf", "waiter_wf"} <= set(t.backend.workflow_names())


def _delayed_start(t: Target, iid: str) -> None:
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    new = t.backend.start("echo_wf", "1", instance_id=uid("later"), start_at=later)
    assert t.backend.get(new).runtime_status is RuntimeStatus.PENDING
    t.backend.terminate(new)


def _terminate_output(t: Target, iid: str) -> None:
    live = t.backend.start("waiter_wf", None, instance_id=uid("out"))
    try:
        t.backend.terminate(live, '"bye"')
        assert t.backend.wait(live, timeout=LONG).serialized_output == '"bye"'
    finally:
        t.backend.terminate(live)  # when the call above was refused


CALLS: dict[Capability, Callable[[Target, str], None]] = {
    Capability.LIST: _list,
    Capability.PAGE: _page,
    Capability.COUNT: _count,
    Capability.HISTORY: _history,
    Capability.RERUN: _rerun,
    Capability.BULK_PURGE: _bulk_purge,
    Capability.WORKFLOWS: _workflows,
    Capability.DELAYED_START: _delayed_start,
    Capability.TERMINATE_OUTPUT: _terminate_output,
}


def test_every_capability_has_a_check() -> None:
    assert set(CALLS) == set(Capability)


def test_the_declarations_are_the_expected_ones(target: Target) -> None:
    _finished(target)  # HttpBackend learns who answers from its first answer
    assert target.backend.capabilities == EXPECTED[target.name]
    assert {c for c in Capability if target.backend.supports(c)} == EXPECTED[target.name]
    for cap in Capability:
        if cap in EXPECTED[target.name]:
            target.backend.require(cap)
        else:
            with pytest.raises(UnsupportedError, match=r"use "):
                target.backend.require(cap)


@pytest.mark.parametrize("cap", list(Capability), ids=lambda c: c.name.lower())
def test_a_declared_capability_works_and_an_absent_one_is_unsupported(
    target: Target, cap: Capability
) -> None:
    iid = _finished(target)
    if target.backend.supports(cap):
        CALLS[cap](target, iid)
        return
    sent = len(target.daprd.requests) if target.daprd is not None else 0
    with pytest.raises(UnsupportedError) as info:
        CALLS[cap](target, iid)
    assert info.value.exit_code == 2
    assert "use " in str(info.value), "the message names the way out"
    if target.daprd is not None:  # known to be daprd since the start: nothing more is asked
        asked = [r.path for r in target.daprd.requests[sent:]]
        assert not any(p.startswith("/wfctl/") for p in asked), asked


def test_on_recorded_hears_the_new_id_once(target: Target) -> None:
    seen: list[str] = []
    iid = target.backend.start("echo_wf", "1", instance_id=uid("rec"), on_recorded=seen.append)
    assert seen == [iid]


def test_history_with_waits_names_the_awaited_event(target: Target) -> None:
    target.need(Capability.HISTORY, "engine")
    iid = target.backend.start("waiter_wf", None, instance_id=uid("hw"))
    target.backend.wait(iid, until="start", timeout=LONG)
    deadline = datetime.now(timezone.utc) + timedelta(seconds=LONG)
    while True:  # the first turn records what it waits for
        entries, events = target.backend.history_with_waits(iid)
        if events or target.name.startswith("grpc") or datetime.now(timezone.utc) > deadline:
            break
        time.sleep(0.05)
    assert entries and entries[0].type == "ExecutionStarted"
    # The Durable Task protocol cannot say what a workflow waits for: gRPC answers none.
    assert events == ([] if target.name.startswith("grpc") else ["go"])
    target.backend.terminate(iid)


def test_let_run_gives_the_instance_time(target: Target) -> None:
    iid = target.backend.start("waiter_wf", None, instance_id=uid("lr"))
    target.backend.let_run(iid, 0.1)
    assert not target.backend.get(iid).runtime_status.is_terminal
    target.backend.terminate(iid)
    if target.name != "http-fake":  # the fake's script ends it at once; others run it out
        while not target.backend.get(iid).runtime_status.is_terminal:
            target.backend.let_run(iid, 0.05)


def test_pending_reason_and_foreign_app_of_an_own_running_instance(target: Target) -> None:
    iid = target.backend.start("waiter_wf", None, instance_id=uid("pr"))
    target.backend.wait(iid, until="start", timeout=LONG)
    sent = len(target.daprd.requests) if target.daprd is not None else 0
    reason = target.backend.pending_reason(iid)
    assert reason is None or (target.name.startswith("grpc") and "worker" in reason)
    assert target.backend.foreign_app(iid) is None  # this backend's own app runs it
    if target.daprd is not None:  # daprd cannot say: no request asks it
        assert target.daprd.requests[sent:] == []
    target.backend.terminate(iid)


def test_wait_for_start_of_a_delayed_start_times_out(target: Target) -> None:
    target.need(Capability.DELAYED_START)
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    iid = target.backend.start("echo_wf", "1", instance_id=uid("dl"), start_at=later)
    with pytest.raises(WaitTimeoutError):
        target.backend.wait(iid, until="start", timeout=0.2)
    target.backend.terminate(iid)


def test_the_contract_covers_every_method_of_the_interface() -> None:
    """A method added to Backend without a test here fails this list."""
    tested = {
        "start", "get", "pause", "resume", "terminate", "raise_event", "purge", "wait",
        "let_run", "pending_reason", "foreign_app", "close", "list_instances",
        "page_instances", "count_by_status", "history", "history_with_waits", "rerun",
        "purge_older_than", "workflow_names", "supports", "way_out", "unsupported", "require",
    }  # fmt: skip
    methods = {n for n, _ in inspect.getmembers(Backend, inspect.isfunction)}
    assert methods - {"capabilities"} == tested
