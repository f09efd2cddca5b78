"""The Backend contract (wfctl/backend/protocol.py), once, run against every backend.

Each test states the promise; a target lacking a capability skips with its reason (see
conftest.py). A test only one backend passes is a bug in the others or in the contract: the
test says which where that happened.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.contract.support import Target, uid
from wfctl.backend.protocol import Capability
from wfctl.model import (
    ConflictError,
    NotFoundError,
    RuntimeStatus,
    UsageError,
    WaitTimeoutError,
)

LONG = 120.0  # generous: the machine may be loaded


def _eventually(target: Target, iid: str, status: RuntimeStatus) -> None:
    deadline = time.monotonic() + LONG
    while (now := target.backend.get(iid).runtime_status) is not status:
        assert time.monotonic() < deadline, f"{target.name}: {iid} stayed {now}, not {status}"
        time.sleep(0.05)


def _running_waiter(target: Target) -> str:
    iid = target.backend.start("waiter_wf", None, instance_id=uid("waiter"))
    target.backend.wait(iid, until="start", timeout=LONG)
    return iid


def test_start_returns_the_id_and_get_reads_it(target: Target) -> None:
    iid = uid("start")
    assert target.backend.start("echo_wf", '"hi"', instance_id=iid) == iid
    if "recorded_on_start" in target.lacks:  # daprd's HTTP start answers before it records
        target.backend.wait(iid, until="start", timeout=LONG)
    st = target.backend.get(iid)
    assert (st.instance_id, st.name) == (iid, "echo_wf")
    assert st.runtime_status in (
        RuntimeStatus.PENDING,
        RuntimeStatus.RUNNING,
        RuntimeStatus.COMPLETED,
    )
    assert st.serialized_input == '"hi"'
    assert st.created_at is not None


def test_start_without_an_id_makes_one(target: Target) -> None:
    iid = target.backend.start("echo_wf", "1")
    assert iid and target.backend.get(iid).instance_id == iid


@pytest.mark.parametrize(
    "call",
    ["get", "pause", "resume", "terminate", "raise_event", "purge", "wait", "history"],
)
def test_an_unknown_id_is_not_found(target: Target, call: str) -> None:
    if call == "history":
        target.need(Capability.HISTORY)
    args = ("no-such-instance", "go") if call == "raise_event" else ("no-such-instance",)
    kwargs = {"timeout": 5.0} if call == "wait" else {}
    with pytest.raises(NotFoundError, match="no-such-instance"):
        getattr(target.backend, call)(*args, **kwargs)


def test_wait_returns_the_final_state_with_its_output(target: Target) -> None:
    iid = target.backend.start("echo_wf", '{"n": 1}', instance_id=uid("echo"))
    st = target.backend.wait(iid, timeout=LONG)
    assert st.runtime_status is RuntimeStatus.COMPLETED
    assert json.loads(st.serialized_output or "null") == {"n": 1}


def test_wait_for_start_returns_once_started(target: Target) -> None:
    iid = target.backend.start("waiter_wf", None, instance_id=uid("ws"))
    st = target.backend.wait(iid, until="start", timeout=LONG)
    assert st.runtime_status is not RuntimeStatus.PENDING


def test_wait_gives_up_after_its_timeout(target: Target) -> None:
    iid = _running_waiter(target)
    with pytest.raises(WaitTimeoutError, match="has not finished after 0.5s"):
        target.backend.wait(iid, timeout=0.5)


def test_an_event_reaches_a_waiting_workflow(target: Target) -> None:
    target.need("engine")
    iid = _running_waiter(target)
    target.backend.raise_event(iid, "go", '{"ok": true}')
    st = target.backend.wait(iid, timeout=LONG)
    assert st.runtime_status is RuntimeStatus.COMPLETED
    assert json.loads(st.serialized_output or "null") == {"ok": True}


def test_pause_and_resume(target: Target) -> None:
    iid = _running_waiter(target)
    target.backend.pause(iid)
    _eventually(target, iid, RuntimeStatus.SUSPENDED)
    target.backend.resume(iid)
    _eventually(target, iid, RuntimeStatus.RUNNING)


def test_terminate_ends_the_instance(target: Target) -> None:
    iid = _running_waiter(target)
    target.backend.terminate(iid)
    assert target.backend.wait(iid, timeout=LONG).runtime_status is RuntimeStatus.TERMINATED


def test_terminate_records_its_output(target: Target) -> None:
    target.need(Capability.TERMINATE_OUTPUT)
    iid = _running_waiter(target)
    target.backend.terminate(iid, '"bye"')
    st = target.backend.wait(iid, timeout=LONG)
    assert (st.runtime_status, st.serialized_output) == (RuntimeStatus.TERMINATED, '"bye"')


def test_starting_an_active_id_conflicts_and_a_finished_one_is_reused(target: Target) -> None:
    iid = _running_waiter(target)
    with pytest.raises(ConflictError):
        target.backend.start("waiter_wf", None, instance_id=iid)
    target.backend.terminate(iid)
    target.backend.wait(iid, timeout=LONG)
    assert target.backend.start("echo_wf", '"again"', instance_id=iid) == iid
    st = target.backend.wait(iid, timeout=LONG)
    assert (st.name, st.runtime_status) == ("echo_wf", RuntimeStatus.COMPLETED)


def test_purge_only_a_finished_instance(target: Target) -> None:
    iid = _running_waiter(target)
    with pytest.raises(ConflictError):
        target.backend.purge(iid)
    target.backend.terminate(iid)
    target.backend.wait(iid, timeout=LONG)
    target.backend.purge(iid)
    with pytest.raises(NotFoundError):
        target.backend.get(iid)


def test_delayed_start_stays_pending(target: Target) -> None:
    target.need(Capability.DELAYED_START)
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    iid = target.backend.start("echo_wf", "1", instance_id=uid("later"), start_at=later)
    assert target.backend.get(iid).runtime_status is RuntimeStatus.PENDING
    with pytest.raises(WaitTimeoutError):
        target.backend.wait(iid, until="start", timeout=0.5)


def test_list_filters_and_puts_the_newest_first(target: Target) -> None:
    target.need(Capability.LIST)
    first = target.backend.start("echo_wf", "1", instance_id=uid("l1"))
    target.backend.wait(first, timeout=LONG)
    second = _running_waiter(target)
    ours = {first, second}
    listed = [s for s in target.backend.list_instances() if s.instance_id in ours]
    assert [s.instance_id for s in listed] == [second, first]
    done = target.backend.list_instances(statuses=[RuntimeStatus.COMPLETED])
    assert first in {s.instance_id for s in done} and second not in {s.instance_id for s in done}
    named = target.backend.list_instances(name="waiter_wf")
    assert all(s.name == "waiter_wf" for s in named) and second in {s.instance_id for s in named}
    assert len(target.backend.list_instances(limit=1)) == 1
    assert second in {s.instance_id for s in target.backend.list_instances(max_age=3600)}
    target.backend.terminate(second)


def test_history_is_a_timeline_of_the_run(target: Target) -> None:
    target.need(Capability.HISTORY)
    iid = target.backend.start("echo_wf", '"h"', instance_id=uid("hist"))
    target.backend.wait(iid, timeout=LONG)
    rows = target.backend.history(iid)
    types = [r.type for r in rows]
    assert types[0] == "ExecutionStarted" and rows[0].name == "echo_wf"
    assert (types[-1], rows[-1].status) == ("ExecutionCompleted", "COMPLETED")
    sched = next(r for r in rows if r.type == "TaskScheduled")
    done = next(r for r in rows if r.type == "TaskCompleted")
    assert sched.name == done.name == "same"
    # EVENTID is the Durable Task event id: a TaskScheduled's is its task's id, which the
    # completion refers to.
    assert sched.event_id == sched.task_id == done.task_id
    assert done.details == '"h"'


def test_bulk_purge_takes_finished_instances_older_than_the_cutoff(target: Target) -> None:
    target.need(Capability.BULK_PURGE)
    iid = target.backend.start("echo_wf", "1", instance_id=uid("bulk"))
    target.backend.wait(iid, timeout=LONG)
    live = _running_waiter(target)
    dry = target.backend.purge_older_than(0, dry_run=True)
    assert dry.dry_run and iid in dry.instance_ids and live not in dry.instance_ids
    target.backend.get(iid)  # a dry run deletes nothing
    kept = target.backend.purge_older_than(3600 * 24, statuses=[RuntimeStatus.COMPLETED])
    assert iid not in kept.instance_ids
    res = target.backend.purge_older_than(0, statuses=[RuntimeStatus.COMPLETED])
    assert iid in res.instance_ids and live not in res.instance_ids
    with pytest.raises(NotFoundError):
        target.backend.get(iid)
    target.backend.terminate(live)


def test_rerun_from_an_activity_runs_on_and_leaves_the_source_alone(target: Target) -> None:
    target.need(Capability.RERUN)
    src = target.backend.start("echo_wf", '"first"', instance_id=uid("src"))
    target.backend.wait(src, timeout=LONG)
    step = next(r for r in target.backend.history(src) if r.type == "TaskScheduled")
    new = target.backend.rerun(src, step.event_id, new_instance_id=uid("again"))
    st = target.backend.wait(new, timeout=LONG)
    assert (st.name, st.runtime_status, st.serialized_output) == (
        "echo_wf",
        RuntimeStatus.COMPLETED,
        '"first"',
    )
    other = target.backend.rerun(src, step.event_id, new_input='"second"', overwrite_input=True)
    assert other not in (src, new)
    assert target.backend.wait(other, timeout=LONG).serialized_output == '"second"'
    assert target.backend.get(src).serialized_output == '"first"'  # the source is untouched


def test_rerun_refusals(target: Target) -> None:
    target.need(Capability.RERUN)
    with pytest.raises(NotFoundError):
        target.backend.rerun("no-such-instance", 1)
    live = _running_waiter(target)
    with pytest.raises(ConflictError):
        target.backend.rerun(live, 1)  # not finished yet
    src = target.backend.start("echo_wf", "1", instance_id=uid("rsrc"))
    target.backend.wait(src, timeout=LONG)
    step = next(r for r in target.backend.history(src) if r.type == "TaskScheduled")
    with pytest.raises(ConflictError):
        target.backend.rerun(src, step.event_id, new_instance_id=live)  # an active ID
    with pytest.raises(UsageError):
        target.backend.rerun(src, 999)  # no such step
    target.backend.terminate(live)
