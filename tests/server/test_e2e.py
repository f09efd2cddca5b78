"""End to end: a real `python -m wfctl.server` subprocess on a free loopback port over a tmp
SQLite file, driven with raw httpx (no wfctl client code)."""

from __future__ import annotations

import concurrent.futures
import signal
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.server.proc import BETA, ServerProc
from wfctl.model import RuntimeStatus

TOKEN = "e2e-Token-42"
V1 = "/v1.0/workflows/dapr"
BIG_ORDER = b'{"Name": "Gold", "TotalCost": 5000, "Quantity": 1}'


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProc]:
    s = ServerProc(tmp_path / "wf.db")
    yield s
    assert s.stop() == 0
    assert not any("Traceback" in line for line in s.stderr), "".join(s.stderr)


def test_banner_names_the_workflows(server: ServerProc) -> None:
    text = "".join(server.banner)
    assert "hello_world_wf" in text and "OrderProcessingWorkflow" in text
    assert str(server.db) in text


@pytest.mark.parametrize("prefix", [BETA, V1, "/v1.0-alpha1/workflows/dapr"])
def test_hello_world_runs_to_completion(server: ServerProc, prefix: str) -> None:
    c = server.client
    r = c.post(f"{prefix}/hello_world_wf/start?instanceID=hw", content=b'"Ada"')
    assert r.status_code == 202 and r.json() == {"instanceID": "hw"}
    body = server.wait_status("hw", {"COMPLETED", "FAILED"})
    assert body["runtimeStatus"] == "COMPLETED", body
    assert list(body)[:5] == [
        "instanceID",
        "workflowName",
        "createdAt",
        "lastUpdatedAt",
        "runtimeStatus",
    ]
    assert body["properties"]["dapr.workflow.input"] == '"Ada"'
    assert "Ada" in body["properties"]["dapr.workflow.output"]
    history = c.get("/wfctl/v1/instances/hw/history").json()["events"]
    assert history[0]["type"] and history[-1]["timestamp"].endswith("Z")
    listed = c.get("/wfctl/v1/instances?status=COMPLETED").json()["instances"]
    assert [i["instanceID"] for i in listed] == ["hw"]


@pytest.mark.parametrize("prefix", [BETA, V1])
def test_event_pause_resume_terminate_purge(server: ServerProc, prefix: str) -> None:
    c = server.client
    assert c.post(f"{prefix}/OrderProcessingWorkflow/start?instanceID=o1", content=BIG_ORDER)
    server.wait_status("o1", {"RUNNING"})
    assert c.post(f"{prefix}/o1/pause").status_code == 202
    server.wait_status("o1", {"SUSPENDED"})
    r = c.post(f"{prefix}/o1/raiseEvent/approval", content=b'{"approved": true}')
    assert r.status_code == 202 and r.json() == {}
    # The event must wait for resume. Proof without a clock: the engine runs a whole other
    # instance, started after the event was queued, to its end; every round that did so
    # would have taken a deliverable event of o1 too.
    after = "after-beta" if prefix == BETA else "after-v1"
    assert c.post(f"{prefix}/hello_world_wf/start?instanceID={after}").status_code == 202
    server.wait_status(after, {"COMPLETED"})
    assert c.get(f"{prefix}/o1").json()["runtimeStatus"] == "SUSPENDED"
    assert c.post(f"{prefix}/o1/resume").status_code == 202
    done = server.wait_status("o1", {"COMPLETED", "FAILED"})
    assert done["runtimeStatus"] == "COMPLETED", done
    # On a finished instance these are 202 and change nothing, as daprd.
    for op in ("pause", "resume", "raiseEvent/approval", "terminate"):
        r = c.post(f"{prefix}/o1/{op}")
        assert r.status_code == 202 and r.json() == {}, (op, r.text)
    assert c.get(f"{prefix}/o1").json()["runtimeStatus"] == "COMPLETED"

    assert c.post(f"{prefix}/OrderProcessingWorkflow/start?instanceID=o2", content=BIG_ORDER)
    server.wait_status("o2", {"RUNNING"})
    r = c.post(f"{prefix}/o2/purge")
    assert r.status_code == 500 and r.json()["errorCode"] == "ERR_PURGE_WORKFLOW"
    r = c.post(f"{prefix}/OrderProcessingWorkflow/start?instanceID=o2", content=BIG_ORDER)
    assert r.status_code == 500 and r.json()["errorCode"] == "ERR_START_WORKFLOW"
    assert c.post(f"{prefix}/o2/terminate").status_code == 202
    server.wait_status("o2", {"TERMINATED"})
    assert c.post(f"{prefix}/o2/terminate").status_code == 202
    assert c.post(f"{prefix}/o2/purge").status_code == 202
    r = c.get(f"{prefix}/o2")
    assert r.status_code == 404 and r.json()["errorCode"] == "ERR_INSTANCE_ID_NOT_FOUND"


@pytest.mark.parametrize("prefix", [BETA, V1])
def test_error_rows(server: ServerProc, prefix: str) -> None:
    c = server.client

    def code(r: httpx.Response) -> tuple[int, str]:
        return r.status_code, r.json()["errorCode"]

    start = f"{prefix}/hello_world_wf/start"
    assert code(c.post(f"{start}?instanceID=bad$id")) == (400, "ERR_INSTANCE_ID_INVALID")
    assert code(c.post(f"{start}?instanceID={'a' * 65}")) == (400, "ERR_INSTANCE_ID_TOO_LONG")
    assert code(c.post(f"{prefix}//start")) == (400, "ERR_WORKFLOW_NAME_MISSING")
    assert code(c.get(f"{prefix}/")) == (400, "ERR_INSTANCE_ID_PROVIDED_MISSING")
    for op in ("", "/terminate", "/purge"):
        method = "GET" if not op else "POST"
        r = c.request(method, f"{prefix}/ghost{op}")
        assert code(r) == (404, "ERR_INSTANCE_ID_NOT_FOUND")
        assert r.json()["message"] == (
            "unable to find workflow with the provided instance ID: ghost"
        )
    assert code(c.post(f"{prefix}/ghost/raiseEvent/x")) == (500, "ERR_RAISE_EVENT_WORKFLOW")
    assert code(c.post(f"{prefix}/ghost/pause")) == (500, "ERR_PAUSE_WORKFLOW")
    assert code(c.post(f"{prefix}/ghost/resume")) == (500, "ERR_RESUME_WORKFLOW")
    r = c.post(f"{start}?instanceID=e1", content=b'"x"')
    assert r.status_code == 202
    assert code(c.post(f"{prefix}/e1/raiseEvent/")) == (400, "ERR_WORKFLOW_EVENT_NAME_MISSING")
    assert code(c.post(f"{prefix}/e1/pause", content=b"nope")) == (400, "ERR_MALFORMED_REQUEST")
    big = b"1" * (4 * 1024 * 1024 + 1)
    assert code(c.post(f"{start}?instanceID=e2", content=big)) == (400, "ERR_BODY_READ")
    assert c.get(f"{prefix}/e2").status_code == 404


def test_empty_body_and_generated_id(server: ServerProc) -> None:
    r = server.client.post(f"{BETA}/hello_world_wf/start")
    assert r.status_code == 202
    new_id = r.json()["instanceID"]
    assert len(new_id) == 36 and new_id == new_id.lower()
    body = server.wait_status(new_id, {"COMPLETED", "FAILED"})
    assert body["runtimeStatus"] == "COMPLETED", body


def test_unknown_workflow_name_is_refused(server: ServerProc) -> None:
    r = server.client.post(f"{BETA}/no_such_workflow/start?instanceID=nw")
    assert r.status_code == 400 and r.json()["errorCode"] == "ERR_START_WORKFLOW"
    assert "no_such_workflow" in r.json()["message"]
    assert "hello_world_wf" in r.json()["message"]
    assert server.client.get(f"{BETA}/nw").status_code == 404


def test_token_end_to_end(tmp_path: Path) -> None:
    s = ServerProc(tmp_path / "t.db", token=TOKEN)
    try:
        anon = httpx.Client(base_url=s.url, timeout=10)
        r = anon.post(f"{V1}/hello_world_wf/start?instanceID=tk")
        assert r.status_code == 401 and r.text == "invalid api token\n"
        assert r.headers["content-type"].startswith("text/plain")
        r = anon.get(f"{V1}/tk", headers={"dapr-api-token": TOKEN + "x"})
        assert r.status_code == 401
        assert anon.get("/v1.0/healthz").status_code == 204
        anon.close()
        assert s.client.post(f"{V1}/hello_world_wf/start?instanceID=tk").status_code == 202
        assert s.wait_status("tk", {"COMPLETED"})
    finally:
        assert s.stop(signal.SIGINT) == 0
    log = "".join(s.stderr)
    assert '"POST /v1.0/workflows/dapr/hello_world_wf/start?instanceID=tk" 401' in log
    assert '"POST /v1.0/workflows/dapr/hello_world_wf/start?instanceID=tk" 202' in log
    assert TOKEN not in log and TOKEN not in "".join(s.banner)


def test_sigterm_mid_run_then_restart_continues_every_instance(tmp_path: Path) -> None:
    db = tmp_path / "restart.db"
    s = ServerProc(db)
    ids = [f"r{i}" for i in range(60)]
    for i in ids:
        assert s.client.post(f"{BETA}/hello_world_wf/start?instanceID={i}").status_code == 202
    for i in ("a1", "a2"):
        r = s.client.post(f"{BETA}/OrderProcessingWorkflow/start?instanceID={i}", content=BIG_ORDER)
        assert r.status_code == 202
    assert s.stop(signal.SIGTERM) == 0
    assert "stopped" in "".join(s.banner)

    s2 = ServerProc(db)
    try:
        for i in ("a1", "a2"):
            s2.wait_status(i, {"RUNNING"})
            r = s2.client.post(f"{BETA}/{i}/raiseEvent/approval", content=b'{"approved": true}')
            assert r.status_code == 202
        for i in [*ids, "a1", "a2"]:
            body = s2.wait_status(i, {"COMPLETED", "FAILED", "TERMINATED"})
            assert body["runtimeStatus"] == "COMPLETED", body
    finally:
        assert s2.stop() == 0


def test_kill_9_loses_no_accepted_start(tmp_path: Path) -> None:
    db = tmp_path / "k9.db"
    s = ServerProc(db)
    ids = []
    for n in range(150):
        r = s.client.post(f"{BETA}/hello_world_wf/start", content=f'"{n}"'.encode())
        assert r.status_code == 202
        ids.append(r.json()["instanceID"])
    assert s.stop(signal.SIGKILL) == -signal.SIGKILL
    s2 = ServerProc(db)
    try:
        for i in ids:
            body = s2.wait_status(i, {"COMPLETED", "FAILED"})
            assert body["runtimeStatus"] == "COMPLETED", body
    finally:
        assert s2.stop() == 0


def test_requests_in_flight_finish_on_sigterm(tmp_path: Path) -> None:
    s = ServerProc(tmp_path / "inflight.db")
    results: list[int] = []

    def hammer() -> None:
        with httpx.Client(base_url=s.url, timeout=30) as c:
            for _ in range(200):
                try:
                    results.append(c.post(f"{BETA}/hello_world_wf/start").status_code)
                except httpx.TransportError:
                    return  # the server stopped accepting: fine, but no half answers

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(results) < 8:  # requests are flowing: stop in the middle of them
        assert time.monotonic() < deadline, results
        time.sleep(0.01)
    assert s.stop(signal.SIGTERM) == 0
    for t in threads:
        t.join(30)
    assert results and set(results) == {202}


def test_a_thousand_rapid_starts_all_land(tmp_path: Path) -> None:
    db = tmp_path / "many.db"
    s = ServerProc(db)
    try:

        def start(n: int) -> str:
            with_id = f"{BETA}/hello_world_wf/start?instanceID=m{n}"
            r = s.client.post(with_id, content=b'"x"')
            assert r.status_code == 202, r.text
            return r.json()["instanceID"]

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            ids = set(pool.map(start, range(1000)))
        assert len(ids) == 1000
        listed = s.client.get("/wfctl/v1/instances").json()["instances"]
        assert ids <= {i["instanceID"] for i in listed}
    finally:
        assert s.stop() == 0
    # And they are in the file for the next process, too.
    s2 = ServerProc(db)
    try:
        listed = s2.client.get("/wfctl/v1/instances").json()["instances"]
        assert ids <= {i["instanceID"] for i in listed}
    finally:
        assert s2.stop() == 0


APP = """
from datetime import timedelta

import dapr.ext.workflow as wf

wfr = wf.WorkflowRuntime()


@wfr.workflow(name="nap_wf")
def nap_wf(ctx: wf.DaprWorkflowContext, seconds):
    yield ctx.create_timer(timedelta(seconds=seconds))
    ctx.set_custom_status("woke")
    return (yield ctx.call_activity(shout, input="awake"))


@wfr.activity(name="shout")
def shout(ctx, text):
    return text.upper()
"""


def test_user_app_timers_fire_while_serving(tmp_path: Path) -> None:
    app = tmp_path / "napapp.py"
    app.write_text(APP)
    s = ServerProc(tmp_path / "app.db", extra=["--app", str(app)])
    try:
        assert "nap_wf" in "".join(s.banner)
        r = s.client.post(f"{BETA}/nap_wf/start?instanceID=nap", content=b"1")
        assert r.status_code == 202
        body = s.wait_status("nap", {"COMPLETED", "FAILED"}, timeout=20)
        assert body["runtimeStatus"] == "COMPLETED", body
        # The timer held it for its second, by the engine's own clock: the step after it (the
        # activity, scheduled by the turn the timer woke) is stamped a second after the start.
        events = s.client.get("/wfctl/v1/instances/nap/history").json()["events"]
        stamp = {
            e["type"]: datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00"))
            for e in events
            if e["type"] in ("ExecutionStarted", "TaskScheduled")
        }
        assert (stamp["TaskScheduled"] - stamp["ExecutionStarted"]).total_seconds() >= 1, events
        assert body["properties"]["dapr.workflow.output"] == '"AWAKE"'
        assert body["properties"]["dapr.workflow.custom_status"] == "woke"
        r = s.client.post(f"{BETA}/hello_world_wf/start?instanceID=nohello")
        assert r.status_code == 400 and r.json()["errorCode"] == "ERR_START_WORKFLOW"
    finally:
        assert s.stop() == 0


def test_another_process_shares_the_file(server: ServerProc) -> None:
    from wfctl.backend.embedded import EmbeddedBackend

    other = EmbeddedBackend(server.db, detach=True)  # records only; the server drives
    try:
        other.start("hello_world_wf", '"Neighbour"', instance_id="shared1")
        body = server.wait_status("shared1", {"COMPLETED", "FAILED"})
        assert body["runtimeStatus"] == "COMPLETED"
        r = server.client.post(f"{BETA}/hello_world_wf/start?instanceID=shared2")
        assert r.status_code == 202
        server.wait_status("shared2", {"COMPLETED"})
        assert other.get("shared2").runtime_status is RuntimeStatus.COMPLETED
    finally:
        other.close()
