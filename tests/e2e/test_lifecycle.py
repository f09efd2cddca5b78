"""Every lifecycle command over HTTP against a real ``wfctl serve``: both API versions, with
and without a token (the server fixture runs each test once per server)."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import yaml

from tests.e2e.support import Serve, run_many, uid

API_VERSIONS = ["v1.0-beta1", "v1.0"]


def wait_raw(server: Serve, api: str, iid: str, want: str, timeout: float = 20) -> dict:
    """Poll the sidecar route with raw httpx until ``runtimeStatus`` is ``want``."""
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        r = server.http.get(f"/{api}/workflows/dapr/{iid}")
        if r.status_code == 200:
            body = r.json()
            if body["runtimeStatus"] == want:
                return body
        time.sleep(0.05)
    raise AssertionError(f"{iid} never became {want}: {body}")


@pytest.mark.parametrize("api", API_VERSIONS)
def test_lifecycle(server: Serve, api: str, tmp_path) -> None:
    v = ["--api-version", api]
    h, o, f, s = uid("hello"), uid("order"), uid("fail"), uid("sleep")
    order_file = tmp_path / "order.json"
    order_file.write_text('{"Name": "Gold", "TotalCost": 5000, "Quantity": 2}')

    # Independent starts at once: --id + --input, -q (server-side UUID), --input-file.
    started = run_many(
        [
            (server.cli_args([*v, "start", "hello_world_wf", "--id", h, "--input", '"Ada"']), None),
            (server.cli_args([*v, "start", "hello_world_wf", "-q"]), None),
            (server.cli_args([*v, "start", "OrderProcessingWorkflow", "--id", o,
                              "--input-file", str(order_file)]), None),
            (server.cli_args([*v, "start", "sleepy_wf", "--id", s]), None),
        ],
        server.home,
    )  # fmt: skip
    for r in started:
        assert r.code == 0, r
    assert h in started[0].out and "hello_world_wf" in started[0].out
    q = started[1].out.strip()
    assert uuid.UUID(q).version == 4 and started[1].out == q + "\n", started[1]

    # start --wait on a failing workflow: the final state on stdout, exit 10.
    r = server.wfctl(*v, "start", "failing_wf", "--id", f, "--input", "5", "--wait", "-o", "json")
    assert r.code == 10, r
    failed = r.json()
    assert failed["runtimeStatus"] == "FAILED"
    assert failed["properties"]["dapr.workflow.failure.error_type"] == "TaskFailedError"
    assert "kaboom 5" in failed["properties"]["dapr.workflow.failure.error_message"]

    # wait: completion of two (JSON array), then the start of the long sleeper.
    r = server.wfctl(*v, "wait", h, q, "--timeout", "20s", "-o", "json")
    assert r.code == 0, r
    done = r.json()
    assert [d["runtimeStatus"] for d in done] == ["COMPLETED", "COMPLETED"]
    assert json.loads(done[0]["properties"]["dapr.workflow.output"]) == (
        "Hello, Ada! Welcome to wfctl."
    )
    assert done[1]["instanceID"] == q
    r = server.wfctl(*v, "wait", s, "--for", "start", "--timeout", "20s")
    assert (r.code, r.out) == (0, f"{s} RUNNING\n"), r

    # pause (and its alias), an event while paused stays queued, resume applies it.
    wait_raw(server, api, o, "RUNNING")
    r = server.wfctl(*v, "pause", o)
    assert (r.code, r.out) == (0, f"{o}: suspended\n"), r
    wait_raw(server, api, o, "SUSPENDED")
    r = server.wfctl(*v, "raise-event", o, "approval", "--data", '{"approved": true}')
    assert (r.code, r.out) == (0, f"{o}: raised approval\n"), r
    # The worker must not apply it. Proof without a clock: it runs a whole other instance,
    # started after the event was queued, to its end (each of those rounds would have taken
    # a deliverable event of o too).
    after = f"{o}-after"
    r = server.wfctl(*v, "start", "hello_world_wf", "--id", after, "--wait", "--timeout", "60s")
    assert r.code == 0, r
    r = server.wfctl(*v, "suspend", o, "-o", "json")
    assert (r.code, r.json()) == (0, {"instanceID": o, "result": "suspended"}), r
    r = server.wfctl(*v, "status", o, "-q")
    assert (r.code, r.out) == (0, "SUSPENDED\n"), r
    r = server.wfctl(*v, "resume", o)
    assert (r.code, r.out) == (0, f"{o}: resumed\n"), r
    r = server.wfctl(*v, "wait", o, "--timeout", "20s", "-o", "yaml")
    assert r.code == 0, r
    final = yaml.safe_load(r.out)
    assert final["runtimeStatus"] == "COMPLETED"
    assert final["properties"]["dapr.workflow.custom_status"] == "Approved"
    summary = json.loads(final["properties"]["dapr.workflow.output"])
    assert summary["approved"] is True and summary["status"] == "completed"
    assert summary["order"] == "Gold" and summary["quantity"] == 2

    # terminate (the result is ignored, and wfctl says so), then wait says TERMINATED.
    r = server.wfctl(*v, "terminate", s, "--result", '{"why": "test"}')
    assert (r.code, r.out) == (0, f"{s}: terminated\n"), r
    assert "--result is ignored" in r.err
    r = server.wfctl(*v, "wait", s, f, "--timeout", "20s")
    assert (r.code, r.out) == (11, f"{s} TERMINATED\n{f} FAILED\n"), r

    # purge one, then several with --yes; then they are gone.
    r = server.wfctl(*v, "purge", s)
    assert (r.code, r.out) == (0, f"{s}: purged\n"), r
    r = server.wfctl(*v, "purge", f, h, q, o, "--yes")
    assert r.code == 0, r
    assert r.out.splitlines() == [f"{i}: purged" for i in (f, h, q, o)]
    r = server.wfctl(*v, "status", s, h)
    assert r.code == 3 and f"'{s}'" in r.err, r

    # Every request went to the chosen API version's routes.
    for iid in (h, o, f, s):
        lines = server.requests_for(iid)
        assert lines, iid
        for line in lines:
            assert f" /{api}/workflows/dapr/" in line, line
