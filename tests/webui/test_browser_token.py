"""The web view against a server with an API token: the page asks once, keeps the token in
the tab (sessionStorage), sends it only as the header, never in a URL or the access log."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.proc import BETA, ServerProc
from tests.webui.support import APP, console_errors, make_driver, wait_until

with contextlib.suppress(ImportError):  # without selenium, make_driver skips with the reason
    from selenium.webdriver.common.by import By

TOKEN = "tok-9f2c-webui"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProc, Any]]:
    drv = make_driver()
    srv = ServerProc(Path(tmp_path_factory.mktemp("webui-token")) / "t.db", TOKEN, ["--app", APP])
    try:
        r = srv.client.post(f"{BETA}/child_wf/start?instanceID=guarded-1", content="1")
        assert r.status_code == 202, r.text
        srv.wait_status("guarded-1", {"COMPLETED"})
        yield srv, drv
    finally:
        drv.quit()
        srv.stop()


def _dialog_open(drv: Any) -> bool:
    return drv.find_element(By.ID, "token-dialog").get_attribute("open") is not None


def test_asks_for_the_token_once_and_sends_it_as_a_header(guarded: tuple[ServerProc, Any]) -> None:
    srv, drv = guarded
    drv.get(srv.url + "/")
    wait_until(lambda: _dialog_open(drv), what="the token dialog")
    box = drv.find_element(By.ID, "token-input")
    box.send_keys("wrong")
    drv.find_element(By.CSS_SELECTOR, "#token-form button[type=submit]").click()
    wait_until(
        lambda: drv.find_element(By.ID, "token-error").text == "That token was refused.",
        what="the refusal",
    )
    box.send_keys(TOKEN)
    drv.find_element(By.CSS_SELECTOR, "#token-form button[type=submit]").click()
    wait_until(
        lambda: drv.find_elements(By.CSS_SELECTOR, 'tr[data-id="guarded-1"]'), what="the rows"
    )
    assert not _dialog_open(drv)
    assert drv.execute_script("return sessionStorage.getItem('wfctl.apiToken')") == TOKEN
    # Another page of the same tab does not ask again.
    drv.find_element(By.CSS_SELECTOR, 'tr[data-id="guarded-1"] a').click()
    wait_until(lambda: drv.find_elements(By.CSS_SELECTOR, "svg.gantt"), what="the instance page")
    assert not _dialog_open(drv)
    assert TOKEN not in drv.current_url
    assert drv.execute_script("return document.cookie") == ""
    log = "".join(srv.stderr)
    assert "GET /wfctl/v1/page" in log and "401" in log
    assert TOKEN not in log and "wrong" not in log
    console_errors(drv)  # the 401s before the token were expected
