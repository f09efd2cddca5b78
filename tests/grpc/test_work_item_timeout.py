"""--work-item-timeout: a worker that takes a turn or an activity and sits on it (its stream
open) loses it to the next hand-out; its late answer is refused as stale. Synchronised on the
work items themselves, never on the clock."""

from __future__ import annotations

import time

import pytest

from tests.grpc.worker import RawWorker, complete_action, module_serve, open_stub, pb

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


def test_a_held_turn_is_handed_out_again_and_the_late_answer_refused(serve, stub):
    sitter = RawWorker(stub, [pb.WORKER_CAPABILITY_STATEFUL_HISTORY])
    try:
        start(stub, "held-turn")
        first = sitter.take_turn("held-turn")  # ... and never answered in time
        again = sitter.take_turn("held-turn", timeout=60)
        assert again.completionToken != first.completionToken
        assert not again.workflowRequest.HasField("cachedHistory")  # a fresh full copy
        kinds = [e.WhichOneof("eventType") for e in again.workflowRequest.newEvents]
        assert "executionStarted" in kinds  # the same inbox, not consumed by the first
        # The old holder answers late (FAILED), then the new one (COMPLETED): only the
        # second counts. Had the stale answer been taken, the run would be FAILED.
        stub.CompleteOrchestratorTask(failed("held-turn", first.completionToken), timeout=10)
        sitter.answer(again, complete_action(1, '"second"'))
        st = done(stub, "held-turn")
        assert st.workflowStatus == pb.ORCHESTRATION_STATUS_COMPLETED
        assert st.output.value == '"second"'
    finally:
        sitter.close()
    deadline = time.monotonic() + 30  # the log line is said before the item goes out again
    while not any("--work-item-timeout" in line for line in serve.stderr):
        assert time.monotonic() < deadline, serve.stderr
        time.sleep(0.05)


def test_a_held_activity_is_handed_out_again_and_the_late_result_refused(stub):
    w = RawWorker(stub)
    try:
        start(stub, "held-task")
        act = pb.WorkflowAction(id=1)
        act.scheduleTask.name = "slow"
        w.answer(w.take_turn("held-task"), act)
        first = w.take_task("held-task")
        again = w.take_task("held-task", timeout=60)
        assert again.completionToken != first.completionToken
        assert again.activityRequest.taskId == 1
        for item, result in ((first, '"stale"'), (again, '"fresh"')):
            resp = pb.ActivityResponse(
                instanceId="held-task", taskId=1, completionToken=item.completionToken
            )
            resp.result.value = result
            stub.CompleteActivityTask(resp, timeout=10)
        turn = w.take_turn("held-task")
        got = [
            e.taskCompleted.result.value
            for e in turn.workflowRequest.newEvents
            if e.HasField("taskCompleted")
        ]
        assert got == ['"fresh"']
        w.answer(turn, complete_action(2))
        assert done(stub, "held-task").workflowStatus == pb.ORCHESTRATION_STATUS_COMPLETED
    finally:
        w.close()
