"""The web view's speed: the instances page over 100,000 instances, and the timeline of a
1,000-step workflow drawn in headless chromium.

    python bench/webui_bench.py [--instances 100000] [--steps 1000] [--reps 30]

1. Seeds ``--instances`` rows straight into a fresh engine file (one transaction through the
   store's own connection; statuses, names and ages mixed), starts ``python -m wfctl.server``
   on it and times the routes the instances page calls. *Server time* is what the server's
   own access log says for each request (from the first byte read to the last byte sent).
2. Loads ``/`` in chromium and reports the time to the first page of rows on screen.
3. Runs ``many_steps_wf`` with ``--steps`` activities on that server, opens its page, and
   reports the browser's own measure of drawing the timeline and of the whole page update.

Needs chromium + chromium-driver (apt) and selenium (the test extra) for steps 2 and 3.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.server.proc import BETA, ServerProc  # noqa: E402

APP = str(ROOT / "tests" / "webui" / "ui_app.py")
STATUSES = ["COMPLETED"] * 14 + ["FAILED"] * 2 + ["RUNNING"] * 3 + ["SUSPENDED", "TERMINATED"]
NAMES = ["orders", "payments", "shipping", "approval_wf", "child_wf"]


def seed(db: Path, n: int) -> float:
    from wfctl.engine.store import Store

    t = time.perf_counter()
    s = Store(db)
    now = time.time()
    with s.db.write() as c:
        c.executemany(
            "INSERT INTO instances (id, name, status, created_at, updated_at, input,"
            " custom_status, root_id, next_seq) VALUES (?, ?, ?, ?, ?, '1', ?, ?, 0)",
            (
                (
                    f"inst-{k:06d}",
                    NAMES[k % len(NAMES)],
                    STATUSES[k % len(STATUSES)],
                    now - (n - k) * 0.9,  # one every 0.9 s, the newest just now
                    now - (n - k) * 0.9,
                    f'"step {k % 7}"' if k % 3 == 0 else None,
                    f"inst-{k:06d}",
                )
                for k in range(n)
            ),
        )
    s.close()
    return time.perf_counter() - t


_LOG = re.compile(r'"GET ([^?" ]+)\S*" (\d+) ([\d.]+)ms')


def server_times(srv: ServerProc, path: str, reps: int) -> list[float]:
    """Request ``path`` ``reps`` times; the server's own ms for each, from its access log."""
    seen = len(srv.stderr)
    for _ in range(reps):
        r = srv.client.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:200])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        want = path.split("?", 1)[0]
        lines = [m for ln in srv.stderr[seen:] if (m := _LOG.search(ln)) and m.group(1) == want]
        if len(lines) >= reps:
            return [float(m.group(3)) for m in lines[:reps]]
        time.sleep(0.05)
    raise AssertionError(f"the access log did not show {reps} lines for {path}")


def report(label: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    print(f"{label:44s} median {statistics.median(ms):6.2f} ms  p95 {p95:6.2f}  max {ms[-1]:6.2f}")


def driver():  # type: ignore[no-untyped-def]
    from selenium import webdriver

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        opts.add_argument(arg)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    return webdriver.Chrome(options=opts, service=service)


def wait_js(drv, script: str, timeout: float = 120):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = drv.execute_script(script)
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out: {script}")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--instances", type=int, default=100_000)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--reps", type=int, default=30)
    p.add_argument("--no-browser", action="store_true")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "big.db"
        print(f"seeded {a.instances} instances in {seed(db, a.instances):.2f} s")
        srv = ServerProc(db, extra=["--app", APP])
        try:
            pages = {
                "counts": "/wfctl/v1/counts",
                "first page (50, no filter)": "/wfctl/v1/page?limit=50",
                "first page status=FAILED": "/wfctl/v1/page?limit=50&status=FAILED",
                "first page name=payments": "/wfctl/v1/page?limit=50&name=payments",
                "first page idPrefix=inst-05": "/wfctl/v1/page?limit=50&idPrefix=inst-05",
                "first page maxAge=3600": "/wfctl/v1/page?limit=50&maxAge=3600",
                "first page RUNNING,SUSPENDED": "/wfctl/v1/page?limit=50&status=RUNNING,SUSPENDED",
            }
            body = srv.client.get("/wfctl/v1/page?limit=500").json()
            for _ in range(100):  # walk 50,000 rows deep for a late page's cursor
                body = srv.client.get(f"/wfctl/v1/page?limit=500&cursor={body['next']}").json()
            pages["page after 50,500 rows (cursor)"] = (
                f"/wfctl/v1/page?limit=50&cursor={body['next']}"
            )
            print(f"server time per request over {a.reps} requests ({a.instances} instances):")
            for label, path in pages.items():
                report("  " + label, server_times(srv, path, a.reps))
            counts = server_times(srv, pages["counts"], a.reps)
            firsts = server_times(srv, pages["first page (50, no filter)"], a.reps)
            first_page = [c + q for c, q in zip(counts, firsts, strict=True)]
            report("  counts + first page (what / asks for)", first_page)
            if a.no_browser:
                return 0
            drv = driver()
            try:
                loads = []
                for _ in range(5):
                    drv.get(srv.url + "/")
                    wait_js(drv, "return document.body.dataset.loaded")
                    loads.append(
                        drv.execute_script(
                            "return Number(document.body.dataset.loaded) - performance.timeOrigin"
                        )
                    )
                report("browser: navigation start -> first rows drawn", loads)
                r = srv.client.post(
                    f"{BETA}/many_steps_wf/start?instanceID=steps-{a.steps}", content=str(a.steps)
                )
                assert r.status_code == 202, r.text
                srv.wait_status(f"steps-{a.steps}", {"COMPLETED"}, timeout=600)
                draws, pages_ms, bars = [], [], 0
                for _ in range(5):
                    drv.get(f"{srv.url}/instances/steps-{a.steps}")
                    wait_js(drv, "return document.getElementById('timeline').dataset.drawMs")
                    draws.append(
                        float(
                            drv.execute_script(
                                "return document.getElementById('timeline').dataset.drawMs"
                            )
                        )
                    )
                    pages_ms.append(
                        float(drv.execute_script("return document.body.dataset.drawMs"))
                    )
                    bars = int(
                        drv.execute_script(
                            "return document.getElementById('timeline').dataset.bars"
                        )
                    )
                report(f"browser: timeline of {a.steps} steps ({bars} bars) drawn", draws)
                report(f"browser: whole instance page update ({a.steps} steps)", pages_ms)
                history = server_times(srv, f"/wfctl/v1/instances/steps-{a.steps}/history", 5)
                report(f"server: history of {a.steps} steps", history)
            finally:
                drv.quit()
        finally:
            srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
