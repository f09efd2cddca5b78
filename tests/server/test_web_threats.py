"""serve against a hostile web page, over a real `python -m wfctl.server` on 127.0.0.1: the
requests a browser sends for another site's page (a cross-site Origin, ``Origin: null``,
``Sec-Fetch-Site: cross-site``, a sibling port) change nothing, on every state-changing route;
the web view's own origin and clients without an Origin (curl, the SDKs) still work; a foreign
Host (DNS rebinding) is refused unless --allowed-host names it. And the HTTP corners: an
oversized body is answered 400 to every client on fresh connections (no reset), HEAD on the
JSON routes, ``maxAge=nan``, a duplicated token header."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.server.proc import BETA, ServerProc

APP = str(Path(__file__).resolve().parents[1] / "webui" / "ui_app.py")
EVIL = "http://evil.example"
TEXT = {"content-type": "text/plain"}
TOKEN = "guard-Token-7"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProc]:
    s = ServerProc(tmp_path_factory.mktemp("threats") / "wf.db", extra=["--app", APP])
    yield s
    assert s.stop() == 0
    assert not any("Traceback" in line for line in s.stderr), "".join(s.stderr)


def _port(srv: ServerProc) -> int:
    port = urlsplit(srv.url).port
    assert port is not None
    return port


def _start(srv: ServerProc, iid: str, wf: str = "approval_wf") -> None:
    r = srv.client.post(f"{BETA}/{wf}/start?instanceID={iid}", content='"x"')
    assert r.status_code == 202, r.text


def _waiting(srv: ServerProc, iid: str) -> None:
    """Wait (generous deadline) until ``iid`` waits for its ``approve`` event."""
    deadline = time.monotonic() + 60
    while "approve" not in srv.client.get(f"/wfctl/v1/instances/{iid}/waiting").json()["events"]:
        assert time.monotonic() < deadline, f"{iid} never waited for its event"
        time.sleep(0.05)


def _state_changing(iid: str, done: str) -> dict[str, str]:
    """Every state-changing route, aimed at ``iid`` (waiting) or ``done`` (finished)."""
    return {
        "start": f"{BETA}/approval_wf/start?instanceID=evil-started",
        "raise": f"{BETA}/{iid}/raiseEvent/approve",
        "pause": f"{BETA}/{iid}/pause",
        "terminate": f"{BETA}/{iid}/terminate",
        "purge": f"{BETA}/{done}/purge",
        "bulk purge": "/wfctl/v1/purge?olderThan=0",
        "rerun": f"/wfctl/v1/instances/{done}/rerun",
        "v1.0 terminate": f"/v1.0/workflows/dapr/{iid}/terminate",
    }


@pytest.fixture(scope="module")
def targets(srv: ServerProc) -> tuple[str, str]:
    _start(srv, "victim")
    _waiting(srv, "victim")
    _start(srv, "finished")
    _waiting(srv, "finished")
    assert srv.client.post(f"{BETA}/finished/terminate").status_code == 202
    srv.wait_status("finished", {"TERMINATED"})
    return "victim", "finished"


def _unchanged(srv: ServerProc) -> None:
    assert srv.client.get(f"{BETA}/evil-started").status_code == 404
    assert srv.wait_status("victim", {"RUNNING"})["runtimeStatus"] == "RUNNING"
    assert srv.client.get(f"{BETA}/finished").json()["runtimeStatus"] == "TERMINATED"
    waiting = srv.client.get("/wfctl/v1/instances/victim/waiting").json()
    assert "approve" in waiting["events"]  # the event was not delivered
    ids = {i["instanceID"] for i in srv.client.get("/wfctl/v1/instances").json()["instances"]}
    assert ids <= {"victim", "finished", "same-origin", "no-origin", "form-type"}, ids


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": EVIL, **TEXT},
        {"origin": EVIL, "content-type": "application/x-www-form-urlencoded"},
        {"origin": "null", **TEXT},
        {"sec-fetch-site": "cross-site", **TEXT},
        {"origin": "http://127.0.0.1:1", "sec-fetch-site": "same-site", **TEXT},
        {"origin": "https://localhost.evil.example", **TEXT},
    ],
    ids=["evil", "evil-form", "null", "fetch-site", "sibling-port", "lookalike"],
)
def test_a_cross_site_request_changes_nothing(
    srv: ServerProc, targets: tuple[str, str], headers: dict[str, str]
) -> None:
    for what, path in _state_changing(*targets).items():
        r = srv.client.post(path, content=b'{"eventID": 1}', headers=headers)
        assert r.status_code == 403, (what, r.status_code, r.text)
        body = r.json()
        assert body["errorCode"] == "ERR_CROSS_ORIGIN", (what, body)
        assert body["message"].startswith("cross-origin request refused"), body
    _unchanged(srv)
    # Reads from anywhere stay as they were (a browser does not let the page see them).
    r = srv.client.get(f"{BETA}/victim", headers={"origin": EVIL})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


def test_the_same_origin_and_clients_without_origin_are_served(
    srv: ServerProc, targets: tuple[str, str]
) -> None:
    own = {"origin": srv.url, "sec-fetch-site": "same-origin", **TEXT}
    r = srv.client.post(f"{BETA}/approval_wf/start?instanceID=same-origin", headers=own)
    assert r.status_code == 202, r.text
    # localhost names the same server, and its page's Origin says localhost.
    alias = {"host": f"localhost:{_port(srv)}", "origin": f"http://localhost:{_port(srv)}"}
    r = srv.client.post(f"{BETA}/same-origin/pause", headers=alias)
    assert r.status_code == 202, r.text
    # curl -d: a form type and no Origin, exactly as against daprd.
    form = {"content-type": "application/x-www-form-urlencoded"}
    r = srv.client.post(f"{BETA}/approval_wf/start?instanceID=form-type", headers=form)
    assert r.status_code == 202, r.text
    r = srv.client.post(f"{BETA}/approval_wf/start?instanceID=no-origin", content='"x"')
    assert r.status_code == 202, r.text
    _waiting(srv, "no-origin")
    r = srv.client.post(f"{BETA}/no-origin/raiseEvent/approve", content='"ok"', headers=TEXT)
    assert r.status_code == 202, r.text
    assert srv.wait_status("no-origin", {"COMPLETED"})["properties"]


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.example:{port}", "[::2]"]
)
def test_a_foreign_host_is_refused(srv: ServerProc, host: str) -> None:
    host = host.format(port=_port(srv))
    for method, path in (("GET", "/v1.0/healthz"), ("GET", "/"), ("GET", f"{BETA}/victim")):
        r = srv.client.request(method, path, headers={"host": host})
        assert r.status_code == 403, (path, r.status_code, r.text)
        body = r.json()
        assert body["errorCode"] == "ERR_HOST_NOT_ALLOWED"
        assert "--allowed-host" in body["message"] and "DNS rebinding" in body["message"]
    r = srv.client.post(f"{BETA}/approval_wf/start?instanceID=rebound", headers={"host": host})
    assert r.status_code == 403
    assert srv.client.get(f"{BETA}/rebound").status_code == 404


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:{port}", "[::1]:{port}", "LOCALHOST."])
def test_the_loopback_names_are_answered(srv: ServerProc, host: str) -> None:
    r = srv.client.get("/v1.0/healthz", headers={"host": host.format(port=_port(srv))})
    assert r.status_code == 204, r.text


def test_allowed_host_adds_a_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WFCTL_ALLOWED_HOSTS", "env.example.test")  # the option replaces it
    s = ServerProc(tmp_path / "wf.db", extra=["--allowed-host", "wf.example.test", "--app", APP])
    try:
        for host in ("wf.example.test", "wf.example.test:8443"):
            assert s.client.get("/v1.0/healthz", headers={"host": host}).status_code == 204
        for host in ("env.example.test", "evil.example", "x.wf.example.test"):
            r = s.client.get("/v1.0/healthz", headers={"host": host})
            assert r.status_code == 403, host
        # A proxy's page: its Origin is the allowed name (https, default port), Host passed on.
        proxy = {"host": "wf.example.test", "origin": "https://wf.example.test", **TEXT}
        r = s.client.post(f"{BETA}/approval_wf/start?instanceID=via-proxy", headers=proxy)
        assert r.status_code == 202, r.text
        # ... or rewritten by the proxy to serve's own address.
        rewritten = {"origin": "https://wf.example.test", **TEXT}
        r = s.client.post(f"{BETA}/via-proxy/pause", headers=rewritten)
        assert r.status_code == 202, r.text
        other_port = {"origin": "https://wf.example.test:9999", **TEXT}
        r = s.client.post(f"{BETA}/via-proxy/resume", headers=other_port)
        assert r.status_code == 403 and r.json()["errorCode"] == "ERR_CROSS_ORIGIN"
    finally:
        assert s.stop() == 0


def test_allowed_host_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WFCTL_ALLOWED_HOSTS", "env.example.test other.example.test:81")
    s = ServerProc(tmp_path / "wf.db")
    try:
        for host, want in (
            ("env.example.test:3500", 204),
            ("other.example.test:81", 204),
            ("other.example.test:82", 403),
            ("evil.example", 403),
        ):
            r = s.client.get("/v1.0/healthz", headers={"host": host})
            assert r.status_code == want, (host, r.text)
    finally:
        assert s.stop() == 0


def test_a_bad_allowed_host_is_a_usage_error(tmp_path: Path) -> None:
    argv = ["--port", "0", "--db", str(tmp_path / "wf.db"), "--allowed-host", "http://x/"]
    r = subprocess.run(
        [sys.executable, "-m", "wfctl.server", *argv], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 2, r.stderr
    assert "--allowed-host 'http://x/' is not a host name" in r.stderr
    assert "Traceback" not in r.stderr


# ------------------------------------------------------------------------- oversized body

BIG = b"x" * (5 * 1024 * 1024)  # over the 4 MiB limit
ROUNDS = 20


def _raw_post(srv: ServerProc, body: bytes, *, chunked: bool = False) -> bytes:
    """POST ``body`` with ``Connection: close`` on a fresh socket; the whole answer. Fails
    on a reset or a broken pipe: the server must read what the client sends."""
    path = f"{BETA}/approval_wf/start?instanceID=too-big".encode()
    head = b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if chunked:
        step = 65536
        payload = b"".join(
            b"%x\r\n%s\r\n" % (len(body[i : i + step]), body[i : i + step])
            for i in range(0, len(body), step)
        )
        data = head + b"Transfer-Encoding: chunked\r\n\r\n" + payload + b"0\r\n\r\n"
    else:
        data = head + b"Content-Length: %d\r\n\r\n" % len(body) + body
    with socket.create_connection(("127.0.0.1", _port(srv)), timeout=60) as s:
        s.sendall(data)
        got = b""
        while chunk := s.recv(65536):
            got += chunk
    return got


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_oversized_body_is_answered_on_raw_sockets(srv: ServerProc, chunked: bool) -> None:
    for _ in range(ROUNDS):
        answer = _raw_post(srv, BIG, chunked=chunked)
        assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
        assert b"ERR_BODY_READ" in answer and b"4 MiB" in answer
    assert srv.client.get(f"{BETA}/too-big").status_code == 404


def _head_of_big_post(extra: bytes = b"") -> bytes:
    return (
        f"POST {BETA}/approval_wf/start?instanceID=too-big HTTP/1.1\r\n".encode()
        + b"Host: 127.0.0.1\r\nContent-Length: %d\r\n" % len(BIG)
        + extra
        + b"\r\n"
    )


def _first_answer(s: socket.socket) -> bytes:
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = s.recv(65536)
        assert chunk, got
        got += chunk
    return got


def test_expect_100_continue_is_answered_without_the_body(srv: ServerProc) -> None:
    with socket.create_connection(("127.0.0.1", _port(srv)), timeout=60) as s:
        s.sendall(_head_of_big_post(b"Expect: 100-continue\r\n"))
        # The refusal comes first: no "100 Continue" asks for 5 MiB that would be dropped.
        assert _first_answer(s).startswith(b"HTTP/1.1 400 ")


def test_a_stalled_oversized_body_still_gets_its_answer(srv: ServerProc) -> None:
    with socket.create_connection(("127.0.0.1", _port(srv)), timeout=60) as s:
        s.sendall(_head_of_big_post() + BIG[:1000])  # then nothing more
        assert _first_answer(s).startswith(b"HTTP/1.1 400 ")


def test_an_oversized_body_is_answered_to_real_clients(srv: ServerProc) -> None:
    url = f"{srv.url}{BETA}/approval_wf/start?instanceID=too-big"
    for _ in range(ROUNDS):
        for headers in ({}, {"connection": "close"}):
            with httpx.Client(timeout=60) as c:  # a fresh connection each time
                r = c.post(url, content=BIG, headers=headers)
            assert r.status_code == 400 and r.json()["errorCode"] == "ERR_BODY_READ"
        # urllib sends Connection: close and gives up on a write error.
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(urllib.request.Request(url, data=BIG), timeout=60)
        assert err.value.code == 400
        assert b"ERR_BODY_READ" in err.value.read()
        err.value.close()


# ------------------------------------------------------------------------- HTTP corners


def test_head_on_the_json_routes_answers_as_get(srv: ServerProc, targets: tuple[str, str]) -> None:
    for path in (
        f"{BETA}/victim",
        "/wfctl/v1/instances",
        "/wfctl/v1/instances/victim/history",
        "/wfctl/v1/counts",
        "/wfctl/v1/workflows",
    ):
        got = srv.client.get(path)
        head = srv.client.head(path)
        assert head.status_code == 200 == got.status_code, (path, head.text)
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
    head = srv.client.head(f"{BETA}/no-such-instance")
    assert head.status_code == 404 and head.content == b""
    r = srv.client.delete(f"{BETA}/victim")
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e999"])
def test_a_number_that_is_not_finite_is_named(srv: ServerProc, value: str) -> None:
    for path in (f"/wfctl/v1/instances?maxAge={value}", f"/wfctl/v1/page?maxAge={value}"):
        r = srv.client.get(path)
        assert r.status_code == 400, r.text
        assert f"maxAge={value!r} is not a number" in r.json()["message"]
    r = srv.client.post(f"/wfctl/v1/purge?olderThan={value}&dryRun=true")
    assert r.status_code == 400 and "is not a number" in r.json()["message"]


def test_a_duplicated_token_header_is_refused(tmp_path: Path) -> None:
    s = ServerProc(tmp_path / "wf.db", token=TOKEN)
    try:
        with httpx.Client(base_url=s.url, timeout=30) as c:
            for pair in ((TOKEN, TOKEN), (TOKEN, "wrong"), ("wrong", TOKEN)):
                headers = [("dapr-api-token", pair[0]), ("dapr-api-token", pair[1])]
                r = c.get(f"{BETA}/x", headers=headers)
                assert r.status_code == 401, pair
                assert "more than once" in r.text
            r = c.get(f"{BETA}/x", headers={"dapr-api-token": TOKEN})
            assert r.status_code == 404  # one token: checked, then the route answers
    finally:
        assert s.stop() == 0
