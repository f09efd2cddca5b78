"""The gRPC front's history cache is capped by bytes (issue 16), seen from a real serve: a
worker that keeps histories (stateful) is sent only the new events of an instance whose
history serve still holds, and the full history of one it has forgotten."""

from __future__ import annotations

import json

import grpc
import pytest

from tests.grpc.proc import GrpcServe
from tests.grpc.worker import P, RawWorker, pb

CAP = 300_000  # bytes: one 200 kB history fits, two do not


@pytest.fixture
def serve(tmp_path):
    s = GrpcServe(
        tmp_path / "wf.db", ["--cache-bytes", str(CAP)], module="tests.grpc.apps.capped_serve"
    )
    yield s
    assert s.stop() == 0, s.stderr


def wait_forever(item):
    """Answer a turn with an indefinite wait: the instance stays running (and cached)."""
    req = item.workflowRequest
    act = pb.WorkflowAction(id=req.cachedHistory.eventCount + len(req.pastEvents) + 1)
    act.createTimer.fireAt.seconds = 253402300799
    return act


def next_turn_after_event(stub, w: RawWorker, iid: str):
    stub.RaiseEvent(pb.RaiseEventRequest(instanceId=iid, name="poke"), timeout=10)
    return w.take_turn(iid)


def test_histories_over_the_byte_cap_are_forgotten_least_recent_first(serve):
    ch = grpc.insecure_channel(f"127.0.0.1:{serve.grpc_port}")
    stub = P.rpc.TaskHubClient(ch)
    w = RawWorker(stub, [pb.WORKER_CAPABILITY_STATEFUL_HISTORY])
    big = json.dumps("z" * 200_000)
    try:

        def start(iid: str) -> None:
            req = pb.CreateInstanceRequest(name="w", instanceId=iid)
            req.input.value = big
            stub.StartInstance(req, timeout=10)

        start("a")
        item = w.take_turn("a")
        for _ in range(2):  # the worker holds what it was sent: from the third turn on...
            w.answer(item, wait_forever(item))
            item = next_turn_after_event(stub, w, "a")
        assert item.workflowRequest.cachedHistory.eventCount > 0  # ... only what it lacks
        w.answer(item, wait_forever(item))
        # "b" runs too: the two histories pass the cap; "a" (least recent) is forgotten...
        start("b")
        item = w.take_turn("b")
        for _ in range(2):
            w.answer(item, wait_forever(item))
            item = next_turn_after_event(stub, w, "b")
        assert item.workflowRequest.cachedHistory.eventCount > 0  # "b": stepped last, held
        w.answer(item, wait_forever(item))
        # ... so the next turn of "a" is read from the file and sent in full.
        item = next_turn_after_event(stub, w, "a")
        assert not item.workflowRequest.HasField("cachedHistory")
        kinds = [e.WhichOneof("eventType") for e in item.workflowRequest.pastEvents]
        assert "executionStarted" in kinds
    finally:
        w.close()
        ch.close()
