"""--work-item-timeout: a worker that takes a turn or an activity and sits on it (its stream
open) loses it to another stream; a stream that answers nothing for that long while holding
work is ended; a late answer is refused as stale. Synchronised on the work items
themselves, never on the clock."""

from __future__ import annotations

import threading
import time

import grpc
import pytest

from tests.grpc.proc import App, GrpcServe
from tests.grpc.test_serve_grpc import SEQ
from tests.grpc.worker import P, RawWorker, complete_action, module_serve, open_stub, pb

serve = module_serve("held", ["--work-item-timeout", "3"])


@pytest.fixture
def stub(serve):
    yield from open_stub(serve)


def start(stub, iid: str) -> None:
    stub.StartInstance(pb.CreateInstanceRequest(name="held", instanceId=iid), timeout=10)


def done(stub, iid: str):
    req = pb.GetInstanceRequest(instanceId=iid, getInputsAndOutputs=True)
    return stub.WaitForInstanceCompletion(req, timeout=60).workflowState


def failed(iid: str, token: str):
    act = pb.WorkflowAction(id=1)
    act.completeWorkflow.workflowStatus = pb.ORCHESTRATION_STATUS_FAILED
    act.completeWorkflow.failureDetails.errorType = "Stale"
    return pb.WorkflowResponse(instanceId=iid, completionToken=token, actions=[act])


def take_turn_either(workers, iid: str, timeout: float = 60):
    """(worker, item): the next turn of ``iid``, whichever stream it went to."""
    deadline = time.monotonic() + timeout
    while True:
        for worker in workers:
            item = worker.poll("workflowRequest", iid)
            if item is not None:
                return worker, item
        assert time.monotonic() < deadline, f"no turn of {iid}"
        time.sleep(0.01)


def stale(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as e:
        call()
    assert e.value.code() == grpc.StatusCode.UNKNOWN  # daprd's answer to an unmatched one
    return e.value


def test_a_silent_holder_is_ended_and_its_turn_goes_to_another_stream(serve, stub):
    sitter = RawWorker(stub, [pb.WORKER_CAPABILITY_STATEFUL_HISTORY])
    helper = None
    try:
        start(stub, "held-turn")
        first = sitter.take_turn("held-turn")  # ... and never answered
        helper = RawWorker(stub)
        again = helper.take_turn("held-turn", timeout=60)  # not the sitter's stream
        assert again.completionToken != first.completionToken
        kinds = [e.WhichOneof("eventType") for e in again.workflowRequest.newEvents]
        assert "executionStarted" in kinds  # the same inbox, not consumed by the first
        # The sitter answered nothing for --work-item-timeout while it held work: its
        # stream is ended, with a status that says why.
        sitter.wait_end()
        assert sitter.error.code() == grpc.StatusCode.UNAVAILABLE
        assert "--work-item-timeout" in sitter.error.details()
        # Its late answer (FAILED) is refused; the new holder's (COMPLETED) counts.
        stale(lambda: stub.CompleteOrchestratorTask(failed("held-turn", first.completionToken)))
        helper.answer(again, complete_action(1, '"second"'))
        st = done(stub, "held-turn")
        assert st.workflowStatus == pb.ORCHESTRATION_STATUS_COMPLETED
        assert st.output.value == '"second"'
    finally:
        sitter.close()
        if helper is not None:
            helper.close()
    deadline = time.monotonic() + 30  # the log line is said before the item goes out again
    while not any("--work-item-timeout" in line for line in serve.stderr):
        assert time.monotonic() < deadline, serve.stderr
        time.sleep(0.05)


def test_a_held_activity_goes_to_another_stream_while_its_holder_lives(stub):
    """The holder keeps answering other work (so it is alive), but sits on one activity:
    that one is taken back and handed to the other stream, never to the holder again."""
    w = RawWorker(stub)
    other = None
    try:
        start(stub, "held-task")
        act = pb.WorkflowAction(id=1)
        act.scheduleTask.name = "slow"
        w.answer(w.take_turn("held-task"), act)
        first = w.take_task("held-task")
        other = RawWorker(stub)
        n = 0
        while (
            other.poll("activityRequest", "held-task", keep=True) is None
        ):  # w stays alive: it answers a new turn
            n += 1
            start(stub, f"beat-{n}")
            worker, item = take_turn_either((w, other), f"beat-{n}")
            worker.answer(item, complete_action(1))
            assert n < 5000, "the held activity never went to the other stream"
            time.sleep(0.05)  # pacing only: the loop ends on the hand-out, not on time
        again = other.take_task("held-task")
        assert again.completionToken != first.completionToken
        assert again.activityRequest.taskId == 1
        assert w.poll("activityRequest", "held-task") is None  # never back to its holder
        for item, result in ((first, '"stale"'), (again, '"fresh"')):
            resp = pb.ActivityResponse(
                instanceId="held-task", taskId=1, completionToken=item.completionToken
            )
            resp.result.value = result
            if item is first:
                err = stale(lambda r=resp: stub.CompleteActivityTask(r, timeout=10))
                assert "unknown instance ID/task ID combo: held-task/1" in err.details()
            else:
                stub.CompleteActivityTask(resp, timeout=10)
        _, turn = take_turn_either((w, other), "held-task")
        got = [
            e.taskCompleted.result.value
            for e in turn.workflowRequest.newEvents
            if e.HasField("taskCompleted")
        ]
        assert got == ['"fresh"']
    finally:
        w.close()
        if other is not None:
            other.close()


@pytest.mark.timeout(240)  # longer than the suite's 120 s: a wait of up to 120 s
def test_a_stream_that_stops_reading_loses_its_work_to_an_sdk_worker(tmp_path):
    """A client that can no longer decode (grpc-python does not cancel its stream) keeps
    the stream open and reads nothing: its turn goes to an unmodified SDK worker."""
    s = GrpcServe(tmp_path / "wf.db", ["--work-item-timeout", "3"])
    ch = grpc.insecure_channel(f"127.0.0.1:{s.grpc_port}")
    stub = P.rpc.TaskHubClient(ch)
    app = None
    try:
        req = pb.CreateInstanceRequest(name="three", instanceId="muted")
        req.input.value = "1"
        stub.StartInstance(req, timeout=10)
        mute = stub.GetWorkItems(pb.GetWorkItemsRequest())
        first = next(mute)  # the only stream gets the turn; then it reads nothing more
        assert first.workflowRequest.instanceId == "muted"
        app = App(SEQ, s.grpc_port, "worker")
        app.wait_line("READY")
        st = s.wait_status("muted", {"COMPLETED", "FAILED"}, timeout=120)
        assert st["runtimeStatus"] == "COMPLETED", st
        assert st["properties"]["dapr.workflow.output"] == "4"
        guard = threading.Timer(60, mute.cancel)  # a stream never ended must not hang here
        guard.start()
        try:
            with pytest.raises(grpc.RpcError) as e:  # what was buffered, then the end
                for _ in mute:
                    pass
        finally:
            guard.cancel()
        assert e.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "--work-item-timeout" in e.value.details()
    finally:
        if app is not None:
            app.stop()
        ch.close()
        assert s.stop() == 0, s.stderr
