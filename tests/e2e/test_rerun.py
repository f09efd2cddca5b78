"""`wfctl rerun` through the real CLI (subprocesses): on --embedded, and over HTTP against a
real `wfctl serve` subprocess. The issue's scenario: step 2 fails, the bug is fixed, the run is
rerun from step 2 — it completes, step 1 is not run again, the source is unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.support import Result, run, uid
from tests.server.proc import ServerProc

APP = Path(__file__).resolve().parents[1] / "engine" / "sample_app.py"


class Place:
    """Where the CLI runs workflows: ``--embedded`` on a file, or ``--url`` of a serve."""

    def __init__(self, home: Path, pre: list[str], env: dict[str, str]) -> None:
        self.home, self.pre, self.env = home, pre, env
        self.gate = Path(env["WFCTL_TEST_GATE"])
        self.side = Path(env["WFCTL_TEST_SIDE"])

    def wfctl(self, *args: str) -> Result:
        return run([*self.pre, *args], self.home, self.env, timeout=60)

    def ran(self, iid: str) -> list[str]:
        """The task ids of ``iid``'s activity executions, from the side-effect log."""
        lines = self.side.read_text().split() if self.side.exists() else []
        return [x.rsplit(":", 1)[1] for x in lines if x.rsplit(":", 1)[0] == iid]


def _env(home: Path) -> dict[str, str]:
    return {"WFCTL_TEST_GATE": str(home / "gate-closed"), "WFCTL_TEST_SIDE": str(home / "side")}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProc]:
    home = tmp_path_factory.mktemp("rerun-serve")
    with pytest.MonkeyPatch.context() as mp:
        for k, v in _env(home).items():
            mp.setenv(k, v)
        s = ServerProc(home / "wf.db", extra=["--app", str(APP)])
    s.home = home  # type: ignore[attr-defined]
    yield s
    assert s.stop() == 0
    assert "Traceback" not in "".join(s.stderr)


@pytest.fixture(params=["embedded", "serve"])
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Place:
    if request.param == "embedded":
        pre = ["--embedded", "--db", str(tmp_path / "wf.db"), "--app", str(APP)]
        return Place(tmp_path, pre, _env(tmp_path))
    s = request.getfixturevalue("served")
    return Place(tmp_path, ["--url", s.url], _env(s.home))


def failed_run(p: Place, iid: str) -> None:
    p.gate.write_text("bug")
    r = p.wfctl("start", "fixable", "--id", iid, "--input", "1", "--wait", "--timeout", "60s")
    assert r.code == 10, r  # FAILED at step 2
    assert p.ran(iid) == ["1"]


def test_rerun_from_the_failed_step_after_the_fix(place: Place) -> None:
    p = place
    src = uid("src")
    failed_run(p, src)
    hist = p.wfctl("history", src, "-o", "json").json()
    (step2,) = [e["eventId"] for e in hist if e["type"] == "TaskScheduled" and e["name"] == "gate"]
    assert step2 == 2
    before = (p.wfctl("status", src, "-o", "json").json(), hist)
    p.gate.unlink()  # the fix

    r = p.wfctl("rerun", src, "--from-event", str(step2), "--wait", "--timeout", "60s")
    assert r.code == 0, r
    first = r.out.splitlines()[0]
    assert first.startswith(f"Rerun {src} from event 2 as ")
    new = first.rsplit(" ", 1)[1]
    assert "COMPLETED" in r.out and "20" in r.out
    assert p.ran(new) == ["2"]  # step 2 ran again; step 1 did NOT
    assert p.ran(src) == ["1"]
    after = (p.wfctl("status", src, "-o", "json").json(), p.wfctl("history", src, "-o", "json"))
    assert after[0] == before[0] and after[1].json() == before[1]  # the source is untouched

    # With a new input for that step, a chosen ID and JSON output.
    mine = uid("mine")
    r = p.wfctl("rerun", src, "--from-event", "2", "--new-id", mine, "--input", "41", "-o", "json")
    assert r.code == 0, r
    assert r.json() == {"instanceID": mine, "sourceInstanceID": src, "eventID": 2}
    r = p.wfctl("wait", mine, "--timeout", "60s", "-o", "json")
    assert r.code == 0, r
    assert r.json()["properties"]["dapr.workflow.output"] == "410"
    assert p.ran(mine) == ["2"]
    redo = [e for e in p.wfctl("history", mine, "-o", "json").json() if e["name"] == "gate"]
    assert redo[0]["type"] == "TaskScheduled" and redo[0]["details"] == "41"


def test_rerun_errors(place: Place) -> None:
    p = place
    src = uid("bad")
    failed_run(p, src)
    busy = uid("busy")
    assert p.wfctl("start", "waiter", "--id", busy, "--input", '"go"').code == 0

    def refused(*args: str, code: int, says: str) -> None:
        r = p.wfctl("rerun", *args)
        assert r.code == code, r
        assert r.out == "" and "Traceback" not in r.err
        assert says in r.err and len(r.err.strip().splitlines()) == 1, r

    refused(uid("ghost"), "--from-event", "1", code=3, says="no workflow instance")
    refused(busy, "--from-event", "1", code=4, says="RUNNING")
    refused(src, "--from-event", "3", code=2, says="ExecutionCompleted")
    refused(src, "--from-event", "7", code=2, says="1 (inc), 2 (gate)")
    refused(src, "--from-event", "0", code=2, says="--from-event 0")
    refused(src, "--from-event", "2", "--new-id", busy, code=4, says=busy)
    refused(src, "--from-event", "2", "--new-id", src, code=2, says="differ")
    refused(src, "--from-event", "2", "--new-id", "no way", code=2, says="position 3")
    refused(src, "--from-event", "2", "--input", "{oops", code=2, says="JSON")
    assert p.wfctl("terminate", busy).code == 0
    if "--embedded" in p.pre:  # no --app: the new instance is the source app's, run elsewhere
        r = run([*p.pre[:3], "rerun", src, "--from-event", "2"], p.home, p.env)
        assert r.code == 0 and r.out.startswith(f"Rerun {src} from event 2 as "), r
        assert "sample_app" in r.err and "Traceback" not in r.err, r


def test_rerun_route_answers(served: ServerProc) -> None:
    """The HTTP route itself: daprd-style error bodies for what the CLI never sends."""
    c = served.client
    url = "/wfctl/v1/instances/{}/rerun"
    r = c.post(url.format("ghost"), json={"eventID": 1})
    assert r.status_code == 404 and r.json()["errorCode"] == "ERR_INSTANCE_ID_NOT_FOUND"
    for body in (b"[1]", b"{", b'{"eventID": "2"}', b'{"eventID": true}'):
        r = c.post(url.format("ghost"), content=body)
        assert r.status_code == 400 and r.json()["errorCode"] == "ERR_MALFORMED_REQUEST", body
    r = c.post(url.format("x"), json={"eventID": 1, "newInstanceID": "a b"})
    assert r.status_code == 400 and r.json()["errorCode"] == "ERR_INSTANCE_ID_INVALID"
    r = c.get(url.format("x"))
    assert r.status_code == 405
    start = "/v1.0/workflows/dapr/fixable/start?instanceID="
    src = uid("route")
    Path(served.home, "gate-closed").write_text("bug")  # type: ignore[attr-defined]
    assert c.post(start + src, content=b"1").status_code == 202
    served.wait_status(src, {"FAILED"})
    r = c.post(url.format(src), json={"eventID": 2, "newInstanceID": src})
    assert r.status_code == 409 and r.json()["errorCode"] == "ERR_RERUN_CONFLICT"
    r = c.post(url.format(src), json={"fromEvent": 1})  # the web view's spelling
    assert r.status_code == 202
    new = r.json()["instanceID"]
    assert len(new) == 36 and new.count("-") == 4  # a UUIDv4, as start makes them
    assert served.wait_status(new, {"FAILED"})["instanceID"] == new  # the gate is still shut


def test_rerun_against_a_plain_sidecar_says_use_grpc(tmp_path: Path) -> None:
    """A real daprd answers 404 under /wfctl/v1: one line naming the gRPC transport."""
    from tests.http.fakedaprd import FakeDaprd

    with FakeDaprd() as d:
        d.add("a", name="hello", status="FAILED")
        r = run(["--url", d.url, "rerun", "a", "--from-event", "1"], tmp_path)
    assert r.code == 2, r
    assert "no rerun call" in r.err and "--transport grpc" in r.err
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err


def test_history_json_ids_match(place: Place) -> None:
    """The EVENTIDs history shows are the Durable Task ids: -1 where none."""
    p = place
    iid = uid("ids")
    p.gate.unlink(missing_ok=True)
    r = p.wfctl("start", "fixable", "--id", iid, "--input", "1", "--wait", "--timeout", "60s")
    assert r.code == 0, r
    hist = p.wfctl("history", iid, "-o", "json").json()
    got = [(e["type"], e["eventId"]) for e in hist]
    assert got == [
        ("ExecutionStarted", -1),
        ("TaskScheduled", 1),
        ("TaskCompleted", -1),
        ("TaskScheduled", 2),
        ("TaskCompleted", -1),
        ("ExecutionCompleted", 3),
    ]
    table = p.wfctl("history", iid).out.splitlines()
    assert table[2].split()[:3] == ["TaskScheduled", "inc", "1"]
    assert json.dumps(hist)  # plain JSON
