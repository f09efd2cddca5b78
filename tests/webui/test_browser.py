"""The web view in headless chromium against a real `wfctl serve` (see conftest.py): the
instances page and its filters, an instance's page with its timeline, the actions, XSS
payloads rendered as text, and the screenshots in docs/img/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.server.proc import BETA
from tests.webui.support import Seeded, console_errors, screenshot, wait_until
from tests.webui.ui_app import XSS

try:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
except ImportError:  # the fixtures skip with the reason
    pass


def _rows(drv: Any) -> list[str]:
    return [
        tr.get_attribute("data-id")
        for tr in drv.find_elements(By.CSS_SELECTOR, "table.instances tbody tr")
    ]


def _open(drv: Any, url: str) -> None:
    drv.get(url)
    wait_until(lambda: drv.execute_script("return document.body.dataset.loaded"), what="load")


def _no_alert(drv: Any) -> None:
    try:
        alert = drv.switch_to.alert
    except NoAlertPresentException:
        pass
    else:
        text = alert.text
        alert.dismiss()
        raise AssertionError(f"an alert fired: {text!r}")
    assert drv.execute_script("return window.__xss") is None


def _errors(drv: Any) -> list[str]:
    # The rerun probe's 404 (no rerun route) is an expected failed load.
    return [m for m in console_errors(drv) if "/rerun " not in m]


def _status(drv: Any) -> str:
    return drv.find_element(By.CSS_SELECTOR, "h1 .badge").text


def _confirm(drv: Any) -> None:
    drv.find_element(By.ID, "confirm-ok").click()
    wait_until(lambda: not drv.find_element(By.ID, "confirm-dialog").get_attribute("open"))


def test_instances_page_counts_filters_and_back(browser: Any, seeded: Seeded) -> None:
    _open(browser, seeded.url + "/")
    wait_until(lambda: {"bulk-05", "approve-me", "xss-1"} <= set(_rows(browser)), what="rows")
    rows = _rows(browser)
    assert rows.index("bulk-05") < rows.index("bulk-00")  # newest first
    counts = {
        b.get_attribute("data-status"): b.find_element(By.CSS_SELECTOR, ".n").text
        for b in browser.find_elements(By.CSS_SELECTOR, ".counts button")
    }
    assert counts["FAILED"] == "1" and int(counts[""]) >= len(seeded.ids)
    # A count is a filter: the URL holds it, and Back undoes it.
    browser.find_element(By.CSS_SELECTOR, '.counts button[data-status="FAILED"]').click()
    wait_until(lambda: _rows(browser) == ["fails-1"], what="FAILED filter")
    assert "status=FAILED" in browser.current_url
    browser.back()
    wait_until(lambda: "bulk-00" in _rows(browser), what="back to all")
    assert "status=" not in browser.current_url
    # ID prefix and name filters from the form.
    box = browser.find_element(By.ID, "f-id")
    box.send_keys("bulk-0")
    browser.find_element(By.CSS_SELECTOR, ".filters button[type=submit]").click()
    wait_until(lambda: sorted(_rows(browser)) == [f"bulk-{i:02d}" for i in range(6)], what="prefix")
    assert "idPrefix=bulk-0" in browser.current_url
    _open(browser, seeded.url + "/?name=retry_wf")
    wait_until(lambda: _rows(browser) == ["retries-1"], what="a shared URL's filter")
    assert browser.find_element(By.ID, "f-name").get_attribute("value") == "retry_wf"
    # Times in the viewer's zone, UTC on hover.
    title = browser.find_element(By.CSS_SELECTOR, "table.instances time").get_attribute("title")
    assert title.endswith(" UTC")
    assert _errors(browser) == []


def test_live_refresh_keeps_filters_and_shows_new_instances(browser: Any, seeded: Seeded) -> None:
    _open(browser, seeded.url + "/?idPrefix=live-")
    assert _rows(browser) == []
    seeded.start("child_wf", "1", "live-1")
    wait_until(lambda: _rows(browser) == ["live-1"], what="the poll to show the new instance")
    assert "idPrefix=live-" in browser.current_url
    assert browser.find_element(By.ID, "f-id").get_attribute("value") == "live-"


def test_refresh_keeps_the_scroll_position(browser: Any, seeded: Seeded) -> None:
    browser.set_window_size(1280, 400)
    try:
        _open(browser, seeded.url + "/")
        wait_until(lambda: len(_rows(browser)) > 8, what="rows")
        browser.execute_script("window.scrollTo(0, 200)")
        y = browser.execute_script("return window.scrollY")
        assert y > 0
        seen = browser.execute_script("return document.body.dataset.loaded")
        wait_until(
            lambda: browser.execute_script("return document.body.dataset.loaded") != seen,
            what="the next poll",
        )
        assert browser.execute_script("return window.scrollY") == y
    finally:
        browser.set_window_size(1280, 900)


def test_xss_payloads_render_as_text(browser: Any, seeded: Seeded) -> None:
    _open(browser, seeded.url + "/?idPrefix=xss-")
    wait_until(lambda: _rows(browser) == ["xss-1"], what="the xss row")
    cells = browser.find_elements(By.CSS_SELECTOR, 'tr[data-id="xss-1"] td')
    assert cells[0].text == XSS
    assert cells[3].text == XSS  # custom status, as stored (a str as it is)
    _no_alert(browser)
    browser.find_element(By.CSS_SELECTOR, 'tr[data-id="xss-1"] a').click()
    wait_until(lambda: "xss-1" in browser.find_element(By.TAG_NAME, "h1").text, what="page")
    wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, "pre.payload"), what="payloads")
    outputs = [p.text for p in browser.find_elements(By.CSS_SELECTOR, "pre.payload")]
    assert json.loads(outputs[-1]) == XSS  # the output, as stored (JSON)
    history = browser.find_element(By.CSS_SELECTOR, "table.history").text
    assert XSS in history  # the event name and the workflow name
    labels = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "svg .track-label")]
    assert any(XSS in t for t in labels)
    assert browser.find_elements(By.CSS_SELECTOR, "main img") == []
    _no_alert(browser)
    assert _errors(browser) == []


def test_instance_page_timeline_and_children(browser: Any, seeded: Seeded) -> None:
    _open(browser, seeded.url + "/instances/retries-1")
    wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, "svg.gantt"), what="timeline")
    flaky = browser.find_elements(By.CSS_SELECTOR, "svg.gantt g.bar.k-activity")
    assert len(flaky) == 3  # two failed attempts and the one that succeeded
    assert len(browser.find_elements(By.CSS_SELECTOR, "g.bar.k-activity.failed")) == 2
    assert len(browser.find_elements(By.CSS_SELECTOR, "g.bar.k-activity.retry")) == 2
    failed = browser.find_element(By.CSS_SELECTOR, "g.bar.k-activity.failed")
    ActionChains(browser).move_to_element(failed).perform()  # the tooltip is made on hover
    tip = wait_until(
        lambda: failed.find_element(By.TAG_NAME, "title").get_attribute("textContent"),
        what="the bar's tooltip",
    )
    assert tip.startswith("activity flaky FAILED") and "flaky attempt 1" in tip and " UTC" in tip
    _open(browser, seeded.url + "/instances/parent-1")
    wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, "g.bar.k-child"), what="child bar")
    assert browser.find_elements(By.CSS_SELECTOR, "g.bar.k-timer")
    # the page redraws while it polls: find the link afresh until it reads right, then click it
    wait_until(
        lambda: browser.find_element(By.CSS_SELECTOR, ".children a").text == "parent-1:0001",
        what="the child's link",
    )
    wait_until(
        lambda: browser.find_element(By.CSS_SELECTOR, ".children a").click() or True,
        what="a click on the child's link",
    )
    h1 = lambda: browser.find_element(By.TAG_NAME, "h1").text  # noqa: E731
    wait_until(lambda: "parent-1:0001" in h1(), what="the child's page")
    assert browser.current_url.endswith("/instances/parent-1%3A0001")
    _open(browser, seeded.url + "/instances/fails-1")
    failure = browser.find_element(By.CSS_SELECTOR, "pre.payload.failed").text
    assert "TaskFailedError" in failure and "kaboom 1" in failure
    copy = browser.find_element(By.CSS_SELECTOR, "button.copy[aria-label='Copy Failure']")
    copy.click()
    said = wait_until(
        lambda: copy.text if copy.text in ("Copied", "Selected: Ctrl+C") else "", what="copy"
    )
    if said == "Selected: Ctrl+C":  # no clipboard permission: the text is selected instead
        assert browser.execute_script("return String(window.getSelection())") == failure
    assert browser.find_elements(By.CSS_SELECTOR, "g.bar.k-activity.failed")
    assert _errors(browser) == []


def test_raise_event_validates_json_and_completes(browser: Any, seeded: Seeded) -> None:
    _open(browser, seeded.url + "/instances/approve-me")
    wait_until(lambda: "approve" in browser.find_element(By.ID, "waiting-for").text, what="wait")
    assert browser.find_elements(By.CSS_SELECTOR, "g.bar.k-event.open")
    browser.find_element(By.ID, "act-raise-event").click()
    name = browser.find_element(By.ID, "ev-name")
    assert name.get_attribute("value") == "approve"  # offered from what it waits for
    data = browser.find_element(By.ID, "ev-data")
    data.send_keys("{not json")
    browser.find_element(By.ID, "confirm-ok").click()
    assert browser.find_element(By.ID, "confirm-error").text.startswith("Not JSON")
    assert browser.find_element(By.ID, "confirm-dialog").get_attribute("open") is not None
    data.clear()
    data.send_keys('{"ok": true}')
    _confirm(browser)
    wait_until(lambda: _status(browser) == "COMPLETED", what="the instance to complete")
    out = browser.find_elements(By.CSS_SELECTOR, "pre.payload")[-1].text
    assert json.loads(out) == {"approved": {"ok": True}}
    assert _errors(browser) == []


def test_pause_and_resume(browser: Any, seeded: Seeded) -> None:
    seeded.start("approval_wf", '"p"', "pause-me")
    seeded.srv.wait_status("pause-me", {"RUNNING"})
    _open(browser, seeded.url + "/instances/pause-me")
    wait_until(lambda: browser.find_elements(By.ID, "act-pause"), what="the pause button")
    browser.find_element(By.ID, "act-pause").click()
    _confirm(browser)
    wait_until(lambda: _status(browser) == "SUSPENDED", what="SUSPENDED")
    assert "resume (paused)" in browser.find_element(By.ID, "waiting-for").text
    browser.find_element(By.ID, "act-resume").click()
    _confirm(browser)
    wait_until(lambda: _status(browser) == "RUNNING", what="RUNNING again")
    assert seeded.srv.client.get(f"{BETA}/pause-me").json()["runtimeStatus"] == "RUNNING"
    assert _errors(browser) == []


def test_server_error_is_shown_exactly(browser: Any, seeded: Seeded) -> None:
    seeded.start("approval_wf", '"e"', "error-me")
    _open(browser, seeded.url + "/instances/error-me")
    browser.find_element(By.ID, "act-raise-event").click()
    name = browser.find_element(By.ID, "ev-name")
    name.clear()
    name.send_keys("approve")
    # Behind the page's back the instance goes away; the server's refusal is shown as sent.
    client = seeded.srv.client
    assert client.post(f"{BETA}/error-me/terminate").status_code == 202
    seeded.srv.wait_status("error-me", {"TERMINATED"})
    assert client.post(f"{BETA}/error-me/purge").status_code == 202
    browser.find_element(By.ID, "confirm-ok").click()
    direct = client.post(f"{BETA}/error-me/raiseEvent/approve")
    body = direct.json()
    want = f"{direct.status_code} {body['errorCode']}: {body['message']}"
    shown = lambda: browser.find_element(By.ID, "confirm-error").text  # noqa: E731
    wait_until(lambda: shown() == want, what=f"{want!r} (shown: {shown()!r})")
    assert browser.find_element(By.ID, "confirm-dialog").get_attribute("open") is not None
    browser.find_element(By.ID, "confirm-cancel").click()
    console_errors(browser)  # drain: the refused request and the page's 404 were expected


def test_terminate_once_then_purge(browser: Any, seeded: Seeded) -> None:
    _open(browser, seeded.url + "/instances/terminate-me")
    browser.find_element(By.ID, "act-terminate").click()
    # Two clicks in the same instant send one request.
    browser.execute_script("const b = document.getElementById('confirm-ok'); b.click(); b.click();")
    wait_until(lambda: _status(browser) == "TERMINATED", what="TERMINATED")
    posts = [ln for ln in seeded.srv.stderr if f"POST {BETA}/terminate-me/" in ln]
    assert len(posts) == 1, posts
    browser.find_element(By.ID, "act-purge").click()
    _confirm(browser)
    wait_until(lambda: browser.current_url.rstrip("/") == seeded.url, what="back to the list")
    assert seeded.srv.client.get(f"{BETA}/terminate-me").status_code == 404
    assert _errors(browser) == []


def test_screenshots(browser: Any, seeded: Seeded, tmp_path: Path) -> None:
    for width in (1280, 390):
        browser.set_window_size(width, 900)
        _open(browser, seeded.url + "/")
        wait_until(lambda: _rows(browser), what="rows")
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page scrolls sideways at {width} px"
        shot = screenshot(browser, f"webui-instances-{width}.png", width, tmp_path)
        assert shot.stat().st_size > 0
        browser.set_window_size(width, 900)
        _open(browser, seeded.url + "/instances/retries-1")
        wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, "svg.gantt"), what="timeline")
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the instance page scrolls sideways at {width} px"
        shot = screenshot(browser, f"webui-instance-{width}.png", width, tmp_path)
        assert shot.stat().st_size > 0
    browser.set_window_size(1280, 900)


def test_rerun_from_a_bar_picked_on_the_timeline(browser: Any, seeded: Seeded) -> None:
    _open(browser, seeded.url + "/instances/retries-1")
    bars = wait_until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "g.bar.k-activity.pickable"),
        what="pickable bars (the rerun probe)",
    )
    assert not browser.find_elements(By.CSS_SELECTOR, "[id^=act-rerun]")
    first = bars[0]
    event_id = first.get_attribute("data-event-id")
    first.send_keys(Keys.ENTER)  # the keyboard picks as a click does
    button = wait_until(
        lambda: browser.find_element(By.ID, f"act-rerun-from-{event_id}"), what="the button"
    )
    button.click()
    browser.find_element(By.ID, "rerun-id").send_keys("rerun-1")
    _confirm(browser)
    wait_until(lambda: browser.current_url.endswith("/instances/rerun-1"), what="the new page")
    wait_until(lambda: _status(browser) == "COMPLETED", what="the rerun to complete")
    assert seeded.srv.client.get(f"{BETA}/retries-1").json()["runtimeStatus"] == "COMPLETED"
    assert _errors(browser) == []


def test_keyboard_reaches_and_uses_the_filters(browser: Any, seeded: Seeded) -> None:
    _open(browser, seeded.url + "/")
    body = browser.find_element(By.TAG_NAME, "body")
    body.click()
    for _ in range(15):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.execute_script("return document.activeElement.dataset.status") == "FAILED":
            break
    else:
        raise AssertionError("Tab never reached the FAILED count")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait_until(lambda: _rows(browser) == ["fails-1"], what="the keyboard's filter")
    # Focus stays on the pressed count across redraws.
    assert browser.execute_script("return document.activeElement.dataset.status") == "FAILED"


def test_dark_theme_follows_the_system(browser: Any, seeded: Seeded) -> None:
    def background() -> str:
        return browser.execute_script("return getComputedStyle(document.body).backgroundColor")

    feature = [{"name": "prefers-color-scheme", "value": "dark"}]
    try:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": feature})
        _open(browser, seeded.url + "/")
        assert background() == "rgb(15, 18, 23)"
    finally:
        feature[0]["value"] = "light"
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": feature})
    assert background() == "rgb(255, 255, 255)"


@pytest.mark.timeout(240)  # longer than the suite's 120 s: a wait of up to 120 s
def test_a_long_workflow_draws_its_timeline(browser: Any, seeded: Seeded) -> None:
    """300 steps here (bench/webui_bench.py measures 1,000); the figure is printed."""
    seeded.start("many_steps_wf", "300", "steps-300")
    seeded.srv.wait_status("steps-300", {"COMPLETED"}, timeout=120)
    _open(browser, seeded.url + "/instances/steps-300")
    box = browser.find_element(By.ID, "timeline")
    assert box.get_attribute("data-bars") == "301"  # the run and its 300 activities
    assert len(browser.find_elements(By.CSS_SELECTOR, "g.bar.k-activity")) == 300
    wait_until(
        lambda: len(browser.find_elements(By.CSS_SELECTOR, "table.history tbody tr")) >= 602,
        what="every history row (added in slices)",
    )
    print(f"timeline of 300 steps drawn in {box.get_attribute('data-draw-ms')} ms")
