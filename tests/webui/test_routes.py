"""The web view's server side without a browser: static files and their headers, the token
rule (code without it, data only with it), --no-ui, and the paged/count JSON routes over a
real SQLite store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.support import AsgiClient
from wfctl.backend.embedded import EmbeddedBackend
from wfctl.engine.store import Store
from wfctl.server.app import WorkflowServerApp
from wfctl.server.ui import UI_DIR

TOKEN = "ui-s3cret"


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    """A file with 25 instances: created one second apart, every fifth FAILED, ``w3``'s
    named differently; two share a created_at (the cursor must not skip either)."""
    path = tmp_path / "ui.db"
    clock = Clock()
    store = Store(path, clock=clock)
    for i in range(25):
        clock.now += 0 if i == 10 else 1  # i=9 and i=10 are created at the same instant
        store.instances.create_instance(f"i{i:02d}", "other" if i == 3 else "wf", "null")
    with store.db.write() as c:
        c.execute("UPDATE instances SET status='FAILED' WHERE CAST(substr(id, 2) AS INT) % 5 = 0")
    store.close()
    yield path


def _client(db: Path, *, ui: bool = True, token: str | None = None, **headers: str) -> AsgiClient:
    reader = EmbeddedBackend(db, detach=True)
    app = WorkflowServerApp(reader, reader=reader, ui=ui, api_token=token, log=lambda _l: None)
    return AsgiClient(app, headers)


def test_pages_are_served_with_a_strict_csp(db: Path) -> None:
    c = _client(db)
    for path in ("/", "/instances/i01", "/instances/a%2Fb%3Cx%3E"):
        r = c.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert r.content == (UI_DIR / "index.html").read_bytes()
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "style-src 'self'" in csp and "default-src 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "set-cookie" not in r.headers
    js = c.get("/ui/core.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert c.get("/ui/app.css").headers["content-type"].startswith("text/css")


def test_index_has_no_inline_script_or_style() -> None:
    html = (UI_DIR / "index.html").read_text()
    assert "<script>" not in html and "style=" not in html and "<style" not in html
    for js in UI_DIR.glob("*.js"):
        # Data goes in as text: the code never assigns HTML.
        text = js.read_text()
        assert not re.search(r"\.(inner|outer)HTML\b|insertAdjacentHTML|document\.write", text)


@pytest.mark.parametrize(
    "path", ["/ui/missing.js", "/ui/..%2Fapp.py", "/ui/.hidden.js", "/ui/x.py", "/instances/"]
)
def test_unknown_files_are_404(db: Path, path: str) -> None:
    assert _client(db).get(path).status_code == 404


def test_pages_only_answer_get(db: Path) -> None:
    r = _client(db).post("/")
    assert r.status_code == 405
    assert r.json()["errorCode"] == "ERR_METHOD_NOT_ALLOWED"


def test_no_ui_serves_no_page(db: Path) -> None:
    c = _client(db, ui=False)
    assert c.get("/").status_code == 404
    assert c.get("/ui/core.js").status_code == 404
    assert c.get("/wfctl/v1/counts").status_code == 200  # the data routes stay


def test_token_guards_data_not_code(db: Path) -> None:
    anon = _client(db, token=TOKEN)
    assert anon.get("/").status_code == 200
    assert anon.get("/ui/core.js").status_code == 200
    assert anon.get("/instances/i01").status_code == 200
    for path in ("/wfctl/v1/counts", "/wfctl/v1/page", "/wfctl/v1/instances/i01/waiting"):
        assert anon.get(path).status_code == 401, path
    # The page bypass is for GET only: a POST to a page path still needs the token.
    assert anon.post("/").status_code == 401
    authed = _client(db, token=TOKEN, **{"dapr-api-token": TOKEN})
    assert authed.get("/wfctl/v1/counts").status_code == 200


def test_counts(db: Path) -> None:
    c = _client(db)
    assert c.get("/wfctl/v1/counts").json() == {
        "counts": {"FAILED": 5, "PENDING": 20},
        "total": 25,
    }
    assert c.get("/wfctl/v1/counts?name=other").json() == {"counts": {"PENDING": 1}, "total": 1}


def _walk(c: AsgiClient, query: str) -> list[list[str]]:
    pages, cursor = [], ""
    while True:
        body = c.get(f"/wfctl/v1/page?{query}&cursor={cursor}").json()
        pages.append([s["instanceID"] for s in body["instances"]])
        cursor = body["next"]
        if cursor is None:
            return pages


def test_pages_walk_every_instance_once_newest_first(db: Path) -> None:
    c = _client(db)
    pages = _walk(c, "limit=4")
    flat = [i for p in pages for i in p]
    # Newest first; i09 and i10 share created_at, so the later row (i10) comes first.
    assert flat == [f"i{i:02d}" for i in range(24, -1, -1)]
    assert [len(p) for p in pages] == [4] * 6 + [1]


def test_page_filters(db: Path) -> None:
    c = _client(db)
    assert _walk(c, "limit=2&status=FAILED") == [["i20", "i15"], ["i10", "i05"], ["i00"]]
    assert _walk(c, "status=FAILED,PENDING&idPrefix=i0&limit=100") == [
        [f"i0{i}" for i in range(9, -1, -1)]
    ]
    assert _walk(c, "name=other") == [["i03"]]
    assert _walk(c, "idPrefix=i2&status=PENDING") == [["i24", "i23", "i22", "i21"]]
    assert _walk(c, "idPrefix=zz") == [[]]
    assert _walk(c, "maxAge=3600") == [[]]  # all were created in 2023
    assert len(_walk(c, "maxAge=9e9&limit=100")[0]) == 25
    one = c.get("/wfctl/v1/page?limit=1").json()["instances"][0]
    assert one["runtimeStatus"] == "PENDING" and one["workflowName"] == "wf"


@pytest.mark.parametrize(
    "query", ["cursor=nope", "cursor=1.5", "limit=0", "limit=x", "status=BOGUS", "maxAge=-1"]
)
def test_bad_page_queries_are_400(db: Path, query: str) -> None:
    r = _client(db).get(f"/wfctl/v1/page?{query}")
    assert r.status_code == 400
    assert r.json()["errorCode"] == "ERR_MALFORMED_REQUEST"


def test_waiting_route(db: Path) -> None:
    c = _client(db)
    empty = {"events": [], "timers": [], "activities": [], "children": []}
    assert c.get("/wfctl/v1/instances/i01/waiting").json() == empty
    assert c.get("/wfctl/v1/instances/a%2Fb/waiting").status_code == 404
