"""GrpcBackend against a recording servicer on 127.0.0.1: what it sends, how it reads the
answers, and how each failure becomes one WfctlError."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import grpc
import pytest

from tests.grpcclient.servicer import MemoryServicer, pb, serving
from wfctl.backend import _grpc_list as grpc_backend
from wfctl.backend.grpc import GrpcBackend
from wfctl.model import (
    AuthError,
    ConflictError,
    ExitCode,
    NotFoundError,
    RuntimeStatus,
    ServerError,
    UnreachableError,
    UnsupportedError,
    UsageError,
    WaitTimeoutError,
)


def _until(cond, what: str, limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


@pytest.fixture
def backend(endpoint: str) -> GrpcBackend:
    b = GrpcBackend(endpoint, timeout=10)
    yield b
    b.close()


def test_start_sends_name_input_id_schedule_and_token(servicer: MemoryServicer) -> None:
    servicer.token = "s3cret-token"
    with serving(servicer) as ep, GrpcBackend(ep, api_token="s3cret-token") as b:
        at = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
        iid = b.start("order_wf", '{"n": 1}', instance_id="o-1", start_at=at)
        assert iid == "o-1"
        (req,) = servicer.calls("StartInstance")
        assert (req.name, req.instanceId, req.input.value) == ("order_wf", "o-1", '{"n": 1}')
        assert req.scheduledStartTimestamp.ToDatetime(tzinfo=timezone.utc) == at
        assert all(md.get("dapr-api-token") == "s3cret-token" for _, _, md in servicer.requests)
        generated = b.start("order_wf")
        assert len(generated) == 36 and not servicer.calls("StartInstance")[1].HasField("input")


def test_start_of_an_active_id_conflicts(backend: GrpcBackend, servicer: MemoryServicer) -> None:
    servicer.add("dup", status=0)
    with pytest.raises(ConflictError, match="'dup' \\(RUNNING\\) already exists"):
        backend.start("wf", instance_id="dup")
    servicer.finish("dup")
    assert backend.start("wf", instance_id="dup") == "dup"  # a finished ID can be reused


def test_daprds_unknown_for_an_active_id_is_a_conflict(
    backend: GrpcBackend, servicer: MemoryServicer
) -> None:
    """daprd 1.17 answers StartInstance of an active ID with UNKNOWN, not ALREADY_EXISTS
    (found by tests/daprd): the ID being active makes it a conflict; an UNKNOWN for an ID
    that is not active stays a server error."""
    servicer.add("dup", status=0)
    message = (
        "failed to create orchestration instance: an active workflow with ID 'dup' already exists"
    )
    servicer.faults["StartInstance"] = (grpc.StatusCode.UNKNOWN, message)
    with pytest.raises(ConflictError, match="'dup' \\(RUNNING\\) already exists"):
        backend.start("wf", instance_id="dup")
    servicer.finish("dup")
    with pytest.raises(ServerError, match="UNKNOWN"):
        backend.start("wf", instance_id="dup")


def test_get_reads_every_field(backend: GrpcBackend, servicer: MemoryServicer) -> None:
    servicer.add("a", name="hello", status=3)
    ws = servicer.states["a"]
    ws.customStatus.value = '"step 2"'
    ws.failureDetails.errorType = "ValueError"
    ws.failureDetails.errorMessage = "boom"
    st = backend.get("a")
    assert (st.instance_id, st.name, st.runtime_status) == ("a", "hello", RuntimeStatus.FAILED)
    assert st.serialized_input == '"in"' and st.serialized_output is None
    assert st.serialized_custom_status == '"step 2"'
    assert st.failure is not None and (st.failure.error_type, st.failure.message) == (
        "ValueError",
        "boom",
    )
    assert st.created_at == datetime.fromtimestamp(1_700_000_000, timezone.utc)
    (req,) = servicer.calls("GetInstance")
    assert req.getInputsAndOutputs
    with pytest.raises(NotFoundError, match="'nope'"):
        backend.get("nope")


def test_gos_zero_time_reads_as_no_time(backend: GrpcBackend, servicer: MemoryServicer) -> None:
    """daprd gives an instance it has not recorded yet (a delayed start) Go's zero time,
    0001-01-01T00:00:00Z: no time, as over HTTP, not a year-1 date (found by tests/daprd)."""
    servicer.add("later", status=6)
    servicer.states["later"].createdTimestamp.FromSeconds(-62_135_596_800)
    servicer.states["later"].lastUpdatedTimestamp.FromSeconds(-62_135_596_800)
    st = backend.get("later")
    assert (st.created_at, st.last_updated_at) == (None, None)


@pytest.mark.parametrize("op", ["pause", "resume", "terminate", "raise_event", "purge"])
def test_operations_on_an_unknown_id_are_not_found(backend: GrpcBackend, op: str) -> None:
    args = ("ghost", "ev") if op == "raise_event" else ("ghost",)
    with pytest.raises(NotFoundError, match="'ghost'"):
        getattr(backend, op)(*args)


def test_operations_send_what_they_should(backend: GrpcBackend, servicer: MemoryServicer) -> None:
    servicer.add("x")
    backend.raise_event("x", "approval", '{"ok": true}')
    backend.pause("x")
    assert backend.get("x").runtime_status is RuntimeStatus.SUSPENDED
    backend.resume("x")
    backend.terminate("x", '"stopped"')
    (ev,) = servicer.calls("RaiseEvent")
    assert (ev.instanceId, ev.name, ev.input.value) == ("x", "approval", '{"ok": true}')
    (term,) = servicer.calls("TerminateInstance")
    assert term.recursive and term.output.value == '"stopped"'
    assert backend.get("x").runtime_status is RuntimeStatus.TERMINATED


def test_purge(backend: GrpcBackend, servicer: MemoryServicer) -> None:
    servicer.add("live")
    with pytest.raises(ConflictError, match="RUNNING"):
        backend.purge("live")
    servicer.finish("live")
    backend.purge("live")
    (_, req) = servicer.calls("PurgeInstances")
    assert req.recursive and not req.force
    with pytest.raises(NotFoundError):
        backend.get("live")


def test_wait_is_one_long_poll(backend: GrpcBackend, servicer: MemoryServicer) -> None:
    servicer.add("w")
    t = threading.Thread(
        target=lambda: (
            _until(lambda: servicer.calls("WaitForInstanceCompletion"), "the long poll"),
            servicer.finish("w"),
        )
    )
    t.start()
    st = backend.wait("w", timeout=60)
    t.join()
    assert st.runtime_status is RuntimeStatus.COMPLETED and st.serialized_output == '"out"'
    assert len(servicer.calls("WaitForInstanceCompletion")) == 1
    assert len(servicer.calls("GetInstance")) == 1  # one read first, then no polling


def test_wait_for_start_and_timeout(backend: GrpcBackend, servicer: MemoryServicer) -> None:
    servicer.add("p", status=6)  # PENDING, and it stays so
    with pytest.raises(WaitTimeoutError, match="has not started after 0.3s") as info:
        backend.wait("p", until="start", timeout=0.3)
    assert info.value.exit_code == ExitCode.TIMEOUT
    servicer.add("r", status=0)
    assert backend.wait("r", until="start").runtime_status is RuntimeStatus.RUNNING
    with pytest.raises(NotFoundError):
        backend.wait("none", timeout=5)


def test_list_pages_fetches_concurrently_filters_and_sorts(
    backend: GrpcBackend, servicer: MemoryServicer
) -> None:
    for i in range(40):
        servicer.add(f"i{i:02d}", name="even" if i % 2 == 0 else "odd", status=i % 4, created=i)
    servicer.get_delay = 0.02
    states = backend.list_instances()
    assert [s.instance_id for s in states] == [f"i{i:02d}" for i in reversed(range(40))]
    assert len(servicer.calls("ListInstanceIDs")) == 14  # the server pages by 3
    # The first page is asked for with no token at all: daprd hands a present "" to its state
    # store, and SQLite's `rowid > ''` then matches nothing (found by tests/daprd).
    assert not servicer.calls("ListInstanceIDs")[0].HasField("continuationToken")
    assert 2 <= servicer.max_in_flight <= grpc_backend.LIST_CONCURRENCY
    assert all(not r.getInputsAndOutputs for r in servicer.calls("GetInstance"))
    got = backend.list_instances(statuses=[RuntimeStatus.COMPLETED], name="odd", limit=3)
    assert [s.instance_id for s in got] == ["i37", "i33", "i29"]
    assert backend.list_instances(max_age=60) == []  # created in 2023


def test_list_skips_instances_purged_meanwhile(
    backend: GrpcBackend, servicer: MemoryServicer
) -> None:
    servicer.add("kept")
    servicer.add("gone")
    servicer.faults["GetInstance"] = (grpc.StatusCode.NOT_FOUND, "gone")
    assert backend.list_instances() == []
    del servicer.faults["GetInstance"]
    assert {s.instance_id for s in backend.list_instances()} == {"kept", "gone"}


def test_bulk_purge_is_built_on_list(backend: GrpcBackend, servicer: MemoryServicer) -> None:
    servicer.add("done-old", status=1)
    servicer.add("failed-old", status=3)
    servicer.add("running", status=0)
    dry = backend.purge_older_than(3600, dry_run=True)
    assert dry.dry_run and sorted(dry.instance_ids) == ["done-old", "failed-old"]
    assert "done-old" in servicer.states  # nothing deleted
    res = backend.purge_older_than(3600, statuses=[RuntimeStatus.COMPLETED])
    assert res.instance_ids == ["done-old"] and "done-old" not in servicer.states
    assert backend.purge_older_than(10**9).instance_ids == []  # nothing that old


def _event(eid: int, **kw) -> object:
    ev = pb.HistoryEvent(eventId=eid, **kw)
    ev.timestamp.FromSeconds(1_700_000_000 + max(eid, 0))
    return ev


def test_history_rows_match_the_embedded_shape(
    backend: GrpcBackend, servicer: MemoryServicer
) -> None:
    servicer.add("h")
    sv = pb.StringValue
    fire = pb.Timestamp(seconds=253402300799, nanos=999999999)  # "wait forever" sentinel
    servicer.histories["h"] = [
        _event(-1, workflowStarted=pb.WorkflowStartedEvent()),
        _event(-1, executionStarted=pb.ExecutionStartedEvent(name="wf", input=sv(value="1"))),
        _event(0, taskScheduled=pb.TaskScheduledEvent(name="act", input=sv(value='"a"'))),
        _event(1, timerCreated=pb.TimerCreatedEvent(fireAt=fire)),
        _event(-1, taskCompleted=pb.TaskCompletedEvent(taskScheduledId=0, result=sv(value="2"))),
        _event(
            -1,
            taskFailed=pb.TaskFailedEvent(
                taskScheduledId=0,
                failureDetails=pb.TaskFailureDetails(errorType="E", errorMessage="bad"),
            ),
        ),
        _event(-1, eventRaised=pb.EventRaisedEvent(name="go", input=sv(value="true"))),
        _event(-1, timerFired=pb.TimerFiredEvent(timerId=1, fireAt=fire)),
        _event(2, executionCompleted=pb.ExecutionCompletedEvent(workflowStatus=1)),
    ]
    rows = backend.history("h")
    got = [(r.event_id, r.type, r.name, r.task_id, r.details, r.status) for r in rows]
    fires = "fires at 9999-12-31T23:59:59.999999"
    assert got == [
        (-1, "ExecutionStarted", "wf", None, "1", ""),
        (0, "TaskScheduled", "act", 0, '"a"', ""),
        (1, "TimerCreated", "timer", 1, fires, ""),
        (-1, "TaskCompleted", "act", 0, "2", ""),
        (-1, "TaskFailed", "act", 0, "E: bad", ""),
        (-1, "EventRaised", "go", None, "true", ""),
        (-1, "TimerFired", "timer", 1, fires, ""),
        (2, "ExecutionCompleted", "", None, "", "COMPLETED"),
    ]
    assert rows[1].timestamp == datetime.fromtimestamp(1_700_000_000, timezone.utc)
    with pytest.raises(NotFoundError, match="'nope'"):
        backend.history("nope")


@pytest.mark.parametrize("old", [True, "proxy"])
def test_old_daprd_list_history_and_rerun_name_dapr_117(old: bool | str) -> None:
    """UNIMPLEMENTED, or the UNKNOWN "failed to proxy request" of a real daprd 1.16."""
    with serving(MemoryServicer(old=old)) as ep, GrpcBackend(ep) as b:
        for call in (b.list_instances, lambda: b.history("x"), lambda: b.rerun("x", 1)):
            with pytest.raises(UnsupportedError, match="needs Dapr 1.1[67]") as info:
                call()
            assert info.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(
    "message",
    ["state store does not support listing keys", "no state store with actor support found"],
)
def test_runtime_that_cannot_list_names_dapr_117(servicer: MemoryServicer, message: str) -> None:
    servicer.faults["ListInstanceIDs"] = (grpc.StatusCode.UNKNOWN, message)
    with serving(servicer) as ep, GrpcBackend(ep) as b:
        pytest.raises(UnsupportedError, b.list_instances).match("Dapr 1.17 or later")


@pytest.mark.parametrize(
    ("code", "error", "exit_code"),
    [
        (grpc.StatusCode.UNAUTHENTICATED, AuthError, 6),
        (grpc.StatusCode.PERMISSION_DENIED, AuthError, 6),
        (grpc.StatusCode.NOT_FOUND, NotFoundError, 3),
        (grpc.StatusCode.ALREADY_EXISTS, ConflictError, 4),
        (grpc.StatusCode.FAILED_PRECONDITION, ConflictError, 4),
        (grpc.StatusCode.UNIMPLEMENTED, UnsupportedError, 2),
        (grpc.StatusCode.INTERNAL, ServerError, 7),
        (grpc.StatusCode.UNKNOWN, ServerError, 7),
        (grpc.StatusCode.INVALID_ARGUMENT, ServerError, 7),
    ],
)
def test_status_codes_map_to_exit_codes(
    servicer: MemoryServicer, code: grpc.StatusCode, error: type, exit_code: int
) -> None:
    servicer.faults["ListInstanceIDs"] = (code, "bad \x1b[31mthing\x07")
    with serving(servicer) as ep, GrpcBackend(ep) as b:
        info = pytest.raises(error, b.list_instances)
    assert info.value.exit_code == exit_code
    text = str(info.value)
    assert "\x1b" not in text and "\x07" not in text
    if error in (ServerError, NotFoundError, ConflictError):
        assert "bad \\x1b[31mthing\\x07" in text  # the server's words, made visible


def test_wrong_token_is_auth_and_never_echoed() -> None:
    with serving(MemoryServicer(token="right")) as ep, GrpcBackend(ep, api_token="wrong-x") as b:
        info = pytest.raises(AuthError, b.get, "a")
    info.match("token was refused")
    assert "wrong-x" not in str(info.value)


def test_nothing_listening_is_unreachable(dead_port: int) -> None:
    with GrpcBackend(f"127.0.0.1:{dead_port}", timeout=20) as b:
        info = pytest.raises(UnreachableError, b.get, "a")
    info.match("cannot reach 127.0.0.1:.*connection refused")


def test_a_server_that_never_answers_meets_the_deadline(silent_endpoint: str) -> None:
    with GrpcBackend(silent_endpoint, timeout=0.5) as b:
        info = pytest.raises(UnreachableError, b.get, "a")
    info.match(r"timed out after 0.5s waiting for 127.0.0.1:")


def test_rerun_sends_the_request_and_maps_refusals(
    backend: GrpcBackend, servicer: MemoryServicer
) -> None:
    servicer.add("src", status=0)
    with pytest.raises(ConflictError, match="'src' is RUNNING: only a finished instance"):
        backend.rerun("src", 1)
    servicer.finish("src", status=3)
    assert backend.rerun("src", 1, new_instance_id="again", new_input='"x"', overwrite_input=True)
    req = servicer.calls("RerunWorkflowFromEvent")[-1]
    assert (req.sourceInstanceID, req.eventID, req.newInstanceID) == ("src", 1, "again")
    assert req.overwriteInput and req.input.value == '"x"'
    assert backend.rerun("src", 1) == "rerun-generated"
    assert not servicer.calls("RerunWorkflowFromEvent")[-1].HasField("input")
    with pytest.raises(UsageError, match="cannot rerun 'src' from event 5"):
        backend.rerun("src", 5)
    with pytest.raises(ConflictError):
        backend.rerun("src", 1, new_instance_id="again")  # "again" is active
    with pytest.raises(NotFoundError, match="'nope'"):
        backend.rerun("nope", 1)
    with pytest.raises(UsageError, match="EVENTID"):
        backend.rerun("src", -1)


def test_rerun_on_an_old_daprd_names_dapr_117() -> None:
    with serving(MemoryServicer(old=True)) as ep, GrpcBackend(ep) as b:
        info = pytest.raises(UnsupportedError, b.rerun, "x", 1)
    info.match("rerun needs Dapr 1.16")


def test_stubs_load_after_the_dapr_alias() -> None:
    """An app loaded in-process installs wfctl's Dapr alias (a "dapr" with no __spec__); the
    stubs must still load (the contract suite's embedded then gRPC targets hit this)."""
    import subprocess
    import sys

    code = (
        "from wfctl.workflow.alias import install_dapr_alias\n"
        "install_dapr_alias()\n"
        "from wfctl.protocol import pb\n"
        "print(pb.HistoryEvent.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (out.returncode, out.stdout.strip()) == (0, "HistoryEvent"), out.stderr


def test_page_instances_walks_one_snapshot(backend: GrpcBackend, servicer: MemoryServicer) -> None:
    for i in range(7):
        servicer.add(f"p{i}", status=0 if i % 2 else 1, created=i)
    servicer.add("other", status=0, created=9)
    running = [RuntimeStatus.RUNNING]
    first, cur = backend.page_instances(statuses=running, id_prefix="p", limit=2)
    assert [s.instance_id for s in first] == ["p5", "p3"] and cur == "p3"
    lists = len(servicer.calls("ListInstanceIDs"))
    rest, cur = backend.page_instances(statuses=running, id_prefix="p", limit=2, after=cur)
    assert [s.instance_id for s in rest] == ["p1"] and cur is None
    assert len(servicer.calls("ListInstanceIDs")) == lists  # the snapshot, not a new listing
