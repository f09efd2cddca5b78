"""The RPCs one by one with the raw stubs (a hand-driven worker for the faults): codes and
messages as daprd's, and bad workers that harm neither the instance, nor others, nor serve."""

from __future__ import annotations

import grpc
import pytest

from tests.grpc.proc import GrpcServe
from wfctl.protocol import load

P = load()
pb = P.pb


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    s = GrpcServe(tmp_path_factory.mktemp("rpc") / "wf.db")
    yield s
    assert s.stop() == 0, s.stderr


@pytest.fixture
def stub(serve):
    ch = grpc.insecure_channel(f"127.0.0.1:{serve.grpc_port}")
    yield P.rpc.TaskHubClient(ch)
    ch.close()


def start(stub, name: str, iid: str, inp: str | None = None) -> str:
    req = pb.CreateInstanceRequest(name=name, instanceId=iid)
    if inp is not None:
        req.input.value = inp
    return stub.StartInstance(req, timeout=10).instanceId


def next_turn(stream, iid: str):
    """The next workflow work item for ``iid`` (health pings and others skipped)."""
    for item in stream:
        if item.HasField("workflowRequest") and item.workflowRequest.instanceId == iid:
            return item
    raise AssertionError("stream ended")


def complete(stub, iid: str, token: str, result: str = '"ok"', status: int = 1) -> None:
    action = pb.WorkflowAction(id=1)
    action.completeWorkflow.workflowStatus = status
    action.completeWorkflow.result.value = result
    resp = pb.WorkflowResponse(instanceId=iid, completionToken=token, actions=[action])
    stub.CompleteOrchestratorTask(resp, timeout=10)


def state(stub, iid: str):
    return stub.GetInstance(pb.GetInstanceRequest(instanceId=iid, getInputsAndOutputs=True))


def wait_done(stub, iid: str):
    req = pb.GetInstanceRequest(instanceId=iid, getInputsAndOutputs=True)
    return stub.WaitForInstanceCompletion(req, timeout=30).workflowState


def test_hello_and_unknown_instances(stub):
    stub.Hello(pb.Empty(), timeout=10)
    assert not state(stub, "nope").exists
    with pytest.raises(grpc.RpcError) as e:
        stub.GetInstanceHistory(pb.GetInstanceHistoryRequest(instanceId="nope"), timeout=10)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    for call, req in (
        (stub.TerminateInstance, pb.TerminateRequest(instanceId="nope")),
        (stub.SuspendInstance, pb.SuspendRequest(instanceId="nope")),
        (stub.ResumeInstance, pb.ResumeRequest(instanceId="nope")),
    ):
        with pytest.raises(grpc.RpcError) as e:
            call(req, timeout=10)
        assert e.value.code() == grpc.StatusCode.NOT_FOUND


def test_start_conflicts_and_bad_ids(stub):
    start(stub, "w", "dup-1")
    with pytest.raises(grpc.RpcError) as e:
        start(stub, "w", "dup-1")
    assert e.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert e.value.details() == "an active workflow with ID 'dup-1' already exists"
    with pytest.raises(grpc.RpcError) as e:
        start(stub, "w", "bad/id")
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as e:
        start(stub, "dapr.internal.mcp.tools", "internal-1")
    assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert not state(stub, "internal-1").exists
    stub.TerminateInstance(pb.TerminateRequest(instanceId="dup-1"), timeout=10)
    assert state(stub, "dup-1").workflowState.workflowStatus == pb.ORCHESTRATION_STATUS_TERMINATED
    start(stub, "w", "dup-1")  # an ID can be reused once its instance is terminal


def test_wait_honours_the_deadline(stub):
    start(stub, "never_taken", "wait-1")
    with pytest.raises(grpc.RpcError) as e:
        stub.WaitForInstanceStart(pb.GetInstanceRequest(instanceId="wait-1"), timeout=0.5)
    assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    st = state(stub, "wait-1").workflowState
    assert st.workflowStatus == pb.ORCHESTRATION_STATUS_PENDING  # no worker took it


def test_list_pages_and_purge(stub):
    for k in range(5):
        start(stub, "w", f"page-{k}")
        stub.TerminateInstance(pb.TerminateRequest(instanceId=f"page-{k}"), timeout=10)
    seen: list[str] = []
    req = pb.ListInstanceIDsRequest(pageSize=2)
    while True:
        page = stub.ListInstanceIDs(req, timeout=10)
        assert len(page.instanceIds) <= 2
        seen += page.instanceIds
        if not page.HasField("continuationToken"):
            break
        req = pb.ListInstanceIDsRequest(pageSize=2, continuationToken=page.continuationToken)
    assert len(seen) == len(set(seen)) and {f"page-{k}" for k in range(5)} <= set(seen)
    got = stub.PurgeInstances(pb.PurgeInstancesRequest(instanceId="page-0"), timeout=10)
    assert got.deletedInstanceCount == 1
    assert not state(stub, "page-0").exists
    start(stub, "w", "active-1")
    with pytest.raises(grpc.RpcError) as e:
        stub.PurgeInstances(pb.PurgeInstancesRequest(instanceId="active-1"), timeout=10)
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    forced = stub.PurgeInstances(
        pb.PurgeInstancesRequest(instanceId="active-1", force=True), timeout=10
    )
    assert forced.deletedInstanceCount == 1 and not state(stub, "active-1").exists


def test_bad_worker_answers_harm_nothing(serve, stub):
    start(stub, "hand", "fault-1", '"in"')
    start(stub, "hand", "fault-2")
    a = stub.GetWorkItems(pb.GetWorkItemsRequest())
    item = next_turn(a, "fault-1")
    req = item.workflowRequest
    kinds = [e.WhichOneof("eventType") for e in req.newEvents]
    assert kinds[:2] == ["workflowStarted", "executionStarted"]
    assert req.newEvents[1].executionStarted.input.value == '"in"'
    assert req.newEvents[1].router.sourceAppID == "wfctl"
    # Disconnect mid-turn: the turn goes to the next stream.
    a.cancel()
    b = stub.GetWorkItems(pb.GetWorkItemsRequest())
    again = next_turn(b, "fault-1")
    assert again.completionToken != item.completionToken
    # A completion with the dead stream's token, or an unknown one, is refused as daprd
    # refuses an answer it cannot match (UNKNOWN "unknown instance ID: ..."), and dropped.
    for token in (item.completionToken, "no-such-token"):
        with pytest.raises(grpc.RpcError) as e:
            complete(stub, "fault-1", token, status=pb.ORCHESTRATION_STATUS_FAILED)
        assert e.value.code() == grpc.StatusCode.UNKNOWN
        assert e.value.details().startswith("unknown instance ID: fault-1 (a stale")
    complete(stub, "fault-1", again.completionToken)
    st = wait_done(stub, "fault-1")
    assert st.workflowStatus == pb.ORCHESTRATION_STATUS_COMPLETED and st.output.value == '"ok"'
    # Actions the history contradicts (an id used twice): the workflow fails, named.
    other = next_turn(b, "fault-2")
    twice = [pb.WorkflowAction(id=1), pb.WorkflowAction(id=1)]
    for act in twice:
        act.scheduleTask.name = "act"
    stub.CompleteOrchestratorTask(
        pb.WorkflowResponse(
            instanceId="fault-2", completionToken=other.completionToken, actions=twice
        ),
        timeout=10,
    )
    st = wait_done(stub, "fault-2")
    assert st.workflowStatus == pb.ORCHESTRATION_STATUS_FAILED
    assert st.failureDetails.errorType == "WorkerProtocolError"
    assert "reuses id 1" in st.failureDetails.errorMessage
    b.cancel()
    # A malformed message and a too-large one are refused; serve goes on.
    ch = grpc.insecure_channel(f"127.0.0.1:{serve.grpc_port}")
    raw = ch.unary_unary("/TaskHubSidecarService/CompleteOrchestratorTask")
    with pytest.raises(grpc.RpcError) as e:
        raw(b"\xff\xff\xff\xff", timeout=10)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert e.value.details().startswith("the request is not a valid message")
    ch.close()
    with pytest.raises(grpc.RpcError) as e:
        start(stub, "w", "huge-1", '"' + "x" * (5 * 1024 * 1024) + '"')
    assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    stub.Hello(pb.Empty(), timeout=10)
    assert serve.proc.poll() is None


def test_token_on_every_rpc_and_the_stream(tmp_path):
    s = GrpcServe(tmp_path / "wf.db", token="s3cret")
    ch = grpc.insecure_channel(f"127.0.0.1:{s.grpc_port}")
    try:
        stub = P.rpc.TaskHubClient(ch)
        for md in ((), (("dapr-api-token", "wrong"),)):
            with pytest.raises(grpc.RpcError) as e:
                stub.Hello(pb.Empty(), timeout=10, metadata=md)
            assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED
            with pytest.raises(grpc.RpcError) as e:
                next(iter(stub.GetWorkItems(pb.GetWorkItemsRequest(), metadata=md)))
            assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED
        ok = (("dapr-api-token", "s3cret"),)
        stub.Hello(pb.Empty(), timeout=10, metadata=ok)
        assert not stub.GetInstance(pb.GetInstanceRequest(instanceId="x"), metadata=ok).exists
    finally:
        ch.close()
        assert s.stop() == 0
    assert not any("s3cret" in line for line in s.banner + s.stderr)


def test_rerun_refusals_carry_daprd_codes(stub):
    start(stub, "w", "rr-active")
    start(stub, "w", "rr-done")
    stub.TerminateInstance(pb.TerminateRequest(instanceId="rr-done"), timeout=10)
    cases = [
        (pb.RerunWorkflowFromEventRequest(sourceInstanceID="rr-none", eventID=1), "NOT_FOUND"),
        (
            pb.RerunWorkflowFromEventRequest(sourceInstanceID="rr-active", eventID=1),
            "INVALID_ARGUMENT",
        ),
        (pb.RerunWorkflowFromEventRequest(sourceInstanceID="rr-done", eventID=1), "NOT_FOUND"),
        (
            pb.RerunWorkflowFromEventRequest(
                sourceInstanceID="rr-done", eventID=1, newInstanceID="rr-active"
            ),
            "ALREADY_EXISTS",
        ),
    ]
    for req, code in cases:
        with pytest.raises(grpc.RpcError) as e:
            stub.RerunWorkflowFromEvent(req, timeout=10)
        assert e.value.code() == getattr(grpc.StatusCode, code), (req, e.value.details())


def test_a_scheduled_start_is_not_dispatched_before_its_time(stub):
    import time
    from datetime import datetime, timedelta, timezone

    due = datetime.now(timezone.utc) + timedelta(seconds=1)
    req = pb.CreateInstanceRequest(name="later", instanceId="later-1")
    req.scheduledStartTimestamp.FromDatetime(due)
    stub.StartInstance(req, timeout=10)
    assert state(stub, "later-1").workflowState.workflowStatus == pb.ORCHESTRATION_STATUS_PENDING
    s = stub.GetWorkItems(pb.GetWorkItemsRequest())
    try:
        item = next_turn(s, "later-1")
        got = time.time()
    finally:
        s.cancel()
    started = item.workflowRequest.newEvents[1].executionStarted
    assert started.scheduledStartTimestamp.ToDatetime(tzinfo=timezone.utc) == due.replace(
        microsecond=due.microsecond
    )
    assert got >= due.timestamp()


def next_task(stream, iid: str):
    for item in stream:
        if item.HasField("activityRequest") and (
            item.activityRequest.workflowInstance.instanceId == iid
        ):
            return item
    raise AssertionError("stream ended")


def test_an_activity_in_flight_on_a_dropped_stream_goes_to_the_next(stub):
    start(stub, "hand", "act-1")
    a = stub.GetWorkItems(pb.GetWorkItemsRequest())
    turn = next_turn(a, "act-1")
    act = pb.WorkflowAction(id=1)
    act.scheduleTask.name = "shout"
    act.scheduleTask.input.value = '"hi"'
    stub.CompleteOrchestratorTask(
        pb.WorkflowResponse(
            instanceId="act-1", completionToken=turn.completionToken, actions=[act]
        ),
        timeout=10,
    )
    first = next_task(a, "act-1")
    assert (first.activityRequest.name, first.activityRequest.taskId) == ("shout", 1)
    a.cancel()  # the app dies with the activity running
    b = stub.GetWorkItems(pb.GetWorkItemsRequest())
    try:
        again = next_task(b, "act-1")
        assert again.activityRequest.taskId == 1 and again.activityRequest.input.value == '"hi"'
        # The dead stream's answer is stale (daprd's "unknown ... combo"); the new one counts.
        for item, result in ((first, '"stale"'), (again, '"HI"')):
            resp = pb.ActivityResponse(
                instanceId="act-1", taskId=1, completionToken=item.completionToken
            )
            resp.result.value = result
            if item is first:
                with pytest.raises(grpc.RpcError) as e:
                    stub.CompleteActivityTask(resp, timeout=10)
                assert e.value.code() == grpc.StatusCode.UNKNOWN
                assert "unknown instance ID/task ID combo: act-1/1" in e.value.details()
            else:
                stub.CompleteActivityTask(resp, timeout=10)
        turn2 = next_turn(b, "act-1")
        done = [e for e in turn2.workflowRequest.newEvents if e.HasField("taskCompleted")]
        assert [e.taskCompleted.result.value for e in done] == ['"HI"']
        past = [e.WhichOneof("eventType") for e in turn2.workflowRequest.pastEvents]
        assert "taskScheduled" in past
        sched = [e for e in turn2.workflowRequest.pastEvents if e.HasField("taskScheduled")]
        assert sched[0].eventId == 1  # the action id: how the SDKs match it on replay
        complete(stub, "act-1", turn2.completionToken)
        assert wait_done(stub, "act-1").workflowStatus == pb.ORCHESTRATION_STATUS_COMPLETED
    finally:
        b.cancel()
