"""Helpers of the tests in tests/webui (their fixtures are in conftest.py; import these
from here, never from a conftest module)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.server.proc import BETA, ServerProc

APP = str(Path(__file__).with_name("ui_app.py"))


REPO = Path(__file__).resolve().parents[2]


IMG_DIR = REPO / "docs" / "img"


CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


DRIVER = ("chromedriver", "chromium-driver")


def _which(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name) or (
            f"/usr/lib/chromium/{name}" if Path(f"/usr/lib/chromium/{name}").exists() else None
        )
        if found:
            return found
    return None


def make_driver(width: int = 1280, height: int = 900) -> Any:
    from selenium import webdriver  # a test extra: no skip, CI installs it

    browser, driver = _which(CHROMIUM), _which(DRIVER)
    if browser is None or driver is None:
        pytest.skip("chromium or chromedriver not found (apt-get install chromium chromium-driver)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for arg in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-extensions",
        f"--window-size={width},{height}",
        "--force-device-scale-factor=1",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=driver)
    drv = webdriver.Chrome(options=opts, service=service)
    drv.set_page_load_timeout(60)
    return drv


def wait_until(fn: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
    """Poll ``fn`` until it returns something truthy (exceptions count as not yet)."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            value = fn()
            if value:
                return value
        except Exception as exc:  # the DOM is being redrawn: try again
            last = exc
        time.sleep(0.05)
    why = f" (last error: {last!r})" if last else ""
    raise AssertionError(f"timed out waiting for {what}{why}")


class Seeded:
    """The server and the IDs of the instances seeded for the tests."""

    def __init__(self, srv: ServerProc) -> None:
        self.srv = srv
        self.url = srv.url
        self.ids: dict[str, str] = {}

    def start(self, name: str, data: str, iid: str) -> str:
        url = f"{BETA}/{quote(name, safe='')}/start?instanceID={iid}"
        r = self.srv.client.post(url, content=data)
        assert r.status_code == 202, r.text
        self.ids[iid] = name
        return iid


def console_errors(drv: Any) -> list[str]:
    """Severe browser console entries (script errors, CSP violations) since the last call."""
    return [e["message"] for e in drv.get_log("browser") if e.get("level") == "SEVERE"]


def screenshot(drv: Any, name: str, width: int, spare: Path) -> Path:
    """Save a full-height screenshot of the current page at ``width``: into docs/img/ when
    it is not there yet or WFCTL_SCREENSHOTS=1 asks to refresh it, else into ``spare`` (so a
    test run does not leave every checkout with changed pictures)."""
    height = drv.execute_script("return document.documentElement.scrollHeight")
    drv.set_window_size(width, min(max(int(height) + 120, 600), 2400))
    time.sleep(0.3)  # let a resize redraw land before the picture (it does not gate a check)
    path = IMG_DIR / name
    if path.exists() and os.environ.get("WFCTL_SCREENSHOTS") != "1":
        path = spare / name
    path.parent.mkdir(parents=True, exist_ok=True)
    drv.save_screenshot(str(path))
    return path
