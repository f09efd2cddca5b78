"""The workflow actions of the 1.19 protos beyond tasks, timers and children, from a
hand-driven worker against a real serve: sendEvent, terminateWorkflow, and the refused ones."""

from __future__ import annotations

import pytest

from tests.grpc.worker import RawWorker, complete_action, module_serve, open_stub, pb

serve = module_serve("actions")


@pytest.fixture
def stub(serve):
    yield from open_stub(serve)


@pytest.fixture
def worker(stub):
    w = RawWorker(stub)
    yield w
    w.close()


def start(stub, name: str, iid: str) -> None:
    stub.StartInstance(pb.CreateInstanceRequest(name=name, instanceId=iid), timeout=10)


def done(stub, iid: str):
    req = pb.GetInstanceRequest(instanceId=iid, getInputsAndOutputs=True)
    return stub.WaitForInstanceCompletion(req, timeout=30).workflowState


def history(stub, iid: str):
    req = pb.GetInstanceHistoryRequest(instanceId=iid)
    return list(stub.GetInstanceHistory(req, timeout=10).events)


def test_send_event_reaches_the_target_and_is_recorded(stub, worker):
    start(stub, "waiter", "send-target")
    start(stub, "sender", "send-source")
    worker.answer(worker.take_turn("send-target"))  # waits for its event
    send = pb.WorkflowAction(id=1)
    send.sendEvent.instance.instanceId = "send-target"
    send.sendEvent.name = "Ping"
    send.sendEvent.data.value = '"hi"'
    worker.answer(worker.take_turn("send-source"), send, complete_action(2))
    assert done(stub, "send-source").workflowStatus == pb.ORCHESTRATION_STATUS_COMPLETED
    turn = worker.take_turn("send-target")
    raised = [e.eventRaised for e in turn.workflowRequest.newEvents if e.HasField("eventRaised")]
    assert [(r.name, r.input.value) for r in raised] == [("Ping", '"hi"')]
    worker.answer(turn, complete_action(1, '"got it"'))
    assert done(stub, "send-target").output.value == '"got it"'
    sent = [e for e in history(stub, "send-source") if e.HasField("eventSent")]
    assert len(sent) == 1 and sent[0].eventId == 1
    x = sent[0].eventSent
    assert (x.instanceId, x.name, x.input.value) == ("send-target", "Ping", '"hi"')


def test_send_event_to_an_unknown_instance_is_dropped(stub, worker):
    start(stub, "sender", "send-nowhere")
    send = pb.WorkflowAction(id=1)
    send.sendEvent.instance.instanceId = "no-such-instance"
    send.sendEvent.name = "Ping"
    worker.answer(worker.take_turn("send-nowhere"), send, complete_action(2))
    assert done(stub, "send-nowhere").workflowStatus == pb.ORCHESTRATION_STATUS_COMPLETED
    assert not stub.GetInstance(pb.GetInstanceRequest(instanceId="no-such-instance")).exists


def test_terminate_workflow_ends_another_instance(stub, worker):
    start(stub, "victim", "term-victim")
    start(stub, "killer", "term-killer")
    worker.answer(worker.take_turn("term-victim"))
    kill = pb.WorkflowAction(id=1)
    kill.terminateWorkflow.instanceId = "term-victim"
    kill.terminateWorkflow.reason.value = '"enough"'
    worker.answer(worker.take_turn("term-killer"), kill, complete_action(1))
    st = done(stub, "term-victim")
    assert st.workflowStatus == pb.ORCHESTRATION_STATUS_TERMINATED
    assert st.output.value == '"enough"'
    assert done(stub, "term-killer").workflowStatus == pb.ORCHESTRATION_STATUS_COMPLETED
    # Nothing of the terminate is in the caller's history (daprd records none either).
    kinds = {e.WhichOneof("eventType") for e in history(stub, "term-killer")}
    assert "executionTerminated" not in kinds and "eventSent" not in kinds


@pytest.mark.parametrize(
    ("field", "error_type"),
    [
        ("createDetachedWorkflow", "UnsupportedWorkflowAction"),
        ("workflowVersionNotAvailable", "WorkflowVersionNotAvailable"),
    ],
)
def test_refused_actions_fail_the_workflow_with_a_named_reason(stub, worker, field, error_type):
    iid = f"refused-{field}"
    start(stub, "w", iid)
    act = pb.WorkflowAction(id=1)
    getattr(act, field).SetInParent()
    if field == "createDetachedWorkflow":
        act.createDetachedWorkflow.instanceId = "detached-1"
        act.createDetachedWorkflow.name = "w"
    worker.answer(worker.take_turn(iid), act)
    st = done(stub, iid)
    assert st.workflowStatus == pb.ORCHESTRATION_STATUS_FAILED
    assert st.failureDetails.errorType == error_type
    assert field in st.failureDetails.errorMessage


def _family(stub, worker, root: str) -> str:
    """``root`` with one finished child (both COMPLETED); returns the child's ID."""
    start(stub, "parent", root)
    kid = pb.WorkflowAction(id=1)
    kid.createChildWorkflow.name = "kid"
    kid.createChildWorkflow.instanceId = f"{root}-child"
    worker.answer(worker.take_turn(root), kid)
    worker.answer(worker.take_turn(f"{root}-child"), complete_action(1))
    worker.answer(worker.take_turn(root), complete_action(2))
    assert done(stub, root).workflowStatus == pb.ORCHESTRATION_STATUS_COMPLETED
    return f"{root}-child"


def exists(stub, iid: str) -> bool:
    return stub.GetInstance(pb.GetInstanceRequest(instanceId=iid), timeout=10).exists


def test_purge_honours_recursive(stub, worker):
    child = _family(stub, worker, "purge-flat")
    req = pb.PurgeInstancesRequest(instanceId="purge-flat", recursive=False)
    assert stub.PurgeInstances(req, timeout=10).deletedInstanceCount == 1
    assert not exists(stub, "purge-flat") and exists(stub, child)  # the child stays
    child = _family(stub, worker, "purge-deep")
    req = pb.PurgeInstancesRequest(instanceId="purge-deep", recursive=True)
    assert stub.PurgeInstances(req, timeout=10).deletedInstanceCount == 2
    assert not exists(stub, "purge-deep") and not exists(stub, child)


def _run_task(stub, worker, iid: str, task_id: int) -> None:
    task = worker.take_task(iid)
    assert task.activityRequest.taskId == task_id
    resp = pb.ActivityResponse(instanceId=iid, taskId=task_id, completionToken=task.completionToken)
    resp.result.value = "1"
    stub.CompleteActivityTask(resp, timeout=10)


def test_a_rerun_instance_names_its_source_on_the_event_it_started_from(stub, worker):
    start(stub, "steps", "rerun-src")
    for k in (1, 2):  # two steps, one after the other
        act = pb.WorkflowAction(id=k)
        act.scheduleTask.name = f"step{k}"
        worker.answer(worker.take_turn("rerun-src"), act)
        _run_task(stub, worker, "rerun-src", k)
    worker.answer(worker.take_turn("rerun-src"), complete_action(3))
    assert done(stub, "rerun-src").workflowStatus == pb.ORCHESTRATION_STATUS_COMPLETED
    req = pb.RerunWorkflowFromEventRequest(
        sourceInstanceID="rerun-src", eventID=2, newInstanceID="rerun-new"
    )
    stub.RerunWorkflowFromEvent(req, timeout=10)
    _run_task(stub, worker, "rerun-new", 2)  # step 2 runs again, step 1 does not
    turn = worker.take_turn("rerun-new")  # what the worker replays carries it too
    for events in (list(turn.workflowRequest.pastEvents), history(stub, "rerun-new")):
        sched = {e.eventId: e.taskScheduled for e in events if e.HasField("taskScheduled")}
        assert sched[2].rerunParentInstanceInfo.instanceID == "rerun-src"
        assert not sched[1].HasField("rerunParentInstanceInfo")  # only the one rerun from
    src = [e.taskScheduled for e in history(stub, "rerun-src") if e.HasField("taskScheduled")]
    assert not [x for x in src if x.HasField("rerunParentInstanceInfo")]
