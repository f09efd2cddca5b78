"""The remote front on a real store, driven round by round (no gRPC): a failed commit loses
no worker answer."""

from __future__ import annotations

import pytest

from wfctl.engine.store import Store
from wfctl.grpcapi.front import RemoteFront
from wfctl.model import StorageError
from wfctl.protocol import pb


class FlakyStore(Store):
    """A store whose next ``dispatch.exchange`` fails once (as on a full disk)."""

    fail_next = False

    def __init__(self, path):
        super().__init__(path)
        exchange = self.dispatch.exchange

        def flaky(*a, **k):
            if self.fail_next and (a[1] or a[2]):  # only a commit that carries answers
                self.fail_next = False
                raise StorageError("database: disk I/O error")
            return exchange(*a, **k)

        self.dispatch.exchange = flaky  # type: ignore[method-assign]


def test_answers_survive_a_failed_commit(tmp_path):
    store = FlakyStore(tmp_path / "wf.db")
    front = RemoteFront(store, pb, app="grpc:wfctl", app_id="wfctl")
    sent: list = []
    front.open_stream(sent.extend, [])
    store.instances.create_instance("i1", "w", None, app="grpc:wfctl")
    front._round()
    turn = [x for x in sent if x.HasField("workflowRequest")][0]
    act = pb.WorkflowAction(id=1)
    act.scheduleTask.name = "a"
    front.complete_turn(
        pb.WorkflowResponse(instanceId="i1", completionToken=turn.completionToken, actions=[act])
    )
    store.fail_next = True
    with pytest.raises(StorageError):
        front._round()
    assert store.instances.get_state("i1").runtime_status.value == "PENDING"  # nothing recorded yet
    front._round()  # the kept answer is applied now, and its activity sent
    assert store.instances.get_state("i1").runtime_status.value == "RUNNING"
    tasks = [x for x in sent if x.HasField("activityRequest")]
    assert [(t.activityRequest.name, t.activityRequest.taskId) for t in tasks] == [("a", 1)]
    assert len([x for x in sent if x.HasField("workflowRequest")]) == 1  # not sent twice
    front.stop()
    store.close()
