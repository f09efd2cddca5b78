"""What one serve port answers for: its own app's instances (ListInstanceIDs), however they
were started (gRPC or HTTP), and the IDs it makes for starts that give none."""

from __future__ import annotations

import uuid

import pytest

from tests.grpc.worker import module_serve, open_stub, pb
from wfctl.engine.store import Store

serve = module_serve("scope", ["--app-id", "orders"])


@pytest.fixture
def stub(serve):
    yield from open_stub(serve)


def list_all(stub) -> list[str]:
    seen: list[str] = []
    req = pb.ListInstanceIDsRequest(pageSize=2)
    while True:
        page = stub.ListInstanceIDs(req, timeout=10)
        seen += page.instanceIds
        if not page.HasField("continuationToken"):
            return seen
        req = pb.ListInstanceIDsRequest(pageSize=2, continuationToken=page.continuationToken)


def test_list_instance_ids_is_this_apps_only(serve, stub):
    stub.StartInstance(pb.CreateInstanceRequest(name="w", instanceId="mine-grpc"), timeout=10)
    r = serve.client.post("/v1.0-beta1/workflows/dapr/w/start?instanceID=mine-http")
    assert r.status_code == 202, r.text
    other = Store(serve.db)  # another app's instances in the same file
    try:
        for k in range(3):
            other.instances.create_instance(f"theirs-{k}", "w", None, app="grpc:billing")
    finally:
        other.close()
    listed = list_all(stub)
    assert {"mine-grpc", "mine-http"} <= set(listed)
    assert not [i for i in listed if i.startswith("theirs-")], listed
    # ... which are still there, for whoever serves app "billing".
    assert stub.GetInstance(pb.GetInstanceRequest(instanceId="theirs-0"), timeout=10).exists


def test_a_start_without_an_id_gets_a_dashed_uuid_as_daprd_makes(stub, serve, tmp_path):
    got = stub.StartInstance(pb.CreateInstanceRequest(name="w"), timeout=10).instanceId
    assert str(uuid.UUID(got)) == got and uuid.UUID(got).version == 4
    r = serve.client.post("/v1.0-beta1/workflows/dapr/w/start")  # for the workers
    assert r.status_code == 202, r.text
    http = r.json()["instanceID"]
    assert str(uuid.UUID(http)) == http
    # The backend serve uses for the workers' workflows, called without an ID.
    from wfctl.backend.embedded import EmbeddedBackend
    from wfctl.grpcapi.serving import grpc_identity, no_app

    b = EmbeddedBackend(
        tmp_path / "wb.db", remote_app=grpc_identity("x"), registry=no_app("x"), detach=True
    )
    try:
        iid = b.start("w")
        assert str(uuid.UUID(iid)) == iid
    finally:
        b.close()
