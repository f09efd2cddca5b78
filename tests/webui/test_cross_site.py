"""A hostile page in a real browser: headless chromium loads a page from ANOTHER local port (a
tiny http.server of this test) whose script sends ``fetch`` POSTs (text/plain and form types,
``no-cors``) and HTML form POSTs at each state-changing route of a real `wfctl serve`. serve
must log every one of them as refused (403) and nothing may change; then serve's own web view
(same origin) still pauses, resumes and terminates. Skips like the other browser tests when
chromium or chromedriver is missing (see conftest.py)."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By  # a test extra; chromium may be missing: skip

from tests.server.proc import BETA, ServerProc
from tests.webui.support import APP, make_driver, wait_until

ATTACK = """<!doctype html><meta charset="utf-8"><title>a page of another site</title>
<body><script>
const base = %(base)s;
const routes = %(routes)s;
window.__sent = 0;
for (const [i, path] of routes.entries()) {
  for (const body of ['{"eventID": 1}', new URLSearchParams({a: "1"})]) {
    const init = {method: "POST", mode: "no-cors", body};
    if (typeof body === "string") init.headers = {"Content-Type": "text/plain"};
    fetch(base + path, init).catch(() => {}).finally(() => { window.__sent += 1; });
  }
  const frame = document.createElement("iframe");
  frame.name = "sink" + i;
  document.body.append(frame);
  const form = document.createElement("form");
  form.method = "POST";
  form.enctype = "text/plain";
  form.action = base + path;
  form.target = frame.name;
  const field = document.createElement("input");
  field.name = '{"eventID": 1, "x": "';
  field.value = '"}';
  form.append(field);
  document.body.append(form);
  form.submit();
}
</script></body>
"""
PER_ROUTE = 3  # two fetches and one form


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
        pass


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProc]:
    srv = ServerProc(tmp_path_factory.mktemp("xsite") / "wf.db", extra=["--app", APP])
    try:
        for iid in ("victim", "done"):
            r = srv.client.post(f"{BETA}/approval_wf/start?instanceID={iid}", content='"x"')
            assert r.status_code == 202, r.text
        wait_until(
            lambda: (
                "approve" in srv.client.get("/wfctl/v1/instances/victim/waiting").json()["events"]
            ),
            what="victim to wait for its event",
        )
        assert srv.client.post(f"{BETA}/done/terminate").status_code == 202
        srv.wait_status("done", {"TERMINATED"})
        yield srv
    finally:
        assert srv.stop() == 0


@pytest.fixture(scope="module")
def attacker(
    tmp_path_factory: pytest.TempPathFactory, serve: ServerProc
) -> Iterator[tuple[int, int]]:
    """(the page's port, how many routes it attacks). The page is at http://127.0.0.1:PORT/
    (the same site as serve, another origin) and at http://localhost:PORT/ (another site)."""
    root = tmp_path_factory.mktemp("attacker")
    routes = [
        f"{BETA}/approval_wf/start?instanceID=evil-started",
        f"{BETA}/victim/raiseEvent/approve",
        f"{BETA}/victim/pause",
        f"{BETA}/victim/terminate",
        f"{BETA}/done/purge",
        "/wfctl/v1/purge?olderThan=0",
        "/wfctl/v1/instances/done/rerun",
    ]
    page = ATTACK % {"base": json.dumps(serve.url), "routes": json.dumps(routes)}
    (root / "index.html").write_text(page, encoding="utf-8")
    handler = functools.partial(_Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], len(routes)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


@pytest.fixture(scope="module")
def browser(serve: ServerProc) -> Iterator[Any]:
    drv = make_driver()
    try:
        yield drv
    finally:
        drv.quit()


def _posts(srv: ServerProc) -> list[str]:
    return [line for line in list(srv.stderr) if '"POST ' in line]


def test_a_page_on_another_port_changes_nothing(
    browser: Any, serve: ServerProc, attacker: tuple[int, int]
) -> None:
    port, count = attacker
    before = len(_posts(serve))
    for origin in (f"http://127.0.0.1:{port}/", f"http://localhost:{port}/"):
        sent = len(_posts(serve))
        browser.get(origin)
        want = sent + count * PER_ROUTE
        wait_until(
            lambda want=want: len(_posts(serve)) >= want, what=f"the page's POSTs from {origin}"
        )
        wait_until(
            lambda: browser.execute_script("return window.__sent") == count * 2,
            what="the page's fetches to settle",
        )
    posts = _posts(serve)[before:]
    assert len(posts) == 2 * count * PER_ROUTE, posts
    refused = [line for line in posts if '" 403 ' in line]
    assert refused == posts, [line for line in posts if line not in refused]
    # Through serve (no Origin): nothing was started, delivered, paused, ended or purged.
    client = serve.client
    assert client.get(f"{BETA}/evil-started").status_code == 404
    assert client.get(f"{BETA}/victim").json()["runtimeStatus"] == "RUNNING"
    assert "approve" in client.get("/wfctl/v1/instances/victim/waiting").json()["events"]
    assert client.get(f"{BETA}/done").json()["runtimeStatus"] == "TERMINATED"
    ids = {i["instanceID"] for i in client.get("/wfctl/v1/instances").json()["instances"]}
    assert ids == {"victim", "done"}


def test_the_web_view_itself_still_acts(
    browser: Any, serve: ServerProc, attacker: tuple[int, int]
) -> None:
    del attacker  # after the attack: the same server, unharmed, serves its own page
    browser.get(serve.url + "/instances/victim")
    wait_until(lambda: browser.execute_script("return document.body.dataset.loaded"), what="load")
    status = lambda: browser.find_element(By.CSS_SELECTOR, "h1 .badge").text  # noqa: E731

    def act(button: str, want: str) -> None:
        wait_until(lambda: browser.find_elements(By.ID, button), what=button)
        browser.find_element(By.ID, button).click()
        browser.find_element(By.ID, "confirm-ok").click()
        wait_until(lambda: status() == want, what=want)
        assert serve.client.get(f"{BETA}/victim").json()["runtimeStatus"] == want

    act("act-pause", "SUSPENDED")
    act("act-resume", "RUNNING")
    act("act-terminate", "TERMINATED")
    own = [line for line in _posts(serve) if "/victim/" in line and '" 202 ' in line]
    assert len(own) == 3, own
