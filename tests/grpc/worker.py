"""A hand-driven Durable Task worker on the raw stubs: one ``GetWorkItems`` stream whose
work items are read on a thread and kept, so a test takes the one it wants in any order."""

from __future__ import annotations

import threading
import time
from typing import Any

from wfctl.protocol import load

P = load()
pb = P.pb


class RawWorker:
    """``take_turn(iid)``/``take_task(iid)`` return the next work item of that kind for
    ``iid`` (waiting for it up to ``timeout`` s); ``answer(...)`` completes a turn."""

    def __init__(self, stub: Any, capabilities: list[int] | None = None) -> None:
        self.stub = stub
        self.stream = stub.GetWorkItems(pb.GetWorkItemsRequest(capabilities=capabilities or []))
        self.items: list[Any] = []
        self.error: Any = None  # the RpcError that ended the stream
        self._cond = threading.Condition()
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self) -> None:
        try:
            for item in self.stream:
                with self._cond:
                    self.items.append(item)
                    self._cond.notify_all()
        except Exception as exc:  # the stream was cancelled or ended, or serve stopped
            self.error = exc

    def poll(self, kind: str, iid: str, keep: bool = False) -> Any:
        """The first work item of ``kind`` for ``iid`` received so far (taken unless
        ``keep``), or None."""
        with self._cond:
            for k, item in enumerate(self.items):
                if item.HasField(kind) and _instance(item, kind) == iid:
                    return item if keep else self.items.pop(k)
        return None

    def wait_end(self, timeout: float = 60) -> None:
        """Wait until serve ends the stream (``error`` says how)."""
        self._t.join(timeout)
        assert not self._t.is_alive(), "the stream did not end"

    def _take(self, kind: str, iid: str, timeout: float) -> Any:
        instance = _instance

        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for k, item in enumerate(self.items):
                    if item.HasField(kind) and instance(item, kind) == iid:
                        return self.items.pop(k)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {kind} for {iid} within {timeout} s")
                self._cond.wait(left)

    def take_turn(self, iid: str, timeout: float = 30) -> Any:
        return self._take("workflowRequest", iid, timeout)

    def take_task(self, iid: str, timeout: float = 30) -> Any:
        return self._take("activityRequest", iid, timeout)

    def answer(self, item: Any, *actions: Any) -> None:
        resp = pb.WorkflowResponse(
            instanceId=item.workflowRequest.instanceId,
            completionToken=item.completionToken,
            actions=list(actions),
        )
        self.stub.CompleteOrchestratorTask(resp, timeout=10)

    def close(self) -> None:
        self.stream.cancel()
        self._t.join(10)


def _instance(item: Any, kind: str) -> str:
    if kind == "workflowRequest":
        return item.workflowRequest.instanceId
    return item.activityRequest.workflowInstance.instanceId


def complete_action(action_id: int, result: str = '"ok"') -> Any:
    a = pb.WorkflowAction(id=action_id)
    a.completeWorkflow.workflowStatus = pb.ORCHESTRATION_STATUS_COMPLETED
    a.completeWorkflow.result.value = result
    return a


def module_serve(name: str, extra: list[str] | None = None) -> Any:
    """A module-scoped fixture: one ``wfctl serve --grpc-port 0 [extra]`` on a temp file."""
    import pytest

    from tests.grpc.proc import GrpcServe

    @pytest.fixture(scope="module")
    def serve(tmp_path_factory: Any) -> Any:
        s = GrpcServe(tmp_path_factory.mktemp(name) / "wf.db", extra)
        yield s
        assert s.stop() == 0, s.stderr

    return serve


def open_stub(serve: Any) -> Any:
    """A generator for a ``stub`` fixture: the raw stub on a channel to ``serve``'s port."""
    import grpc

    ch = grpc.insecure_channel(f"127.0.0.1:{serve.grpc_port}")
    yield P.rpc.TaskHubClient(ch)
    ch.close()
