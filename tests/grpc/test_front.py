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


def test_a_commit_failing_after_the_apply_leaves_the_front_as_it_was(tmp_path):
    """The front takes in what a round recorded only after the commit: a commit that fails
    inside the transaction (here: the claim after the apply) leaves its history cache and
    its task queue untouched, and the kept answer goes through in the next round."""
    store = Store(tmp_path / "wf.db")
    front = RemoteFront(store, pb, app="grpc:wfctl", app_id="wfctl")
    sent: list = []
    front.open_stream(sent.extend, [])
    store.instances.create_instance("i1", "w", None, app="grpc:wfctl")
    front._round()
    turn = [x for x in sent if x.HasField("workflowRequest")][0]
    assert "i1" in front._cache  # the first turn's history is held (it had none before)
    cached = list(front._cache.get("i1") or [])
    act = pb.WorkflowAction(id=1)
    act.scheduleTask.name = "a"
    front.complete_turn(
        pb.WorkflowResponse(instanceId="i1", completionToken=turn.completionToken, actions=[act])
    )
    claim = store.dispatch._claim_in

    def failing(*a, **k):
        store.dispatch._claim_in = claim  # type: ignore[method-assign]
        raise StorageError("database: disk I/O error")

    store.dispatch._claim_in = failing  # type: ignore[method-assign]
    with pytest.raises(StorageError):
        front._round()
    assert "i1" in front._cache and front._cache.get("i1") == cached
    assert not front._ready_tasks
    front._round()
    tasks = [x for x in sent if x.HasField("activityRequest")]
    assert [(t.activityRequest.name, t.activityRequest.taskId) for t in tasks] == [("a", 1)]
    assert len(front._cache.get("i1") or []) > len(cached)  # the applied turn, taken in
    front.stop()
    store.close()


def test_the_history_cache_stays_under_its_byte_cap(tmp_path):
    """Histories cached for running instances are capped by bytes, not by count: many
    large inputs evict the least recently stepped."""
    store = Store(tmp_path / "wf.db")
    cap = 400_000
    front = RemoteFront(store, pb, app="grpc:wfctl", app_id="wfctl", cache_bytes=cap)
    sent: list = []
    front.open_stream(sent.extend, [])
    big = '"' + "x" * 100_000 + '"'
    for k in range(20):
        store.instances.create_instance(f"c{k}", "w", big, app="grpc:wfctl")
    answered: set[str] = set()
    while len(answered) < 20:
        front._round()  # (turns in flight stay cached: the cap applies once answered)
        for item in [x for x in sent if x.HasField("workflowRequest")]:
            iid = item.workflowRequest.instanceId
            if iid in answered:
                continue
            answered.add(iid)
            act = pb.WorkflowAction(id=1)
            act.createTimer.fireAt.FromSeconds(253402300799)  # keeps it running (cached)
            front.complete_turn(
                pb.WorkflowResponse(
                    instanceId=iid, completionToken=item.completionToken, actions=[act]
                )
            )
    front._round()
    assert 0 < front._cache.bytes <= cap
    assert 0 < len(front._cache) < 20
    assert front._cache.bytes == sum(
        e.ByteSize() for iid in answered for e in (front._cache.get(iid) or [])
    )
    front.stop()
    store.close()
