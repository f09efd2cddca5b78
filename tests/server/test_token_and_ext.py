"""The API token, wfctl's extension routes, and the event loop staying free."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from tests.server.support import TOKEN, Served
from wfctl.model import RuntimeStatus
from wfctl.server.app import WorkflowServerApp

WF = "/v1.0/workflows/dapr"


# ------------------------------------------------------------------------------- token


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1.0-beta1/workflows/dapr/hello_world_wf/start?instanceID=t"),
        ("GET", "/v1.0/workflows/dapr/t"),
        ("POST", "/v1.0/workflows/dapr/t/terminate"),
        ("POST", "/v1.0/workflows/dapr/t/raiseEvent/e"),
        ("POST", "/v1.0/workflows/dapr/t/pause"),
        ("POST", "/v1.0/workflows/dapr/t/resume"),
        ("POST", "/v1.0/workflows/dapr/t/purge"),
        ("GET", "/wfctl/v1/instances"),
        ("GET", "/wfctl/v1/instances/t/history"),
        ("POST", "/wfctl/v1/purge?olderThan=0"),
        ("GET", "/v1.0/no/such/route"),
        ("GET", "/v1.0/healthz/../workflows/dapr/t"),
    ],
)
@pytest.mark.parametrize("given", [None, "wrong", TOKEN + "x", TOKEN[:-1], ""])
def test_wrong_or_missing_token_is_401_plain_text(
    tenv: Served, method: str, path: str, given: str | None
) -> None:
    headers = {} if given is None else {"dapr-api-token": given}
    r = tenv.client.request(method, path, headers=headers)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("text/plain")
    assert r.content == b"invalid api token\n"
    assert tenv.fake.calls == []


def test_right_token_passes_everywhere(tenv: Served) -> None:
    c = tenv.authed
    r = c.post(f"{WF}/hello_world_wf/start?instanceID=tok", content=b"1")
    assert r.status_code == 202
    assert c.get(f"{WF}/tok").json()["runtimeStatus"] == "RUNNING"
    assert c.post(f"{WF}/tok/pause").status_code == 202
    assert c.post(f"{WF}/tok/resume").status_code == 202
    assert c.post(f"{WF}/tok/raiseEvent/e", content=b"2").status_code == 202
    assert c.post(f"{WF}/tok/terminate").status_code == 202
    assert c.get("/wfctl/v1/instances").status_code == 200
    assert c.post(f"{WF}/tok/purge").status_code == 202
    assert not any(TOKEN in line for line in tenv.lines)


def test_healthz_needs_no_token(tenv: Served) -> None:
    assert tenv.client.get("/v1.0/healthz").status_code == 204
    assert tenv.client.get("/v1.0/healthz", headers={"dapr-api-token": "bad"}).status_code == 204


def test_token_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    seen: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    from tests.server.fake_backend import FakeBackend
    from tests.server.support import AsgiClient

    app = WorkflowServerApp(FakeBackend(), api_token="abc", log=lambda _l: None)
    assert (
        AsgiClient(app, {"dapr-api-token": "abd"}).get("/v1.0/workflows/dapr/x").status_code == 401
    )
    assert seen == [(b"abd", b"abc")]


def test_every_answer_says_it_is_wfctl_serve() -> None:
    """The wfctl-api header on every response, errors and refusals included: a client learns
    from any first answer that serve's own routes are there (daprd sends no such header)."""
    from tests.server.fake_backend import FakeBackend
    from tests.server.support import AsgiClient

    app = WorkflowServerApp(FakeBackend(), api_token="abc", log=lambda _l: None)
    authed = AsgiClient(app, {"dapr-api-token": "abc"})
    answers = [
        AsgiClient(app).get("/v1.0/workflows/dapr/x"),  # 401
        AsgiClient(app).get("/v1.0/healthz"),  # 204
        authed.get("/v1.0/workflows/dapr/x"),  # 404
        authed.get("/no/such/route"),  # 404
        authed.post("/wfctl/v1/instances"),  # 405
    ]
    assert [r.status_code for r in answers] == [401, 204, 404, 404, 405]
    assert all(r.headers.get("wfctl-api") == "v1" for r in answers)


# ------------------------------------------------------------------- extension routes


def _seed(env: Served) -> None:
    ticks = itertools.count()
    start = datetime.now(timezone.utc)
    env.fake.clock = lambda: start + timedelta(seconds=next(ticks))  # s0, s1, s2 in order
    for i, name in enumerate(["hello_world_wf", "slow_wf", "hello_world_wf"]):
        env.client.post(f"{WF}/{name}/start?instanceID=s{i}")
    env.fake.complete("s0", '"out"')


def test_list_instances_newest_first_with_filters(env: Served) -> None:
    _seed(env)
    r = env.client.get("/wfctl/v1/instances")
    assert r.status_code == 200
    ids = [i["instanceID"] for i in r.json()["instances"]]
    assert ids == ["s2", "s1", "s0"]
    r = env.client.get("/wfctl/v1/instances?status=COMPLETED")
    assert [i["instanceID"] for i in r.json()["instances"]] == ["s0"]
    assert r.json()["instances"][0]["properties"]["dapr.workflow.output"] == '"out"'
    r = env.client.get("/wfctl/v1/instances", params=[("status", "running"), ("name", "slow_wf")])
    assert [i["instanceID"] for i in r.json()["instances"]] == ["s1"]
    r = env.client.get("/wfctl/v1/instances?status=RUNNING,COMPLETED&limit=2&maxAge=3600")
    assert [i["instanceID"] for i in r.json()["instances"]] == ["s2", "s1"]
    assert env.fake.calls[-1] == (
        "list_instances",
        ((RuntimeStatus.RUNNING, RuntimeStatus.COMPLETED), None, 3600.0, 2),
    )


@pytest.mark.parametrize(
    "query", ["status=BOGUS", "limit=0", "limit=x", "maxAge=-1", "maxAge=nan", "limit=1.5"]
)
def test_list_bad_filters_are_400(env: Served, query: str) -> None:
    r = env.client.get(f"/wfctl/v1/instances?{query}")
    assert r.status_code == 400
    assert r.json()["errorCode"] == "ERR_MALFORMED_REQUEST"


def test_history(env: Served) -> None:
    _seed(env)
    r = env.client.get("/wfctl/v1/instances/s0/history")
    assert r.status_code == 200
    events = r.json()["events"]
    assert [e["type"] for e in events] == ["ExecutionStarted", "ExecutionCompleted"]
    assert set(events[0]) == {"eventId", "type", "timestamp", "name", "taskId", "details"}
    assert events[0]["eventId"] == 0 and events[0]["taskId"] is None
    assert events[0]["timestamp"].endswith("Z")
    r = env.client.get("/wfctl/v1/instances/ghost/history")
    assert r.status_code == 404 and r.json()["errorCode"] == "ERR_INSTANCE_ID_NOT_FOUND"


def test_bulk_purge(env: Served) -> None:
    _seed(env)
    old = datetime.now(timezone.utc) - timedelta(days=2)
    env.fake.states["s0"].last_updated_at = old
    r = env.client.post("/wfctl/v1/purge?olderThan=86400&dryRun=true")
    assert r.status_code == 200 and r.json() == {"instanceIDs": ["s0"], "dryRun": True}
    assert "s0" in env.fake.states
    r = env.client.post("/wfctl/v1/purge?olderThan=86400&status=FAILED")
    assert r.json() == {"instanceIDs": [], "dryRun": False}
    r = env.client.post("/wfctl/v1/purge?olderThan=86400&status=COMPLETED")
    assert r.json() == {"instanceIDs": ["s0"], "dryRun": False}
    assert "s0" not in env.fake.states


@pytest.mark.parametrize("query", ["", "olderThan=", "olderThan=abc", "olderThan=1&dryRun=maybe"])
def test_bulk_purge_bad_query_is_400(env: Served, query: str) -> None:
    r = env.client.post(f"/wfctl/v1/purge?{query}")
    assert r.status_code == 400 and r.json()["errorCode"] == "ERR_MALFORMED_REQUEST"


def test_ext_routes_method_rules(env: Served) -> None:
    assert env.client.post("/wfctl/v1/instances").status_code == 405
    assert env.client.get("/wfctl/v1/purge").status_code == 405
    assert env.client.get("/wfctl/v1/other").status_code == 404


def test_unsupported_backend_call_is_501(env: Served) -> None:
    from wfctl.model import UnsupportedError

    env.fake.fail_next = UnsupportedError("this backend cannot list instances")
    r = env.client.get("/wfctl/v1/instances")
    assert r.status_code == 501 and r.json()["errorCode"] == "ERR_API_UNIMPLEMENTED"


# ------------------------------------------------------------------ the loop stays free


def test_a_blocked_backend_call_does_not_stall_other_requests(
    served_pair: dict[bool, Served],
) -> None:
    served = served_pair[False]
    fake = served.reset()
    fake.states["block"] = fake.states.get("block") or _running("block")
    assert served.server is not None
    url = served.server.url
    result: dict[str, int] = {}

    def slow() -> None:
        with httpx.Client(base_url=url, timeout=15) as c:
            result["slow"] = c.get(f"{WF}/block").status_code

    t = threading.Thread(target=slow)
    t.start()
    try:
        deadline = time.monotonic() + 5
        while not any(name == "get" for name, _ in fake.calls):
            assert time.monotonic() < deadline
            time.sleep(0.005)
        # The get is parked in a worker thread; the loop must still answer.
        with httpx.Client(base_url=url, timeout=5) as c:
            assert c.get("/v1.0/healthz").status_code == 204
            assert c.post(f"{WF}/hello_world_wf/start?instanceID=free").status_code == 202
        assert "slow" not in result
    finally:
        fake.release.set()
        t.join(10)
    assert result["slow"] == 200


def _running(instance_id: str):
    from wfctl.model import WorkflowState

    return WorkflowState(instance_id=instance_id, name="x", runtime_status=RuntimeStatus.RUNNING)
