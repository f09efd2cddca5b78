"""serve's gRPC door against a real `wfctl serve --grpc-port` (issue 16): input over the
limits refused on both transports alike, a work item that outgrew the message limit fails
its one instance, unmatched answers refused as daprd refuses them (and logged), token-less
answers taken only from the turn's own connection, the token checked before anything else,
malformed input answered INVALID_ARGUMENT in plain words, CANCELLED "shutting down" on
SIGTERM."""

from __future__ import annotations

import json
import time

import grpc
import pytest

from tests.grpc.proc import App, GrpcServe
from tests.grpc.test_serve_grpc import SEQ
from tests.grpc.worker import P, RawWorker, complete_action, pb
from wfctl.limits import MAX_JSON_DEPTH, payload_limit

HTTP_START = "/v1.0-beta1/workflows/dapr/{}/start"


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    s = GrpcServe(tmp_path_factory.mktemp("door") / "wf.db")
    yield s
    assert s.stop() == 0, s.stderr


def channel(serve, own: bool = False) -> grpc.Channel:
    """A channel to serve; ``own``: on a TCP connection of its own (gRPC may otherwise
    share one connection between channels to the same address)."""
    opts = [("grpc.use_local_subchannel_pool", 1)] if own else []
    return grpc.insecure_channel(f"127.0.0.1:{serve.grpc_port}", options=opts)


@pytest.fixture
def stub(serve):
    ch = channel(serve)
    yield P.rpc.TaskHubClient(ch)
    ch.close()


def start(stub, name: str, iid: str, inp: str | None = None, **kw) -> None:
    req = pb.CreateInstanceRequest(name=name, instanceId=iid, **kw)
    if inp is not None:
        req.input.value = inp
    stub.StartInstance(req, timeout=30)


def refused(call, code) -> str:
    with pytest.raises(grpc.RpcError) as e:
        call()
    assert e.value.code() == code, e.value
    details = e.value.details()
    assert "Traceback" not in details and "Exception" not in details
    return details


def state(stub, iid: str):
    req = pb.GetInstanceRequest(instanceId=iid, getInputsAndOutputs=True)
    return stub.WaitForInstanceCompletion(req, timeout=60).workflowState


def logged(serve, *words: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        for line in serve.stderr:
            if all(w in line for w in words):
                return line
        assert time.monotonic() < deadline, serve.stderr[-20:]
        time.sleep(0.05)


def test_an_input_no_work_item_could_carry_is_refused_and_others_run(serve, stub):
    # Just under the 4 MiB message limit: no work item could carry it with its envelope.
    over = json.dumps("x" * (payload_limit() - 1))
    msg = refused(lambda: start(stub, "three", "huge", over), grpc.StatusCode.RESOURCE_EXHAUSTED)
    assert f"the limit is {payload_limit()} bytes" in msg
    r = serve.client.post(HTTP_START.format("three") + "?instanceID=huge2", content=over)
    assert r.status_code == 400 and f"the limit is {payload_limit()} bytes" in r.text
    # 3.9 MiB fits a first turn (accepted), not the turns after it: that instance fails,
    # named; an unmodified SDK worker runs an unrelated workflow meanwhile.
    app = App(SEQ, serve.grpc_port, "worker")
    try:
        app.wait_line("READY")
        start(stub, "three", "big", json.dumps("x" * (39 * 1024 * 1024 // 10)))
        start(stub, "three", "small", "1")
        st = state(stub, "small")
        big = state(stub, "big")
    finally:
        app.stop()
    assert st.workflowStatus == pb.ORCHESTRATION_STATUS_COMPLETED, st
    assert st.output.value == "4"
    assert big.workflowStatus == pb.ORCHESTRATION_STATUS_FAILED


def test_a_work_item_grown_past_the_limit_fails_only_its_instance(serve, stub):
    w = RawWorker(stub)
    try:
        part = json.dumps("y" * (3 * 1024 * 1024 // 2))  # 1.5 MiB: each fits, not together
        start(stub, "grow", "grown", part)
        acts = []
        for k in (1, 2):
            a = pb.WorkflowAction(id=k)
            a.scheduleTask.name = "step"
            a.scheduleTask.input.value = part
            acts.append(a)
        w.answer(w.take_turn("grown"), *acts)
        for _ in (1, 2):
            task = w.take_task("grown")
            resp = pb.ActivityResponse(
                instanceId="grown",
                taskId=task.activityRequest.taskId,
                completionToken=task.completionToken,
            )
            resp.result.value = '"ok"'
            stub.CompleteActivityTask(resp, timeout=10)
        st = state(stub, "grown")  # its next turn (4.5 MiB of history) could not be sent
        assert st.workflowStatus == pb.ORCHESTRATION_STATUS_FAILED
        assert st.failureDetails.errorType == "WorkItemTooLarge"
        assert "message limit" in st.failureDetails.errorMessage
        start(stub, "small", "after-grown")  # the same stream goes on with other work
        w.answer(w.take_turn("after-grown"), complete_action(1))
        assert state(stub, "after-grown").workflowStatus == pb.ORCHESTRATION_STATUS_COMPLETED
        assert w.error is None  # the stream never ended
    finally:
        w.close()


def test_unmatched_answers_are_refused_as_daprd_does_and_logged(serve, stub):
    turn = pb.WorkflowResponse(instanceId="nobody", completionToken="made-up")
    msg = refused(lambda: stub.CompleteOrchestratorTask(turn), grpc.StatusCode.UNKNOWN)
    assert msg.startswith("unknown instance ID: nobody (a stale or unknown completion token")
    task = pb.ActivityResponse(instanceId="nobody", taskId=7)
    msg = refused(lambda: stub.CompleteActivityTask(task), grpc.StatusCode.UNKNOWN)
    assert msg.startswith("unknown instance ID/task ID combo: nobody/7 (no completion token")
    logged(serve, "refused an activity answer", "'nobody'", "task 7", "no completion token")
    logged(serve, "refused a workflow answer", "'nobody'", "a stale or unknown")


def test_a_token_less_answer_is_taken_from_the_turn_s_connection_only(serve, stub):
    w = RawWorker(stub)
    other = channel(serve, own=True)
    try:
        start(stub, "t", "tokenless")
        w.take_turn("tokenless")
        answer = pb.WorkflowResponse(instanceId="tokenless", actions=[complete_action(1, '"x"')])
        intruder = P.rpc.TaskHubClient(other)
        msg = refused(lambda: intruder.CompleteOrchestratorTask(answer), grpc.StatusCode.UNKNOWN)
        assert "from another connection" in msg
        got = stub.GetInstance(pb.GetInstanceRequest(instanceId="tokenless"), timeout=10)
        assert got.workflowState.workflowStatus == pb.ORCHESTRATION_STATUS_PENDING  # not run
        # The stream's own connection (durabletask-js 1.0 answers so): taken.
        answer.actions[0].completeWorkflow.result.value = '"mine"'
        stub.CompleteOrchestratorTask(answer, timeout=10)
        st = state(stub, "tokenless")
        assert st.workflowStatus == pb.ORCHESTRATION_STATUS_COMPLETED
        assert st.output.value == '"mine"'
    finally:
        other.close()
        w.close()


def test_malformed_input_is_invalid_argument_in_plain_words(serve, stub):
    ch = channel(serve)
    raw = ch.unary_unary("/TaskHubSidecarService/StartInstance")
    msg = refused(lambda: raw(b"\xff\xff\xff", timeout=10), grpc.StatusCode.INVALID_ARGUMENT)
    assert msg.startswith("the request is not a valid message")
    ch.close()
    for token in ("1/99999999999999999999999", "1e999/1", "nan/1", "x"):
        req = pb.ListInstanceIDsRequest(continuationToken=token)
        msg = refused(lambda r=req: stub.ListInstanceIDs(r), grpc.StatusCode.INVALID_ARGUMENT)
        assert msg.startswith("invalid continuation token")
    when = pb.Timestamp(seconds=10**15)
    msg = refused(
        lambda: start(stub, "w", "when", scheduledStartTimestamp=when),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "scheduledStartTimestamp is not a valid time" in msg


def test_a_worker_s_invalid_timer_time_fails_its_instance_only(serve, stub):
    w = RawWorker(stub)
    try:
        start(stub, "t", "bad-timer")
        act = pb.WorkflowAction(id=1)
        act.createTimer.fireAt.seconds = 10**15  # past year 9999
        w.answer(w.take_turn("bad-timer"), act)
        st = state(stub, "bad-timer")
        assert st.workflowStatus == pb.ORCHESTRATION_STATUS_FAILED
        assert st.failureDetails.errorType == "InvalidTimestamp"
        start(stub, "t", "after-bad-timer")  # the front goes on
        w.answer(w.take_turn("after-bad-timer"), complete_action(1))
        assert state(stub, "after-bad-timer").workflowStatus == pb.ORCHESTRATION_STATUS_COMPLETED
    finally:
        w.close()


def test_the_limits_are_the_same_on_both_transports(serve, stub):
    deep = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    msg = refused(lambda: start(stub, "w", "deep", deep), grpc.StatusCode.INVALID_ARGUMENT)
    assert f"deeper than {MAX_JSON_DEPTH} levels" in msg
    r = serve.client.post(HTTP_START.format("w") + "?instanceID=deep2", content=deep)
    assert r.status_code == 400 and f"deeper than {MAX_JSON_DEPTH} levels" in r.text
    ev = pb.RaiseEventRequest(instanceId="any", name="e")
    ev.input.value = deep
    refused(lambda: stub.RaiseEvent(ev), grpc.StatusCode.INVALID_ARGUMENT)
    for name in ("a\x1b[31mb", "a\x00b", "a\nb"):
        msg = refused(lambda n=name: start(stub, n, "odd"), grpc.StatusCode.INVALID_ARGUMENT)
        assert "control character" in msg
    r = serve.client.post(HTTP_START.format("a%1B%5B31mb") + "?instanceID=odd2")
    assert r.status_code == 400 and "control character U+001B" in r.text
    msg = refused(
        lambda: start(stub, "n" * (3 * 1000 * 1000), "long"), grpc.StatusCode.RESOURCE_EXHAUSTED
    )
    assert "the limit is 16384 bytes" in msg
    for iid in ("deep", "deep2", "odd", "odd2", "long"):
        got = stub.GetInstance(pb.GetInstanceRequest(instanceId=iid), timeout=10)
        assert not got.exists


def test_the_token_is_checked_first_and_only_once(tmp_path):
    s = GrpcServe(tmp_path / "wf.db", token="s3cret")
    ch = channel(s)
    try:
        raw = ch.unary_unary("/TaskHubSidecarService/StartInstance")
        # A malformed request without the token learns nothing of the decoder.
        msg = refused(lambda: raw(b"\xff\xff", timeout=10), grpc.StatusCode.UNAUTHENTICATED)
        assert msg == "authentication error: api token"
        ok = [("dapr-api-token", "s3cret")]
        refused(lambda: raw(b"\xff\xff", timeout=10, metadata=ok), grpc.StatusCode.INVALID_ARGUMENT)
        stub = P.rpc.TaskHubClient(ch)
        twice = ok + [("dapr-api-token", "s3cret")]
        msg = refused(
            lambda: stub.Hello(pb.Empty(), timeout=10, metadata=twice),
            grpc.StatusCode.UNAUTHENTICATED,
        )
        assert "given 2 times" in msg
        stub.Hello(pb.Empty(), timeout=10, metadata=ok)
    finally:
        ch.close()
        assert s.stop() == 0, s.stderr


def test_sigterm_ends_worker_streams_cancelled_shutting_down_as_daprd(tmp_path):
    s = GrpcServe(tmp_path / "wf.db")
    ch = channel(s)
    w = RawWorker(P.rpc.TaskHubClient(ch))
    try:
        start(w.stub, "t", "stopping")
        w.take_turn("stopping")  # the stream is open and serving
        assert s.stop() == 0, s.stderr
        w.wait_end()
        assert w.error.code() == grpc.StatusCode.CANCELLED, w.error
        assert w.error.details() == "shutting down"
    finally:
        w.close()
        ch.close()
