"""Hostile data at a real `wfctl serve`: event names the CLI refuses, JSON nested ~1,000 deep,
overflowing query numbers; and readers that survive a deep value stored before serve refused
them (written straight into the SQLite file)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.server.proc import BETA, ServerProc

REPO = Path(__file__).resolve().parents[2]
DEEP = "[" * 1000 + "]" * 1000
DEEP_OBJ = '{"a":' * 1000 + "1" + "}" * 1000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    srv = ServerProc(tmp_path_factory.mktemp("hostile") / "wf.db")
    yield srv
    assert srv.stop() == 0


def _malformed(r) -> dict:
    assert r.status_code == 400, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"errorCode", "message"} and body["errorCode"] == "ERR_MALFORMED_REQUEST"
    return body


@pytest.mark.parametrize("name", ["ev\x1b]0;owned\x07", "a\x1b[2Jb", "nul\x00", "tab\tname"])
def test_serve_refuses_event_names_the_cli_refuses(server, name) -> None:
    r = server.client.post(f"{BETA}/anything/raiseEvent/{quote(name, safe='')}", content=b"")
    body = _malformed(r)
    assert "event name" in body["message"] and "\x1b" not in body["message"]


def test_an_ordinary_event_name_still_reaches_the_engine(server) -> None:
    r = server.client.post(f"{BETA}/nobody/raiseEvent/approval", content=b"")
    assert r.status_code == 500 and r.json()["errorCode"] == "ERR_RAISE_EVENT_WORKFLOW"


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJ])
def test_deep_json_is_refused_at_every_entry(server, body) -> None:
    _malformed(server.client.post(f"{BETA}/hello_world_wf/start?instanceID=deep", content=body))
    assert server.client.get(f"{BETA}/deep").status_code == 404  # nothing was stored
    _malformed(server.client.post(f"{BETA}/deep/raiseEvent/ev", content=body))
    _malformed(server.client.request("GET", f"{BETA}/deep", content=body))
    _malformed(server.client.post(f"{BETA}/deep/terminate", content=body))


def test_json_64_deep_is_still_accepted(server) -> None:
    body = "[" * 64 + "]" * 64
    r = server.client.post(f"{BETA}/hello_world_wf/start?instanceID=deep64", content=body)
    assert r.status_code == 202, r.text


@pytest.mark.parametrize(
    "query",
    [
        f"limit={2**63}",
        f"limit={2**64 + 5}",
        "limit=" + "9" * 40,
        f"maxAge={10**30}",
    ],
)
def test_overflowing_numbers_are_a_400(server, query) -> None:
    for route in ("instances", "page"):
        body = _malformed(server.client.get(f"/wfctl/v1/{route}?{query}"))
        assert "too large" in body["message"]


@pytest.mark.parametrize("cursor", [f"1.5:{2**63}", "1e999:1", f"1.5:-{2**64}"])
def test_an_overflowing_page_cursor_is_a_400(server, cursor) -> None:
    body = _malformed(server.client.get(f"/wfctl/v1/page?cursor={cursor}"))
    assert "is not a cursor" in body["message"]


def test_the_largest_limit_still_works(server) -> None:
    r = server.client.get(f"/wfctl/v1/instances?limit={2**63 - 1}")
    assert r.status_code == 200, r.text


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WFCTL_", "DAPR_"))}
    env.update(NO_COLOR="1", COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "wfctl", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=REPO,
    )


def test_a_deep_value_already_stored_breaks_no_reader(tmp_path) -> None:
    db = tmp_path / "wf.db"
    done = _cli("--embedded", "--db", str(db), "start", "hello_world_wf", "--id", "old", "--wait")
    assert done.returncode == 0, done.stderr
    c = sqlite3.connect(db)
    c.execute("UPDATE instances SET input=?, output=?, custom_status=? WHERE id='old'", (DEEP,) * 3)
    c.commit()
    c.close()
    for args in (["status", "old"], ["list"], ["history", "old"], ["status", "old", "-o", "json"]):
        done = _cli("--embedded", "--db", str(db), *args)
        assert done.returncode == 0 and "Traceback" not in done.stderr, (args, done.stderr)
    srv = ServerProc(db)
    try:
        r = srv.client.get(f"{BETA}/old")
        assert r.status_code == 200 and r.json()["properties"]["dapr.workflow.input"] == DEEP
        for args in (["status", "old"], ["list"]):
            done = _cli("--url", srv.url, *args)
            assert done.returncode == 0 and "Traceback" not in done.stderr, (args, done.stderr)
    finally:
        assert srv.stop() == 0
