"""wfctl's own HTTP client (HttpBackend) against a real `python -m wfctl.server` subprocess:
both API versions, with and without a token. Runs where the CLI's client is present."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.server.proc import ServerProc
from wfctl.backend import http
from wfctl.model import (
    AuthError,
    ConflictError,
    NotFoundError,
    RuntimeStatus,
    ServerError,
    UsageError,
    WfctlError,
)

ORDER = '{"Name": "Gold", "TotalCost": 5000, "Quantity": 1}'
TOKEN = "client-e2e-token"


@pytest.fixture(scope="module", params=[None, TOKEN], ids=["no-token", "token"])
def served(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[ServerProc]:
    s = ServerProc(tmp_path_factory.mktemp("hb") / "wf.db", token=request.param)
    s.token = request.param  # type: ignore[attr-defined]
    yield s
    assert s.stop() == 0


@pytest.fixture(params=["v1.0-beta1", "v1.0"])
def client(served: ServerProc, request: pytest.FixtureRequest) -> Iterator[object]:
    b = http.HttpBackend(served.url, api_version=request.param, api_token=served.token)
    yield b
    b.close()


def test_start_wait_get_history_list(client, request: pytest.FixtureRequest) -> None:
    iid = f"hb-{request.node.callspec.id}".replace("[", "").replace("]", "").replace(".", "")
    iid = "".join(c for c in iid if c.isalnum() or c in "-_")
    assert client.start("hello_world_wf", '"Cy"', instance_id=iid) == iid
    state = client.wait(iid, timeout=30, interval=0.05)
    assert state.runtime_status is RuntimeStatus.COMPLETED
    assert state.serialized_input == '"Cy"' and "Cy" in (state.serialized_output or "")
    assert [e.type for e in client.history(iid)][0] == "ExecutionStarted"
    assert iid in {s.instance_id for s in client.list_instances(statuses=[RuntimeStatus.COMPLETED])}
    generated = client.start("hello_world_wf")
    assert (
        generated and client.wait(generated, timeout=30, interval=0.05).runtime_status.is_terminal
    )


def test_event_pause_resume_terminate_purge(client) -> None:
    a = client.start("OrderProcessingWorkflow", ORDER)
    client.wait(a, until="start", timeout=30, interval=0.05)
    client.pause(a)
    client.raise_event(a, "approval", '{"approved": true}')
    client.resume(a)
    assert client.wait(a, timeout=30, interval=0.05).runtime_status is RuntimeStatus.COMPLETED

    b = client.start("OrderProcessingWorkflow", ORDER)
    client.wait(b, until="start", timeout=30, interval=0.05)
    with pytest.raises(ConflictError):
        client.purge(b)
    client.terminate(b)
    assert client.wait(b, timeout=30, interval=0.05).runtime_status is RuntimeStatus.TERMINATED
    client.purge(b)
    with pytest.raises(NotFoundError):
        client.get(b)
    dry = client.purge_older_than(0, statuses=[RuntimeStatus.COMPLETED], dry_run=True)
    assert a in dry.instance_ids and dry.dry_run


def test_errors(client) -> None:
    with pytest.raises(NotFoundError):
        client.get("ghost")
    with pytest.raises(NotFoundError):
        client.history("ghost")
    with pytest.raises(UsageError):
        client.start("hello_world_wf", instance_id="bad$id")
    with pytest.raises((UsageError, ServerError)) as info:
        client.start("no_such_workflow")
    assert "no_such_workflow" in str(info.value)
    held = client.start("OrderProcessingWorkflow", ORDER, instance_id="held")
    with pytest.raises((ConflictError, ServerError)):
        client.start("OrderProcessingWorkflow", ORDER, instance_id=held)
    client.terminate(held)
    client.wait(held, timeout=30, interval=0.05)
    client.purge(held)


def test_wrong_token_is_an_auth_error(served: ServerProc) -> None:
    b = http.HttpBackend(served.url, api_token="not-it")
    try:
        if served.token:
            with pytest.raises(AuthError):
                b.get("x")
        else:
            with pytest.raises(WfctlError) as info:
                b.get("x")
            assert isinstance(info.value, NotFoundError)
    finally:
        b.close()
