"""The API token over HTTP against a real ``wfctl serve`` that wants one: flag, file and
``DAPR_API_TOKEN`` all work; a wrong or missing token exits 6; the token is never shown."""

from __future__ import annotations

import httpx

from tests.e2e.support import TOKEN, Serve, run_many, uid

BETA = "/v1.0-beta1/workflows/dapr"


def test_token_from_flag_file_and_environment(token_server: Serve, tmp_path) -> None:
    srv = token_server
    iid = uid("tok")
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")  # a trailing newline, as `echo` writes it
    r = srv.wfctl("start", "hello_world_wf", "--id", iid, "--wait", "-q", "--verbose")
    assert (r.code, r.out) == (0, f"{iid}\n"), r
    assert "POST" in r.err and TOKEN not in r.err  # --verbose logs requests, never the token
    env = {"DAPR_API_TOKEN": TOKEN}
    base = ["--url", srv.url]
    runs = run_many(
        [
            ([*base, "--api-token-file", str(token_file), "status", iid, "-o", "json"], None),
            ([*base, "status", iid, "-o", "json", "--api-version", "v1.0"], env),
            (["status", iid, "--url", srv.url, "--api-token", TOKEN, "-o", "json"], None),
            ([*base, "list", "-o", "ids"], env),
            ([*base, "history", iid, "-o", "json", "--api-token-file", str(token_file)], None),
            ([*base, "config", "show"], env),
            ([*base, "--api-token", TOKEN, "config", "show"], None),
        ],
        srv.home,
    )
    for r in runs:
        assert r.code == 0, r
    raw = srv.http.get(f"{BETA}/{iid}").json()
    assert raw["runtimeStatus"] == "COMPLETED"
    assert runs[0].json() == runs[1].json() == runs[2].json() == raw
    assert iid in runs[3].out.split()
    assert runs[4].json()[0]["type"] == "ExecutionStarted"
    for shown in runs[5:]:
        assert "****" in shown.out and TOKEN not in shown.out + shown.err, shown


def test_wrong_or_missing_token_exits_6_and_never_shows_it(token_server: Serve, tmp_path) -> None:
    srv = token_server
    iid = uid("tok")
    assert srv.wfctl("start", "sleepy_wf", "--id", iid).code == 0
    wrong = "Wr0ng-" + TOKEN[::-1]
    wrong_file = tmp_path / "wrong"
    wrong_file.write_text(wrong)
    commands = [
        ["status", iid],
        ["start", "hello_world_wf", "--id", uid("x")],
        ["wait", iid, "--timeout", "5s"],
        ["pause", iid],
        ["raise-event", iid, "go", "--data", '{"t": 1}'],
        ["terminate", iid],
        ["purge", iid],
        ["list"],
        ["history", iid],
        ["purge", "--older-than", "1d", "--yes"],
    ]
    jobs: list = []
    for cmd in commands:
        jobs.append((["--url", srv.url, "--verbose", "--api-token", wrong, *cmd], None))
    jobs += [
        (["--url", srv.url, "status", iid, "-o", "json"], {"DAPR_API_TOKEN": wrong}),
        (["--url", srv.url, "--api-token-file", str(wrong_file), "status", iid], None),
        (["--url", srv.url, "--api-version", "v1.0", "status", iid], None),  # no token
    ]
    results = run_many(jobs, srv.home)
    for r in results:
        assert r.code == 6, r
        assert r.out == "" and "401" in r.err, r
        assert wrong not in r.err and TOKEN not in r.err, r
        assert "Traceback" not in r.err
    assert "token was refused" in results[0].err
    assert "wants an API token" in results[-1].err
    # Nothing happened to the instance; the server's log never shows a token either.
    body = srv.http.get(f"{BETA}/{iid}").json()
    assert body["runtimeStatus"] == "RUNNING"
    log = "".join(srv.log)
    assert wrong not in log and TOKEN not in log
    assert srv.http.post(f"{BETA}/{iid}/terminate").status_code == 202


def test_healthz_needs_no_token(token_server: Serve) -> None:
    assert httpx.get(f"{token_server.url}/v1.0/healthz").status_code == 204
    r = httpx.get(f"{token_server.url}{BETA}/anything")
    assert (r.status_code, r.text) == (401, "invalid api token\n")
