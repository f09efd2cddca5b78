"""HttpBackend against a recording fake daprd on 127.0.0.1: exact requests, every error row."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest

from tests.http.fakedaprd import FakeDaprd
from wfctl.backend.http import HttpBackend
from wfctl.backend.protocol import Backend
from wfctl.model import (
    AuthError,
    ConflictError,
    NotFoundError,
    RuntimeStatus,
    ServerError,
    UnreachableError,
    UnsupportedError,
    UsageError,
    WaitTimeoutError,
)

_open: list[HttpBackend] = []


@pytest.fixture(autouse=True)
def _close_backends():
    yield
    while _open:
        _open.pop().close()


def make(url: str, **kw) -> HttpBackend:
    kw.setdefault("backoff", 0.01)
    b = HttpBackend(url, **kw)
    _open.append(b)
    return b


def backend(d: FakeDaprd, **kw) -> HttpBackend:
    return make(d.url, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_is_a_backend(daprd: FakeDaprd) -> None:
    assert isinstance(backend(daprd), Backend)


@pytest.mark.parametrize("version", ["v1.0-beta1", "v1.0"])
def test_every_route_sends_exact_requests(daprd: FakeDaprd, version: str) -> None:
    b = backend(daprd, api_version=version, api_token="s3cret")
    daprd.token = "s3cret"
    assert b.start("my wf", '{"a": 1}', instance_id="i-1") == "i-1"
    state = b.get("i-1")
    b.pause("i-1")
    b.resume("i-1")
    b.raise_event("i-1", "go now", '"data"')
    with pytest.raises(UnsupportedError, match="no terminate output"):  # and sends nothing
        b.terminate("i-1", output='"bye"')
    b.terminate("i-1")
    b.purge("i-1")
    got = [(r.method, r.path, r.query, r.body, r.token) for r in daprd.requests]
    p = f"/{version}/workflows/dapr"
    assert got == [
        ("POST", f"{p}/my%20wf/start", "instanceID=i-1", b'{"a": 1}', "s3cret"),
        ("GET", f"{p}/i-1", "", b"", "s3cret"),
        ("POST", f"{p}/i-1/pause", "", b"", "s3cret"),
        ("POST", f"{p}/i-1/resume", "", b"", "s3cret"),
        ("POST", f"{p}/i-1/raiseEvent/go%20now", "", b'"data"', "s3cret"),
        ("POST", f"{p}/i-1/terminate", "", b"", "s3cret"),
        ("POST", f"{p}/i-1/purge", "", b"", "s3cret"),
    ]
    assert state.instance_id == "i-1" and state.name == "my wf"
    assert state.runtime_status is RuntimeStatus.RUNNING
    assert state.serialized_input == '{"a": 1}'
    assert "i-1" not in daprd.instances


def test_ids_are_percent_encoded(daprd: FakeDaprd) -> None:
    daprd.add("parent:0001+x y")
    b = backend(daprd)
    assert b.get("parent:0001+x y").instance_id == "parent:0001+x y"
    assert daprd.requests[0].path == "/v1.0-beta1/workflows/dapr/parent%3A0001%2Bx%20y"


def test_component_segment(daprd: FakeDaprd) -> None:
    with pytest.raises(UsageError, match="ERR_WORKFLOW_COMPONENT_NOT_FOUND.*--component dapr"):
        backend(daprd, component="other").start("wf", instance_id="x")


def test_input_bytes_pass_through_untouched(daprd: FakeDaprd) -> None:
    text = '  {"b":2,  "a":"é"}\n'
    backend(daprd).start("wf", text, instance_id="x")
    assert daprd.requests[0].body == text.encode()


def test_input_over_4mib_refused_before_sending(daprd: FakeDaprd) -> None:
    with pytest.raises(UsageError, match="4 MiB"):
        backend(daprd).start("wf", '"' + "a" * (4 * 1024 * 1024) + '"', instance_id="x")
    assert daprd.requests == []


def test_missing_token_and_wrong_token_are_auth_errors(daprd: FakeDaprd) -> None:
    daprd.token = "right"
    with pytest.raises(AuthError, match="wants an API token"):
        backend(daprd).get("x")
    with pytest.raises(AuthError, match="token was refused") as err:
        backend(daprd, api_token="wrong").get("x")
    assert "wrong" not in str(err.value)
    assert err.value.exit_code == 6


def test_not_found_rows(daprd: FakeDaprd) -> None:
    b = backend(daprd)
    for call in (b.get, b.terminate, b.purge, b.pause, b.resume):
        with pytest.raises(NotFoundError, match="'ghost'"):
            call("ghost")
    with pytest.raises(NotFoundError):
        b.raise_event("ghost", "e")


def test_start_conflict_on_active_instance(daprd: FakeDaprd) -> None:
    daprd.add("busy", status="RUNNING")
    with pytest.raises(ConflictError, match="active instance 'busy'"):
        backend(daprd).start("wf", instance_id="busy")


def test_start_replaces_finished_instance(daprd: FakeDaprd) -> None:
    daprd.add("old", status="COMPLETED")
    assert backend(daprd).start("wf", instance_id="old") == "old"


def test_start_500_without_conflict_is_server_error(daprd: FakeDaprd) -> None:
    daprd.faults.append((500, b'{"errorCode":"ERR_START_WORKFLOW","message":"db down"}'))
    with pytest.raises(ServerError, match="500: ERR_START_WORKFLOW: db down") as err:
        backend(daprd).start("wf", instance_id="x")
    assert err.value.exit_code == 7 and err.value.error_code == "ERR_START_WORKFLOW"


def test_purge_of_unfinished_instance_is_conflict(daprd: FakeDaprd) -> None:
    daprd.add("run", status="RUNNING")
    with pytest.raises(ConflictError, match="RUNNING.*terminate it first"):
        backend(daprd).purge("run")


def test_409_is_conflict(daprd: FakeDaprd) -> None:
    daprd.faults.append((409, b'{"errorCode":"ERR_CONFLICT","message":"exists"}'))
    with pytest.raises(ConflictError):
        backend(daprd).pause("x")


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ERR_INSTANCE_ID_INVALID", 400),
        ("ERR_INSTANCE_ID_TOO_LONG", 400),
        ("ERR_INSTANCE_ID_PROVIDED_MISSING", 400),
        ("ERR_WORKFLOW_NAME_MISSING", 400),
        ("ERR_WORKFLOW_EVENT_NAME_MISSING", 400),
        ("ERR_MALFORMED_REQUEST", 400),
        ("ERR_BODY_READ", 400),
    ],
)
def test_400_rows_are_usage_errors(daprd: FakeDaprd, code: str, status: int) -> None:
    body = json.dumps({"errorCode": code, "message": "nope"}).encode()
    daprd.faults.append((status, body))
    with pytest.raises(UsageError, match=code):
        backend(daprd).start("wf", instance_id="x")


@pytest.mark.parametrize(
    ("op", "code"),
    [
        ("get", "ERR_GET_WORKFLOW"),
        ("terminate", "ERR_TERMINATE_WORKFLOW"),
        ("pause", "ERR_PAUSE_WORKFLOW"),
        ("resume", "ERR_RESUME_WORKFLOW"),
        ("raise", "ERR_RAISE_EVENT_WORKFLOW"),
    ],
)
def test_500_rows_on_known_instance_are_server_errors(daprd: FakeDaprd, op: str, code: str) -> None:
    daprd.add("x")
    daprd.faults.append((500, json.dumps({"errorCode": code, "message": "broken"}).encode()))
    b = backend(daprd)
    call = {
        "get": lambda: b.get("x"),
        "terminate": lambda: b.terminate("x"),
        "pause": lambda: b.pause("x"),
        "resume": lambda: b.resume("x"),
        "raise": lambda: b.raise_event("x", "e"),
    }[op]
    with pytest.raises(ServerError, match=f"{code}: broken"):
        call()


def test_daprd_shaped_body_with_spaces_and_missing_fields(daprd: FakeDaprd) -> None:
    daprd.faults.append(
        (
            200,
            b'{"instanceID": "p", "createdAt": "0001-01-01T00:00:00Z", "runtimeStatus": "PENDING"}',
        )
    )
    s = backend(daprd).get("p")
    assert (s.instance_id, s.name, s.runtime_status, s.created_at) == (
        "p",
        "",
        RuntimeStatus.PENDING,
        None,
    )


def test_connection_refused_is_unreachable_naming_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    b = make(url, retries=2)
    with pytest.raises(UnreachableError, match=rf"cannot reach {url}.*--embedded") as err:
        b.get("x")
    assert err.value.exit_code == 5


def test_retries_transient_503_then_succeeds(daprd: FakeDaprd) -> None:
    daprd.add("x")
    daprd.faults += [(503, b"{}"), (502, b"{}")]
    assert backend(daprd).get("x").instance_id == "x"
    assert len(daprd.requests) == 3


def test_gives_up_after_capped_retries(daprd: FakeDaprd) -> None:
    daprd.faults += [(503, b"{}")] * 10
    with pytest.raises(ServerError, match="503"):
        backend(daprd, retries=2).get("x")
    assert len(daprd.requests) == 3


def test_retries_connection_reset(daprd: FakeDaprd) -> None:
    daprd.add("x")
    daprd.faults.append((-1, b""))
    assert backend(daprd).get("x").instance_id == "x"


def test_raise_event_is_never_retried_after_sending(daprd: FakeDaprd) -> None:
    daprd.add("x")
    daprd.faults.append((503, b"{}"))
    with pytest.raises(ServerError):
        backend(daprd).raise_event("x", "e", "1")
    assert [r.method for r in daprd.requests] == ["POST"]
    assert daprd.instances["x"].events == []


def test_start_retried_only_after_get_shows_no_instance(daprd: FakeDaprd) -> None:
    daprd.faults.append((503, b"{}"))
    assert backend(daprd).start("wf", instance_id="s1") == "s1"
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in daprd.requests] == [
        ("POST", "start"),
        ("GET", "s1"),
        ("POST", "start"),
    ]


def test_start_not_repeated_when_get_finds_an_older_instance(daprd: FakeDaprd) -> None:
    daprd.add("s1", status="COMPLETED")  # created long ago
    daprd.faults.append((-1, b""))
    with pytest.raises(UnreachableError, match="may or may not"):
        backend(daprd).start("wf", instance_id="s1")
    assert [r.method for r in daprd.requests] == ["POST", "GET"]


def test_request_timeout_is_unreachable() -> None:
    # A server that accepts and never answers.
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    try:
        b = make(f"http://127.0.0.1:{srv.getsockname()[1]}", timeout=0.3, retries=0)
        with pytest.raises(UnreachableError, match="timed out after 0.3s"):
            b.get("x")
    finally:
        srv.close()


def test_wait_polls_until_terminal_with_short_requests(daprd: FakeDaprd) -> None:
    daprd.script["wf"] = ["PENDING", "RUNNING", "RUNNING", "COMPLETED"]
    b = backend(daprd, timeout=5)
    b.start("wf", '"x"', instance_id="w")
    assert b.wait("w", until="start", interval=0.01).runtime_status is RuntimeStatus.RUNNING
    final = b.wait("w", interval=0.01)
    assert final.runtime_status is RuntimeStatus.COMPLETED
    assert final.serialized_output == '"x"'


def test_wait_timeout(daprd: FakeDaprd) -> None:
    daprd.add("slow", status="RUNNING")
    t = time.monotonic()
    message = r"has not finished after 0.3s \(it is RUNNING\)"
    with pytest.raises(WaitTimeoutError, match=message) as err:
        backend(daprd).wait("slow", timeout=0.3, interval=0.05)
    # It waited for its timeout (a lower bound no slow machine breaks) and then gave up: the
    # generous upper bound only catches a wait that ignores its timeout.
    assert time.monotonic() - t > 0.25
    assert time.monotonic() - t < 60
    assert err.value.exit_code == 124


def test_wait_outlives_the_request_timeout(daprd: FakeDaprd) -> None:
    daprd.add("w", status="RUNNING")

    def finish() -> None:
        time.sleep(0.6)
        daprd.instances["w"].script = ["COMPLETED"]
        daprd.instances["w"].status = "COMPLETED"

    threading.Thread(target=finish).start()
    b = backend(daprd, timeout=0.2)
    assert b.wait("w", interval=0.05).runtime_status is RuntimeStatus.COMPLETED


def test_delayed_start_unsupported(daprd: FakeDaprd) -> None:
    from datetime import datetime, timezone

    with pytest.raises(UnsupportedError, match="no delayed start"):
        backend(daprd).start("wf", start_at=datetime.now(timezone.utc))
    assert daprd.requests == []


def test_injectable_transport() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path, request.headers.get("dapr-api-token")))
        return httpx.Response(202, json={"instanceID": "m1"})

    b = make("http://sidecar:3500", api_token="t0k", transport=httpx.MockTransport(handler))
    assert b.start("wf", instance_id="m1") == "m1"
    assert seen == [("POST", "/v1.0-beta1/workflows/dapr/wf/start", "t0k")]


# -- wfctl's own routes: `wfctl serve` offers them, a real daprd answers 404 ---------------


def test_list_history_bulk_purge_unsupported_on_daprd(daprd: FakeDaprd) -> None:
    b = backend(daprd)
    for call in (
        lambda: b.list_instances(),
        lambda: b.history("x"),
        lambda: b.purge_older_than(60),
    ):
        with pytest.raises(UnsupportedError, match="Dapr HTTP API has no .*--embedded") as err:
            call()
        assert err.value.exit_code == 2


def test_list_history_bulk_purge_on_wfctl_serve() -> None:
    with FakeDaprd(ext=True, token="tok") as d:
        d.add("a", name="wf", status="COMPLETED")
        d.add("b", name="wf", status="RUNNING")
        b = backend(d, api_token="tok")
        got = b.list_instances(statuses=[RuntimeStatus.COMPLETED], name="wf", max_age=3600, limit=5)
        assert [s.instance_id for s in got] == ["a"]
        hist = b.history("a")
        assert [h.type for h in hist] == ["ExecutionStarted", "TaskScheduled", "TaskCompleted"]
        assert hist[2].task_id == 1 and hist[2].details == '"ok"'
        with pytest.raises(NotFoundError):
            b.history("zz")
        dry = b.purge_older_than(86400, statuses=[RuntimeStatus.COMPLETED], dry_run=True)
        assert dry.instance_ids == ["a"] and dry.dry_run and "a" in d.instances
        done = b.purge_older_than(1.5)
        assert done.instance_ids == ["a"] and not done.dry_run and "a" not in d.instances
        reqs = [(r.method, r.path, r.query, r.token) for r in d.requests]
        assert reqs[0] == (
            "GET",
            "/wfctl/v1/instances",
            "status=COMPLETED&name=wf&maxAge=3600&limit=5",
            "tok",
        )
        assert reqs[1][:3] == ("GET", "/wfctl/v1/instances/a/history", "")
        q = "olderThan=86400&status=COMPLETED&dryRun=true"
        assert reqs[3][:3] == ("POST", "/wfctl/v1/purge", q)
        assert reqs[4][:3] == ("POST", "/wfctl/v1/purge", "olderThan=1.5")


def test_tls_handshake_failure_is_unreachable_with_hint(daprd: FakeDaprd) -> None:
    # An https:// URL at a plain-HTTP server: the handshake fails.
    b = make(daprd.url.replace("http://", "https://"), verify=False, retries=0)
    with pytest.raises(UnreachableError, match="TLS handshake .* failed.*--ca-cert"):
        b.get("x")


def test_unreadable_ca_cert_is_usage_error(tmp_path) -> None:
    with pytest.raises(UsageError, match="cannot load CA certificate"):
        HttpBackend("https://127.0.0.1:1", verify=str(tmp_path / "missing.pem"))


def test_wait_rides_out_a_short_outage(daprd: FakeDaprd) -> None:
    inst = daprd.add("w", status="RUNNING")
    inst.script = ["RUNNING", "COMPLETED"]
    b = backend(daprd, retries=1)
    running = json.dumps({"instanceID": "w", "runtimeStatus": "RUNNING"}).encode()
    daprd.faults.append((200, running))  # the first read: the server exists
    daprd.faults += [(-1, b"")] * 4  # then two failed reads of two tries each
    assert b.wait("w", interval=0.01).runtime_status is RuntimeStatus.COMPLETED


def test_wait_gives_up_after_the_outage_limit(daprd: FakeDaprd) -> None:
    daprd.add("w", status="RUNNING")
    b = backend(daprd, retries=0, wait_outage=0.3)
    daprd.faults += [(200, json.dumps({"instanceID": "w", "runtimeStatus": "RUNNING"}).encode())]
    daprd.faults += [(-1, b"")] * 100
    with pytest.raises(UnreachableError, match="reset"):
        b.wait("w", interval=0.01)


def test_wait_on_a_server_never_seen_fails_at_once() -> None:
    b = make(f"http://127.0.0.1:{free_port()}", retries=0)
    t = time.monotonic()
    with pytest.raises(UnreachableError):
        b.wait("w")
    assert time.monotonic() - t < 60  # not the wait's (unbounded) outage retries
