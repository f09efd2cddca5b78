"""Options, output formats, exit codes and wfctl's own routes over HTTP against one real
``wfctl serve`` (no token); the last test purges in bulk, so it stays last."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from datetime import datetime
from urllib.parse import quote

import yaml

from tests.e2e.support import WFCTL, Serve, clean_env, run, run_many, uid
from tests.engine.support import make_timers_due

BETA = "/v1.0-beta1/workflows/dapr"
V1 = "/v1.0/workflows/dapr"


def blocks(text: str) -> list[dict[str, str]]:
    """The plain ``status`` table: one ``{label: value}`` per instance block."""
    out: list[dict[str, str]] = []
    for chunk in text.strip().split("\n\n"):
        pairs = (line.split(":", 1) for line in chunk.splitlines())
        out.append({k.strip(): v.strip() for k, v in pairs})
    return out


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def test_start_inputs_and_refusals(open_server: Serve, tmp_path) -> None:
    srv = open_server
    a, b, c, d, e, big = (uid(x) for x in "abcdef")
    odd = '{"b": 1,  "TotalCost":2000}'  # waits for approval: stays active
    results = run_many(
        [
            (srv.cli_args(["start", "hello_world_wf", "--id", b, "--raw", "--input", "not json",
                           "--wait", "-o", "json"]), None),
            (srv.cli_args(["start", "OrderProcessingWorkflow", "--id", c, "--input", odd]), None),
            (srv.cli_args(["start", "hello_world_wf", "--id", d, "--input", "{bad"]), None),
            (srv.cli_args(["start", "hello_world_wf", "--id", "bad id!"]), None),
            (srv.cli_args(["start", "no_such_wf", "--id", e]), None),
            (srv.cli_args(["start", "sleepy_wf", "--input", "1", "--wait", "--timeout", "20s",
                           "-o", "yaml"]), None),
        ],
        srv.home,
    )  # fmt: skip
    raw, odd_r, bad_json, bad_id, unknown, timer = results
    # --raw: sent as-is (hello_world_wf cannot parse it, so it fails: exit 10).
    assert raw.code == 10, raw
    assert raw.json()["properties"]["dapr.workflow.input"] == "not json"
    # The input goes byte for byte.
    assert odd_r.code == 0, odd_r
    got = srv.http.get(f"{BETA}/{c}").json()
    assert got["properties"]["dapr.workflow.input"] == odd
    # Refused before any request: bad JSON, bad ID; the server refuses an unknown workflow.
    assert bad_json.code == 2 and "--raw" in bad_json.err, bad_json
    assert bad_id.code == 2 and "space at position 4" in bad_id.err, bad_id
    assert unknown.code == 2, unknown
    assert "no_such_wf" in unknown.err and "hello_world_wf" in unknown.err, unknown
    for r in (bad_json, bad_id, unknown):
        assert r.out == "" and len(r.err.strip().splitlines()) == 1, r
    assert srv.requests_for(d) == []
    assert srv.http.get(f"{BETA}/{e}").status_code == 404
    # A 1 s durable timer fires on time while the server runs.
    assert timer.code == 0, timer
    woke = yaml.safe_load(timer.out)
    assert woke["properties"]["dapr.workflow.output"] == '"woke"'
    assert (_when(woke["lastUpdatedAt"]) - _when(woke["createdAt"])).total_seconds() >= 1

    # --input-file - (stdin), with -q --wait: the ID alone, exit code of the outcome.
    r = srv.wfctl("start", "hello_world_wf", "--id", a, "--input-file", "-", "-q", "--wait",
                  stdin='"Zed"')  # fmt: skip
    assert (r.code, r.out) == (0, f"{a}\n"), r
    got = srv.http.get(f"{BETA}/{a}").json()
    assert got["properties"]["dapr.workflow.output"] == '"Hello, Zed! Welcome to wfctl."'

    # Over 4 MiB: refused before sending (exit 2), nothing reaches the server.
    big_file = tmp_path / "big.json"
    big_file.write_text('"' + "x" * (4 * 1024 * 1024 + 1) + '"')
    r = srv.wfctl("start", "hello_world_wf", "--id", big, "--input-file", str(big_file))
    assert r.code == 2 and "MiB" in r.err, r
    assert srv.requests_for(big) == []

    # Racing starts of one ID: exactly one wins, the others are conflicts (4).
    race = uid("race")
    cmd = srv.cli_args(["start", "sleepy_wf", "--id", race, "-q"])
    racers = run_many([(cmd, None)] * 4, srv.home)
    assert sorted(r.code for r in racers) == [0, 4, 4, 4], racers
    assert srv.wfctl("terminate", race).code == 0
    # An active ID: conflict (4); a finished one is replaced (0).
    r = srv.wfctl("start", "OrderProcessingWorkflow", "--id", c, "--input", odd)
    assert r.code == 4 and c in r.err, r
    r = srv.wfctl("start", "hello_world_wf", "--id", a, "--wait", "-q")
    assert (r.code, r.out) == (0, f"{a}\n"), r
    replaced = srv.http.get(f"{BETA}/{a}").json()["properties"]
    assert replaced.get("dapr.workflow.input", "") == ""  # no --input: an empty body
    assert srv.wfctl("terminate", c).code == 0


def test_status_formats_and_global_option_positions(open_server: Serve) -> None:
    srv = open_server
    ok, bad = uid("ok"), uid("bad")
    started = run_many(
        [
            (srv.cli_args(["start", "hello_world_wf", "--id", ok, "--input", '"Bo"', "--wait"]),
             None),
            (srv.cli_args(["start", "failing_wf", "--id", bad, "--input", "7", "--wait"]), None),
        ],
        srv.home,
    )  # fmt: skip
    assert [r.code for r in started] == [0, 10], started

    runs = run_many(
        [
            (["--url", srv.url, "-o", "json", "status", ok], None),
            (["status", ok, "-o", "json", "--url", srv.url], None),
            (["--api-version", "v1.0", "status", ok, "--url", srv.url, "--output", "json"], None),
            (["-o", "yaml", "--url", srv.url, "status", ok, bad], None),
            (["--url", srv.url, "status", ok, bad, "-o", "json"], None),
            (["status", ok, bad, "--url", srv.url], None),
            (["--url", srv.url, "-q", "status", ok, bad], None),
        ],
        srv.home,
    )
    for r in runs:
        assert r.code == 0 and r.err == "", r
    before, after, v1, yml, arr, table, quiet = runs
    # `wfctl -o json status ID` is the sidecar's own get response, whichever API version.
    raw_beta = srv.http.get(f"{BETA}/{ok}").json()
    raw_v1 = srv.http.get(f"{V1}/{ok}").json()
    assert before.json() == after.json() == v1.json() == raw_beta == raw_v1
    assert list(before.json()) == list(raw_beta)  # same field order for jq users
    assert f'"GET {V1}/{ok}"' in "".join(srv.requests_for(ok))  # --api-version after too
    # Several IDs: an array of the same objects, in JSON and YAML alike.
    assert yaml.safe_load(yml.out) == arr.json()
    assert arr.json() == [raw_beta, srv.http.get(f"{BETA}/{bad}").json()]
    assert arr.json()[1]["runtimeStatus"] == "FAILED"
    # The table (stdout not a terminal: plain text, nothing cut).
    first, second = blocks(table.out)
    assert {k: first[k] for k in ("Instance", "Workflow", "Status", "Input", "Output")} == {
        "Instance": ok,
        "Workflow": "hello_world_wf",
        "Status": "COMPLETED",
        "Input": '"Bo"',
        "Output": '"Hello, Bo! Welcome to wfctl."',
    }
    assert (second["Instance"], second["Status"], second["Input"]) == (bad, "FAILED", "7")
    assert second["Failure"].startswith("TaskFailedError:") and "kaboom 7" in second["Failure"]
    assert "\x1b[" not in table.out
    assert quiet.out == f"{ok} COMPLETED\n{bad} FAILED\n"
    # One unknown among several: the others are printed, the exit code is 3.
    r = srv.wfctl("status", ok, f"nope-{ok}", bad, "-o", "json")
    assert r.code == 3 and f"'nope-{ok}'" in r.err, r
    assert [i["instanceID"] for i in r.json()] == [ok, bad]


def test_wait_exit_codes(open_server: Serve) -> None:
    srv = open_server
    ok, bad, term, long = uid("ok"), uid("bad"), uid("term"), uid("long")
    started = run_many(
        [
            (srv.cli_args(["start", "hello_world_wf", "--id", ok]), None),
            (srv.cli_args(["start", "failing_wf", "--id", bad, "--input", "1"]), None),
            (srv.cli_args(["start", "sleepy_wf", "--id", term]), None),
            (srv.cli_args(["start", "sleepy_wf", "--id", long]), None),
        ],
        srv.home,
    )  # fmt: skip
    assert [r.code for r in started] == [0, 0, 0, 0], started
    r = srv.wfctl("wait", term, "--for", "start", "--timeout", "20s", "-q")
    assert (r.code, r.out) == (0, "RUNNING\n"), r
    assert srv.wfctl("terminate", term).code == 0
    results = run_many(
        [
            (srv.cli_args(["wait", ok, "--timeout", "20s"]), None),
            (srv.cli_args(["wait", bad, "--timeout", "20s"]), None),
            (srv.cli_args(["wait", term, "--timeout", "20s"]), None),
            (srv.cli_args(["wait", long, "--timeout", "300ms"]), None),
            (srv.cli_args(["wait", long, "--for", "start", "--timeout", "20s"]), None),
            (srv.cli_args(["wait", ok, bad, term, "--timeout", "20s"]), None),
            (srv.cli_args(["wait", term, "nope-" + ok, ok, "--timeout", "20s"]), None),
            (srv.cli_args(["wait", "nope-" + ok, "--timeout", "5s"]), None),
        ],
        srv.home,
    )  # fmt: skip
    got = [(r.code, r.out) for r in results]
    assert got[:3] == [
        (0, f"{ok} COMPLETED\n"),
        (10, f"{bad} FAILED\n"),
        (11, f"{term} TERMINATED\n"),
    ]
    assert got[3] == (124, ""), results[3]
    assert results[3].err.strip() == (  # one message on every backend, with --timeout as given
        f"Error: instance '{long}' has not finished after 0.3s (it is RUNNING)"
    ), results[3]
    assert got[4] == (0, f"{long} RUNNING\n")
    # Several: each outcome printed, the exit code is the first failing one's.
    assert got[5] == (10, f"{ok} COMPLETED\n{bad} FAILED\n{term} TERMINATED\n")
    assert got[6] == (11, f"{term} TERMINATED\n{ok} COMPLETED\n"), results[6]
    assert f"nope-{ok}" in results[6].err
    assert got[7] == (3, ""), results[7]

    # Ctrl-C while waiting: exit 130, no traceback.
    seen = len(srv.requests_for(long))
    waiters = [
        subprocess.Popen(
            [WFCTL, *srv.cli_args(args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(srv.home),
        )
        for args in (["--api-version", "v1.0", "wait", long], ["status", long, "--watch"])
    ]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # both have polled once (told apart by API version)
        polled = "".join(srv.requests_for(long)[seen:])
        if f"GET {V1}/{long}" in polled and f"GET {BETA}/{long}" in polled:
            break
        time.sleep(0.02)
    for p in waiters:
        p.send_signal(signal.SIGINT)
    for p in waiters:
        out, err = p.communicate(timeout=10)
        assert p.returncode == 130 and "Traceback" not in err, (p.args, out, err)
    assert srv.wfctl("terminate", long).code == 0


def test_purge_rules_and_child_workflows(open_server: Serve) -> None:
    srv = open_server
    p, ps, x, y = uid("par"), uid("psl"), uid("x"), uid("y")
    started = run_many(
        [
            (srv.cli_args(["start", "parent_wf", "--id", p, "--input", "21", "--wait",
                           "-o", "json"]), None),
            (srv.cli_args(["start", "parent_sleepy_wf", "--id", ps]), None),
            (srv.cli_args(["start", "hello_world_wf", "--id", x, "--wait"]), None),
            (srv.cli_args(["start", "hello_world_wf", "--id", y, "--wait"]), None),
        ],
        srv.home,
    )  # fmt: skip
    assert [r.code for r in started] == [0, 0, 0, 0], started
    assert json.loads(started[0].json()["properties"]["dapr.workflow.output"]) == {"child": 42}

    # The child's ID has a ':' (percent-encoded in the path).
    child = f"{p}:0001"
    r = srv.wfctl("status", child, "-o", "json")
    assert r.code == 0, r
    assert r.json() == srv.http.get(f"{BETA}/{quote(child, safe='')}").json()
    assert r.json()["workflowName"] == "child_wf" and r.json()["runtimeStatus"] == "COMPLETED"
    r = srv.wfctl("history", p, "-o", "json")
    assert r.code == 0, r
    assert "ChildWorkflowCreated" in [ev["type"] for ev in r.json()]

    # Several IDs without --yes and no terminal: refused, names --yes, nothing purged.
    r = srv.wfctl("purge", x, y)
    assert r.code == 2 and "--yes" in r.err, r
    assert srv.http.get(f"{BETA}/{x}").status_code == 200
    # Unfinished: conflict (4); unknown: not found (3).
    r = srv.wfctl("purge", ps)
    assert r.code == 4 and ps in r.err, r
    r = srv.wfctl("purge", f"nope-{x}")
    assert r.code == 3 and f"nope-{x}" in r.err, r
    # Terminate and purge are recursive over child workflows.
    srv.wfctl("wait", f"{ps}:0001", "--for", "start", "--timeout", "20s")
    assert srv.wfctl("terminate", ps).code == 0
    r = srv.wfctl("wait", ps, f"{ps}:0001", "--timeout", "20s")
    assert (r.code, r.out) == (11, f"{ps} TERMINATED\n{ps}:0001 TERMINATED\n"), r
    r = srv.wfctl("purge", p, ps, x, y, "--yes")
    assert r.code == 0, r
    for gone in (p, child, ps, f"{ps}:0001", x, y):
        assert srv.http.get(f"{BETA}/{quote(gone, safe='')}").status_code == 404, gone


def test_unknown_instance_and_unreachable_server(open_server: Serve) -> None:
    srv = open_server
    nope = uid("nope")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"  # closed on leaving: nothing listens
    runs = run_many(
        [
            *[
                (srv.cli_args(cmd), None)
                for cmd in (
                    ["status", nope],
                    ["pause", nope],
                    ["resume", nope],
                    ["terminate", nope],
                    ["raise-event", nope, "go", "--data", "1"],
                    ["history", nope],
                )
            ],
            (["--url", dead, "status", "x"], None),
            (["start", "hello_world_wf", "--url", dead, "--id", nope], None),
            (["list"], {"DAPR_HTTP_ENDPOINT": dead}),
            (["--url", "http://[::1", "status", "x"], None),
            (["status", "x"], {"DAPR_HTTP_PORT": "abc"}),
            (["--url", srv.url, "--request-timeout", "0s", "status", "x"], None),
        ],
        srv.home,
    )
    for r in runs[9:]:  # a bad URL or timeout is a usage error, not an internal one (1)
        assert r.code == 2 and r.out == "" and len(r.err.strip().splitlines()) == 1, r
    runs = runs[:9]
    for r in runs[:6]:
        assert r.code == 3 and r.out == "" and f"'{nope}'" in r.err, r
    for r in runs[6:]:
        assert r.code == 5 and dead in r.err and "wfctl serve" in r.err, r
        assert len(r.err.strip().splitlines()) == 1, r


def test_odd_instance_ids_are_encoded(open_server: Serve) -> None:
    """Any non-empty ID without '/' reaches the server as itself (dot segments included)."""
    srv = open_server
    uni = "ünïcode-" + uid("u")
    r = srv.wfctl("start", "hello_world_wf", "--id", uni, "--wait", "-q")
    assert (r.code, r.out) == (0, f"{uni}\n"), r
    odd = ["..", ".", "a+b", "a b", "x%2Fy", "a.b", "p:0001"]
    runs = run_many(
        [
            (srv.cli_args(["status", uni, "-o", "json"]), None),
            *[(srv.cli_args([cmd, i]), None) for i in odd for cmd in ("status", "terminate")],
            (srv.cli_args(["history", ".."]), None),
            (srv.cli_args(["purge", "."]), None),
        ],
        srv.home,
    )
    assert runs[0].code == 0, runs[0]
    assert runs[0].json() == srv.http.get(f"{BETA}/{quote(uni, safe='')}").json()
    assert runs[0].json()["runtimeStatus"] == "COMPLETED"
    for r in runs[1:]:
        assert r.code == 3, r  # not 7 (a collapsed path hits another route), not 2
        assert f"'{r.args[-1]}'" in r.err, r
    huge = "x" * 70_000  # longer than any URL an HTTP client sends: a usage error, not a bug
    runs = run_many(
        [(srv.cli_args(cmd), None) for cmd in (["status", huge], ["raise-event", uni, huge])],
        srv.home,
    )
    for r in runs:
        assert r.code == 2 and "URL too long" in r.err and len(r.err.splitlines()) == 1, r


def test_a_timer_due_while_paused_waits_for_resume(open_server: Serve) -> None:
    srv = open_server
    t = uid("ptimer")
    # An hour-long timer, brought due in the file once the instance is paused (the clock of
    # the serve process cannot be injected): no race between the pause and the timer.
    assert srv.wfctl("start", "sleepy_wf", "--id", t, "--input", "3600").code == 0
    r = srv.wfctl("wait", t, "--for", "start", "--timeout", "20s")
    assert r.code == 0, r
    r = srv.wfctl("pause", t)
    assert r.code == 0, r
    body = srv.http.get(f"{BETA}/{t}").json()
    assert body["runtimeStatus"] == "SUSPENDED", body
    assert make_timers_due(srv.db) == 1
    # The worker must not deliver it. Proof without a clock: it runs a whole other instance,
    # started after the timer fell due, to its end (each of those rounds would have taken a
    # deliverable timer of t too).
    r = srv.wfctl("start", "hello_world_wf", "--id", f"{t}-after", "--wait", "--timeout", "60s")
    assert r.code == 0, r
    r = srv.wfctl("status", t, "-q")
    assert srv.wfctl("resume", t).code == 0
    assert (r.code, r.out) == (0, "SUSPENDED\n"), r
    r = srv.wfctl("wait", t, "--timeout", "20s")
    assert (r.code, r.out) == (0, f"{t} COMPLETED\n"), r


def test_list_history_and_bulk_purge(open_server: Serve, tmp_path) -> None:
    """Over the /wfctl/v1 routes, with either API version; purges in bulk (keep it last)."""
    srv = open_server
    ok, bad, ev = uid("lok"), uid("lbad"), uid("lev")
    data = tmp_path / "ev.json"
    data.write_text('{"approved": false}')
    assert srv.wfctl("start", "hello_world_wf", "--id", ok, "--wait").code == 0
    assert srv.wfctl("start", "failing_wf", "--id", bad, "--wait").code == 10
    r = srv.wfctl("start", "OrderProcessingWorkflow", "--id", ev, "--input", '{"TotalCost": 2000}')
    assert r.code == 0, r
    seen = len(srv.requests_for(ev))
    watch = subprocess.Popen(
        [WFCTL, *srv.cli_args(["status", ev, "--watch", "--interval", "200ms"])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(srv.home),
    )
    deadline = time.monotonic() + 10
    while len(srv.requests_for(ev)) == seen and time.monotonic() < deadline:
        time.sleep(0.02)  # the watch has read the instance (RUNNING) once
    r = srv.wfctl("raise-event", ev, "approval", "--data-file", str(data))
    assert r.code == 0, r
    r = srv.wfctl("wait", ev, "--timeout", "20s", "-o", "json")
    assert r.code == 0, r
    out, err = watch.communicate(timeout=20)  # --watch ends when the instance finishes
    assert (watch.returncode, err) == (0, ""), (out, err)
    shown = blocks(out)
    assert [b["Status"] for b in shown] == ["RUNNING", "COMPLETED"], out
    assert shown[0]["Custom status"] == "Waiting for approval"
    assert shown[1]["Custom status"] == "Rejected"
    assert json.loads(r.json()["properties"]["dapr.workflow.output"])["status"] == "rejected"

    for api in ("v1.0-beta1", "v1.0"):
        v = ["--api-version", api]
        runs = run_many(
            [
                (srv.cli_args([*v, "list", "-o", "json"]), None),
                (srv.cli_args([*v, "list", "--status", "FAILED", "-o", "ids"]), None),
                (srv.cli_args(["list", *v, "--name", "OrderProcessingWorkflow", "--limit", "1"]),
                 None),
                (srv.cli_args([*v, "history", ev, "-o", "yaml"]), None),
                (srv.cli_args([*v, "history", ev]), None),
                (srv.cli_args([*v, "list", "-o", "wide", "--status", "FAILED"]), None),
            ],
            srv.home,
        )  # fmt: skip
        for r in runs:
            assert r.code == 0, r
        listed, failed, named, hist_yaml, hist_table, wide = runs
        head, *rows = wide.out.splitlines()
        assert head.split() == [
            "NAME", "ID", "STATUS", "CUSTOM", "STATUS", "AGE", "CREATED", "UPDATED", "FAILURE"
        ]  # fmt: skip
        assert any(bad in row and row.rstrip().endswith("kaboom None") for row in rows), rows
        ids = [i["instanceID"] for i in listed.json()]
        assert ids.index(ev) < ids.index(bad) < ids.index(ok)  # newest first
        row, got = listed.json()[ids.index(ok)], srv.http.get(f"{BETA}/{ok}").json()
        assert {k: v for k, v in row.items() if k != "properties"} == {
            k: v for k, v in got.items() if k != "properties"
        }
        assert bad in failed.out.split() and ok not in failed.out.split()
        assert named.out.splitlines()[0].split()[:3] == ["NAME", "ID", "STATUS"]
        assert named.out.splitlines()[1].split()[:3] == ["OrderProcessingWorkflow", ev, "COMPLETED"]
        assert len(named.out.splitlines()) == 2
        events = yaml.safe_load(hist_yaml.out)
        types = [e["type"] for e in events]
        assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionCompleted"
        raised = [e for e in events if e["type"] == "EventRaised"]
        assert [e["name"] for e in raised] == ["approval"]
        assert "approval" in hist_table.out and "EventRaised" in hist_table.out

    r = srv.wfctl("purge", "--older-than", "0s", "--status", "FAILED", "--dry-run", "-o", "json")
    assert r.code == 0, r
    assert r.json()["dryRun"] is True and bad in r.json()["instanceIDs"]
    assert ok not in r.json()["instanceIDs"]
    assert srv.http.get(f"{BETA}/{bad}").status_code == 200
    r = srv.wfctl("purge", "--older-than", "0s", "--status", "FAILED")
    assert r.code == 2 and "--yes" in r.err, r
    r = srv.wfctl("--api-version", "v1.0", "purge", "--older-than", "0s", "--status", "FAILED",
                  "--yes")  # fmt: skip
    assert r.code == 0 and f"{bad}: purged" in r.out.splitlines(), r
    assert srv.http.get(f"{BETA}/{bad}").status_code == 404
    assert srv.http.get(f"{BETA}/{ok}").status_code == 200
    r = srv.wfctl("list", "--status", "FAILED", "-o", "ids")
    assert (r.code, r.out) == (0, ""), r
    assert run(["--url", srv.url, "list", "-o", "ids"], srv.home).out.split()[:1] == [ev]
