"""Browser tests of the web view: headless Debian chromium + chromium-driver driven by
selenium, against a real `python -m wfctl.server` on a temp file seeded with instances of
tests/webui/ui_app.py. One browser and one server per module.

The tests skip (with the reason) only where chromium, chromedriver or selenium cannot be
found; .ci/run installs them.

Helpers: tests/webui/support.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tests.server.proc import BETA, ServerProc
from tests.webui.support import APP, Seeded, make_driver, wait_until


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    from tests.webui.ui_app import XSS

    db = tmp_path_factory.mktemp("webui") / "ui.db"
    srv = ServerProc(db, extra=["--app", APP])
    s = Seeded(srv)
    try:
        s.start("approval_wf", '"a"', "approve-me")
        s.start("approval_wf", '"b"', "terminate-me")
        s.start("failing_wf", "1", "fails-1")
        s.start("retry_wf", '"r1"', "retries-1")
        s.start("parent_wf", "5", "parent-1")
        s.start(XSS, '"x"', "xss-1")
        for i in range(6):
            s.start("child_wf", str(i), f"bulk-{i:02d}")
        srv.wait_status("fails-1", {"FAILED"})
        srv.wait_status("retries-1", {"COMPLETED"})
        srv.wait_status("parent-1", {"COMPLETED"})
        srv.wait_status("bulk-05", {"COMPLETED"})
        wait_until(
            lambda: (
                "approve"
                in srv.client.get("/wfctl/v1/instances/approve-me/waiting").json()["events"]
            ),
            what="approve-me to wait for its event",
        )
        r = srv.client.post(f"{BETA}/xss-1/raiseEvent/{quote(XSS, safe='')}", content='"x"')
        assert r.status_code == 202, r.text
        srv.wait_status("xss-1", {"COMPLETED"})
        yield s
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser(seeded: Seeded) -> Iterator[Any]:
    drv = make_driver()
    try:
        yield drv
    finally:
        drv.quit()
