"""A worker that answers without the completion token, as @dapr/durabletask-js 1.0.0 does:
daprd matches such an answer by instance (a turn) or by instance and task id (an activity),
so must ``wfctl serve``. A raw stub worker here, so this runs where node is missing."""

from __future__ import annotations

import queue
import threading

from tests.sdkapps.procs import GrpcServe
from wfctl.protocol import load


def test_answers_without_completion_token_are_matched_by_instance_and_task(serve: GrpcServe):
    ns = load()
    pb, grpc = ns.pb, ns.grpc
    channel = grpc.insecure_channel(f"127.0.0.1:{serve.grpc_port}")
    stub = ns.rpc.TaskHubClient(channel)
    items: queue.Queue = queue.Queue()
    stream = stub.GetWorkItems(pb.GetWorkItemsRequest())  # no capabilities, as the JS SDK

    def read() -> None:
        try:
            for item in stream:
                items.put(item)
        except grpc.RpcError:
            pass  # cancelled at the end of the test

    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    def next_item(kind: str):
        while True:
            item = items.get(timeout=60)
            if item.WhichOneof("request") == kind:
                return item
            assert item.WhichOneof("request") == "healthPing", item

    try:
        one = pb.StringValue(value="1")
        stub.StartInstance(pb.CreateInstanceRequest(instanceId="t1", name="tokenless", input=one))
        turn = next_item("workflowRequest").workflowRequest
        assert turn.instanceId == "t1"
        schedule = pb.WorkflowAction(
            id=1, scheduleTask=pb.ScheduleTaskAction(name="inc", input=pb.StringValue(value="1"))
        )
        stub.CompleteOrchestratorTask(pb.WorkflowResponse(instanceId="t1", actions=[schedule]))
        act = next_item("activityRequest").activityRequest
        assert (act.name, act.taskId, act.input.value) == ("inc", 1, "1")
        stub.CompleteActivityTask(
            pb.ActivityResponse(instanceId="t1", taskId=1, result=pb.StringValue(value="2"))
        )
        turn = next_item("workflowRequest").workflowRequest
        kinds = [e.WhichOneof("eventType") for e in turn.newEvents]
        assert "taskCompleted" in kinds, kinds
        done = pb.WorkflowAction(
            id=2,
            completeWorkflow=pb.CompleteWorkflowAction(
                workflowStatus=pb.ORCHESTRATION_STATUS_COMPLETED, result=pb.StringValue(value="2")
            ),
        )
        stub.CompleteOrchestratorTask(pb.WorkflowResponse(instanceId="t1", actions=[done]))
        st = stub.WaitForInstanceCompletion(
            pb.GetInstanceRequest(instanceId="t1", getInputsAndOutputs=True), timeout=60
        ).workflowState
        assert (st.workflowStatus, st.output.value) == (pb.ORCHESTRATION_STATUS_COMPLETED, "2")
    finally:
        stream.cancel()
        reader.join(10)
        channel.close()
