"""The dapr 1.19 wheel's side of tests/protocol/test_stubs.py, in a process of its own (other
tests of a session install wfctl's Dapr alias, a stand-in "dapr" module; the SDK must be the
real one). It imports wfctl's stubs too: both copies of the protocol in one descriptor pool.
Prints JSON: the SDK's serialized file descriptors, a WorkItem the SDK built with every kind of
field a 1.19 peer sends, and what the SDK reads from wfctl's HealthPing work item.
"""

from __future__ import annotations

import base64
import importlib
import json
from types import SimpleNamespace

from google.protobuf.wrappers_pb2 import StringValue

from wfctl.protocol import pb

SDK = "dapr.ext.workflow._durabletask.internal"
FILES = (
    "orchestration_pb2",
    "attestation_pb2",
    "history_events_pb2",
    "orchestrator_actions_pb2",
    "orchestrator_service_pb2",
)
mods = [importlib.import_module(f"{SDK}.{name}") for name in FILES]
sdk = SimpleNamespace()
for m in mods:
    vars(sdk).update(vars(m))
started = sdk.HistoryEvent(
    eventId=-1,
    executionStarted=sdk.ExecutionStartedEvent(
        name="w",
        input=StringValue(value="1"),
        workflowInstance=sdk.WorkflowInstance(instanceId="i-1"),
        parentTraceContext=sdk.TraceContext(
            traceParent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            traceState=StringValue(value="k=v"),
        ),
        workflowSpanID=StringValue(value="b7ad6b7169203331"),
        tags={"team": "a"},
    ),
    router=sdk.TaskRouter(sourceAppID="orders", targetAppID="billing"),
)
done = sdk.HistoryEvent(
    eventId=-1,
    taskCompleted=sdk.TaskCompletedEvent(
        taskScheduledId=1,
        result=StringValue(value="2"),
        attestation=sdk.ActivityCompletionAttestation(payload=b"p", signature=b"s"),
        signerCertificate=b"c",
    ),
)
timer = sdk.HistoryEvent(
    eventId=2,
    timerCreated=sdk.TimerCreatedEvent(
        name="approval", externalEvent=sdk.TimerOriginExternalEvent(name="approval")
    ),
)
turn = sdk.WorkflowRequest(
    instanceId="i-1",
    pastEvents=[started, done, timer],
    newEvents=[sdk.HistoryEvent(workflowStarted=sdk.WorkflowStartedEvent())],
    router=sdk.TaskRouter(sourceAppID="orders"),
    cachedHistory=sdk.CachedHistory(eventCount=3),
    propagatedHistory=sdk.PropagatedHistory(
        scope=sdk.HISTORY_PROPAGATION_SCOPE_LINEAGE,
        chunks=[sdk.PropagatedHistoryChunk(rawEvents=[b"e"], appId="orders")],
    ),
)
item = sdk.WorkItem(workflowRequest=turn, completionToken="t-1")
ping = sdk.WorkItem.FromString(pb.WorkItem(healthPing=pb.HealthPing()).SerializeToString())
print(
    json.dumps(
        {
            "files": [base64.b64encode(m.DESCRIPTOR.serialized_pb).decode() for m in mods],
            "work_item": base64.b64encode(item.SerializeToString(deterministic=True)).decode(),
            "ping": ping.WhichOneof("request"),
        }
    )
)
