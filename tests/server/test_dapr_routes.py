"""Every route and error row of ../shared/API.md, over all three prefixes, in-process and over
a real loopback socket, against the FakeBackend."""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest

from tests.server.support import Served
from wfctl.limits import payload_limit
from wfctl.model import RuntimeStatus, StorageError
from wfctl.wire import MAX_BODY_BYTES

PREFIXES = ["/v1.0-beta1", "/v1.0", "/v1.0-alpha1"]
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture(params=PREFIXES)
def wf(request: pytest.FixtureRequest) -> str:
    return f"{request.param}/workflows/dapr"


def err(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert body["errorCode"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    return body


def accepted(resp) -> None:
    assert resp.status_code == 202, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    assert resp.json() == {}


# ------------------------------------------------------------------------------- start


def test_start_with_id_passes_input_untouched(env: Served, wf: str) -> None:
    body = b'{ "b": 1,  "a": [1, 2] }'
    r = env.client.post(f"{wf}/hello_world_wf/start?instanceID=order-1_A", content=body)
    assert r.status_code == 202
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"instanceID": "order-1_A"}
    assert env.fake.states["order-1_A"].serialized_input == body.decode()
    assert env.fake.states["order-1_A"].name == "hello_world_wf"


@pytest.mark.parametrize("query", ["", "?instanceID=", "?other=1"])
def test_start_without_id_makes_a_lowercase_uuid4(env: Served, wf: str, query: str) -> None:
    r = env.client.post(f"{wf}/hello_world_wf/start{query}", content=b'"x"')
    assert r.status_code == 202
    new_id = r.json()["instanceID"]
    assert UUID4.match(new_id), new_id
    assert env.fake.states[new_id].serialized_input == '"x"'


def test_start_empty_body_is_the_empty_input(env: Served, wf: str) -> None:
    r = env.client.post(f"{wf}/hello_world_wf/start?instanceID=e1")
    assert r.status_code == 202
    assert env.fake.states["e1"].serialized_input == ""


def test_start_id_is_case_sensitive(env: Served, wf: str) -> None:
    assert env.client.post(f"{wf}/hello_world_wf/start?instanceID=Abc").status_code == 202
    assert env.client.post(f"{wf}/hello_world_wf/start?instanceID=abc").status_code == 202
    assert {"Abc", "abc"} <= set(env.fake.states)


@pytest.mark.parametrize(
    "bad", ["bad$id", "a b", "a.b", "..", "a%2Fb", "x%00y", "tab%09", "a:b", "%F0%9F%98%80"]
)
def test_start_invalid_id(env: Served, wf: str, bad: str) -> None:
    r = env.client.post(f"{wf}/hello_world_wf/start?instanceID={bad}")
    body = err(r, 400, "ERR_INSTANCE_ID_INVALID")
    assert "only alphanumeric and underscore characters are allowed" in body["message"]
    assert env.fake.calls == []


def test_start_id_length_is_counted_in_utf8_bytes(env: Served, wf: str) -> None:
    ok = "é" * 32  # 64 bytes
    r = env.client.post(f"{wf}/hello_world_wf/start", params={"instanceID": ok})
    assert r.status_code == 202 and r.json() == {"instanceID": ok}
    for too_long in ("é" * 33, "a" * 65, "x" * 10_000):
        r = env.client.post(f"{wf}/hello_world_wf/start", params={"instanceID": too_long})
        body = err(r, 400, "ERR_INSTANCE_ID_TOO_LONG")
        assert body["message"] == "workflow instance ID exceeds the max length of 64 characters"


def test_start_empty_workflow_name(env: Served, wf: str) -> None:
    body = err(env.client.post(f"{wf}//start"), 400, "ERR_WORKFLOW_NAME_MISSING")
    assert body["message"] == "workflow name is not configured"


def test_start_active_id_conflicts_finished_id_is_replaced(env: Served, wf: str) -> None:
    url = f"{wf}/hello_world_wf/start?instanceID=dup"
    assert env.client.post(url, content=b"1").status_code == 202
    body = err(env.client.post(url, content=b"2"), 500, "ERR_START_WORKFLOW")
    assert body["message"].startswith("error starting workflow 'hello_world_wf': ")
    env.fake.complete("dup", '"done"')
    assert env.client.post(url, content=b"3").status_code == 202
    assert env.fake.states["dup"].serialized_input == "3"
    assert env.fake.states["dup"].runtime_status is RuntimeStatus.RUNNING


def test_start_unknown_workflow_is_a_400(env: Served, wf: str) -> None:
    r = env.client.post(f"{wf}/no_such_wf/start?instanceID=u1")
    body = err(r, 400, "ERR_START_WORKFLOW")
    assert body["message"].startswith("error starting workflow 'no_such_wf': unknown workflow")
    assert "hello_world_wf" in body["message"]
    assert "u1" not in env.fake.states


def test_start_body_not_utf8(env: Served, wf: str) -> None:
    r = env.client.post(f"{wf}/hello_world_wf/start?instanceID=n8", content=b'"\xff"')
    err(r, 400, "ERR_MALFORMED_REQUEST")
    assert "n8" not in env.fake.states


def test_start_body_limit(env: Served, wf: str) -> None:
    # The input's limit leaves room for the work item that carries it (wfctl.limits).
    exact = b"1" * payload_limit()
    r = env.client.post(f"{wf}/hello_world_wf/start?instanceID=big", content=exact)
    assert r.status_code == 202
    assert len(env.fake.states["big"].serialized_input) == payload_limit()
    r = env.client.post(f"{wf}/hello_world_wf/start?instanceID=big1", content=exact + b"1")
    body = err(r, 400, "ERR_MALFORMED_REQUEST")
    assert f"the limit is {payload_limit()} bytes" in body["message"]
    assert "big1" not in env.fake.states
    whole = b"1" * (MAX_BODY_BYTES + 1)
    r = env.client.post(f"{wf}/hello_world_wf/start?instanceID=big2", content=whole)
    err(r, 400, "ERR_BODY_READ")
    assert "big2" not in env.fake.states


def test_start_chunked_body_over_limit_stops_early(env: Served, wf: str) -> None:
    def chunks():
        for _ in range(6):
            yield b"2" * (1024 * 1024)

    r = env.client.post(f"{wf}/hello_world_wf/start?instanceID=chunky", content=chunks())
    err(r, 400, "ERR_BODY_READ")
    assert "chunky" not in env.fake.states


# --------------------------------------------------------------------------------- get


def test_get_shape(env: Served, wf: str) -> None:
    env.client.post(f"{wf}/hello_world_wf/start?instanceID=g1", content=b'"hi"')
    env.fake.complete("g1", '"Hello, hi"')
    r = env.client.get(f"{wf}/g1")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert list(body) == [
        "instanceID",
        "workflowName",
        "createdAt",
        "lastUpdatedAt",
        "runtimeStatus",
        "properties",
    ]
    assert body["instanceID"] == "g1" and body["workflowName"] == "hello_world_wf"
    assert body["runtimeStatus"] == "COMPLETED"
    assert body["createdAt"].endswith("Z")
    assert body["properties"] == {
        "dapr.workflow.input": '"hi"',
        "dapr.workflow.output": '"Hello, hi"',
    }
    assert r.content.startswith(b'{"instanceID":"g1","workflowName":')  # compact, like daprd


def test_get_unknown(env: Served, wf: str) -> None:
    body = err(env.client.get(f"{wf}/nope"), 404, "ERR_INSTANCE_ID_NOT_FOUND")
    assert body["message"] == "unable to find workflow with the provided instance ID: nope"


def test_get_empty_id(env: Served, wf: str) -> None:
    err(env.client.get(f"{wf}/"), 400, "ERR_INSTANCE_ID_PROVIDED_MISSING")


def test_get_backend_failure_is_err_get_workflow(env: Served, wf: str) -> None:
    env.fake.fail_next = StorageError("the database file is read-only")
    body = err(env.client.get(f"{wf}/x"), 500, "ERR_GET_WORKFLOW")
    assert "read-only" in body["message"]
    assert any("ERR_GET_WORKFLOW" in line and "read-only" in line for line in env.lines)


def test_multi_line_exception_is_logged_on_one_line(env: Served, wf: str) -> None:
    env.fake.fail_next = RuntimeError("first line\nsecond line")
    err(env.client.post(f"{wf}/x/pause"), 500, "ERR_PAUSE_WORKFLOW")
    internal = [line for line in env.lines if "internal error" in line]
    assert len(internal) == 1 and "\n" not in internal[0] and "first line ..." in internal[0]


def test_unexpected_backend_exception_is_a_500_and_one_log_line(env: Served, wf: str) -> None:
    env.fake.fail_next = ZeroDivisionError("boom")
    body = err(env.client.get(f"{wf}/x"), 500, "ERR_GET_WORKFLOW")
    assert "Traceback" not in body["message"]
    internal = [line for line in env.lines if "internal error" in line]
    assert len(internal) == 1 and "ZeroDivisionError" in internal[0]
    assert "\n" not in internal[0]


# --------------------------------------------------------------- terminate/pause/resume


def test_lifecycle(env: Served, wf: str) -> None:
    env.client.post(f"{wf}/hello_world_wf/start?instanceID=life")
    accepted(env.client.post(f"{wf}/life/pause"))
    assert env.client.get(f"{wf}/life").json()["runtimeStatus"] == "SUSPENDED"
    accepted(env.client.post(f"{wf}/life/resume"))
    assert env.client.get(f"{wf}/life").json()["runtimeStatus"] == "RUNNING"
    accepted(env.client.post(f"{wf}/life/raiseEvent/approval", content=b'{"ok":true}'))
    accepted(env.client.post(f"{wf}/life/raiseEvent/ping"))
    assert env.fake.events["life"] == [("approval", '{"ok":true}'), ("ping", None)]
    body = err(env.client.post(f"{wf}/life/purge"), 500, "ERR_PURGE_WORKFLOW")
    assert body["message"].startswith("error purging workflow life: ")
    accepted(env.client.post(f"{wf}/life/terminate"))
    assert env.client.get(f"{wf}/life").json()["runtimeStatus"] == "TERMINATED"
    accepted(env.client.post(f"{wf}/life/terminate"))  # finished: 202, nothing happens
    accepted(env.client.post(f"{wf}/life/purge"))
    err(env.client.get(f"{wf}/life"), 404, "ERR_INSTANCE_ID_NOT_FOUND")


@pytest.mark.parametrize("op", ["terminate", "purge"])
def test_unknown_id_404(env: Served, wf: str, op: str) -> None:
    body = err(env.client.post(f"{wf}/ghost/{op}"), 404, "ERR_INSTANCE_ID_NOT_FOUND")
    assert body["message"] == "unable to find workflow with the provided instance ID: ghost"


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("pause", "ERR_PAUSE_WORKFLOW"),
        ("resume", "ERR_RESUME_WORKFLOW"),
        ("raiseEvent/evt", "ERR_RAISE_EVENT_WORKFLOW"),
    ],
)
def test_unknown_id_500_like_daprd(env: Served, wf: str, path: str, code: str) -> None:
    err(env.client.post(f"{wf}/ghost/{path}"), 500, code)


def test_raise_event_name_missing(env: Served, wf: str) -> None:
    env.client.post(f"{wf}/hello_world_wf/start?instanceID=ev")
    body = err(env.client.post(f"{wf}/ev/raiseEvent/"), 400, "ERR_WORKFLOW_EVENT_NAME_MISSING")
    assert body["message"] == "missing workflow event name"


def test_raise_event_body_limit(env: Served, wf: str) -> None:
    env.client.post(f"{wf}/hello_world_wf/start?instanceID=evb")
    r = env.client.post(f"{wf}/evb/raiseEvent/e", content=b"1" * (MAX_BODY_BYTES + 1))
    err(r, 400, "ERR_BODY_READ")
    assert "evb" not in env.fake.events


@pytest.mark.parametrize("op", ["", "/terminate", "/pause", "/resume", "/purge"])
@pytest.mark.parametrize("body", [b"not json", b"{", b"[1]", b'"x"', b"\xff\xfe"])
def test_non_json_body_is_malformed(env: Served, wf: str, op: str, body: bytes) -> None:
    env.client.post(f"{wf}/hello_world_wf/start?instanceID=mb")
    method = "GET" if op == "" else "POST"
    r = env.client.request(method, f"{wf}/mb{op}", content=body)
    err(r, 400, "ERR_MALFORMED_REQUEST")
    assert env.fake.states["mb"].runtime_status is RuntimeStatus.RUNNING


@pytest.mark.parametrize("op", ["/terminate", "/pause"])
def test_json_object_body_is_accepted(env: Served, wf: str, op: str) -> None:
    env.client.post(f"{wf}/hello_world_wf/start?instanceID=jb")
    accepted(env.client.post(f"{wf}/jb{op}", content=b'{"reason": "x"}'))


# ------------------------------------------------------------------ path segment rules


def test_plus_in_a_segment_is_a_space(env: Served, wf: str) -> None:
    env.fake.states["a b"] = env.fake.states.get("a b") or _state("a b")
    assert env.client.get(f"{wf}/a+b").json()["instanceID"] == "a b"
    assert env.client.get(f"{wf}/a%20b").json()["instanceID"] == "a b"


def test_percent_encoded_child_id(env: Served, wf: str) -> None:
    env.fake.states["p:0001"] = _state("p:0001")
    assert env.client.get(f"{wf}/p%3A0001").json()["instanceID"] == "p:0001"


@pytest.mark.parametrize("seg", ["a%2Fb", "%2E%2E", "%2e", "a%00b", "%0Aevil"])
def test_odd_ids_are_unknown_not_errors(env: Served, wf: str, seg: str) -> None:
    err(env.client.get(f"{wf}/{seg}"), 404, "ERR_INSTANCE_ID_NOT_FOUND")
    err(env.client.post(f"{wf}/{seg}/terminate"), 404, "ERR_INSTANCE_ID_NOT_FOUND")
    err(env.client.post(f"{wf}/{seg}/pause"), 500, "ERR_PAUSE_WORKFLOW")


def test_invalid_utf8_in_path_is_400(env: Served, wf: str) -> None:
    body = err(env.client.get(f"{wf}/%FF%FE"), 400, "ERR_MALFORMED_REQUEST")
    assert "UTF-8" in body["message"]
    err(env.client.post(f"{wf}/%C3/start"), 400, "ERR_MALFORMED_REQUEST")
    assert env.fake.calls == []


def test_invalid_utf8_in_query_is_400(env: Served, wf: str) -> None:
    r = env.client.post(f"{wf}/hello_world_wf/start?instanceID=%FF")
    err(r, 400, "ERR_MALFORMED_REQUEST")


def test_encoded_slash_in_event_name_reaches_the_engine_rules(env: Served, wf: str) -> None:
    env.client.post(f"{wf}/hello_world_wf/start?instanceID=sl")
    err(env.client.post(f"{wf}/sl/raiseEvent/a%2Fb"), 400, "ERR_MALFORMED_REQUEST")


def test_huge_id_in_path_is_a_clean_404(env: Served, wf: str) -> None:
    r = env.client.get(f"{wf}/{'z' * 4000}")
    body = err(r, 404, "ERR_INSTANCE_ID_NOT_FOUND")
    assert len(body["message"]) < 300


# ----------------------------------------------------------------------- other routes


def test_healthz(env: Served) -> None:
    r = env.client.get("/v1.0/healthz")
    assert r.status_code == 204 and r.content == b""


def test_unknown_route_and_method(env: Served, wf: str) -> None:
    err(env.client.get("/v1.0/state/foo"), 404, "ERR_NOT_FOUND")
    err(env.client.get(f"{wf}/x/y/z/w/v"), 404, "ERR_NOT_FOUND")
    err(env.client.post(f"{wf}/x/frobnicate"), 404, "ERR_NOT_FOUND")
    err(env.client.post(f"{wf}/x"), 405, "ERR_METHOD_NOT_ALLOWED")
    r = env.client.get(f"{wf}/x/start")
    err(r, 405, "ERR_METHOD_NOT_ALLOWED")
    assert r.headers["allow"] == "POST"
    err(env.client.request("DELETE", f"{wf}/x/terminate"), 405, "ERR_METHOD_NOT_ALLOWED")


def test_component_segment_is_ignored(env: Served) -> None:
    r = env.client.post("/v1.0/workflows/other/hello_world_wf/start?instanceID=comp")
    assert r.status_code == 202
    assert env.client.get("/v1.0-beta1/workflows/whatever/comp").status_code == 200


def test_access_log_one_line_per_request(env: Served, wf: str) -> None:
    env.client.post(f"{wf}/hello_world_wf/start?instanceID=lg&token=abc123", content=b"1")
    env.client.get(f"{wf}/lg")
    # Over a socket the line is written just after the response is sent: allow a moment.
    deadline = time.monotonic() + 5
    while len([x for x in env.lines if "lg" in x]) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    mine = [x for x in env.lines if "lg" in x]
    assert len(mine) == 2, env.lines
    first, second = mine
    assert f'"POST {wf}/hello_world_wf/start?instanceID=lg&token=REDACTED" 202 ' in first
    assert "abc123" not in first
    assert re.search(r" 202 \d+\.\dms$", first)
    assert f'"GET {wf}/lg" 200 ' in second


def test_calls_run_off_the_event_loop(env: Served, wf: str) -> None:
    import threading

    env.client.post(f"{wf}/hello_world_wf/start?instanceID=t1")
    env.client.get(f"{wf}/t1")
    assert env.fake.call_threads
    assert threading.main_thread().ident not in env.fake.call_threads


def _state(instance_id: str):
    from wfctl.model import WorkflowState

    return WorkflowState(instance_id=instance_id, name="x", runtime_status=RuntimeStatus.RUNNING)


def test_ids_are_fresh_each_time(env: Served, wf: str) -> None:
    ids = {env.client.post(f"{wf}/hello_world_wf/start").json()["instanceID"] for _ in range(5)}
    assert len(ids) == 5 and all(uuid.UUID(i).version == 4 for i in ids)
    assert json.loads(json.dumps(sorted(ids)))
