"""Bulk actions by filter through the real CLI: embedded, over `wfctl serve`, refused with the
way out against a plain sidecar; paged past one page of matches; the first failure's code."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.harness import BETA, Serve
from tests.http.fakedaprd import FakeDaprd
from tests.http.fixtures import run_wfctl
from wfctl.cli import bulk
from wfctl.cli.app import app
from wfctl.engine.store import Store

ORDER = '{"Name": "Laptop", "TotalCost": 1500, "Quantity": 1}'  # waits for approval


def invoke(runner: CliRunner, *args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def orders(runner: CliRunner, tmp_path: Path) -> list[str]:
    base = ["--embedded", "--db", str(tmp_path / "b.db")]
    for i in range(1, 4):
        r = invoke(runner, *base, "start", "OrderProcessingWorkflow", "--id", f"ord-{i}",
                   "--input", ORDER)  # fmt: skip
        assert r.exit_code == 0, r.stderr
    r = invoke(runner, *base, "start", "hello_world_wf", "--id", "h-1", "--input", '"x"')
    assert r.exit_code == 0, r.stderr
    return base


def statuses(runner: CliRunner, base: list[str]) -> dict[str, str]:
    r = invoke(runner, *base, "list", "-o", "json")
    return {s["instanceID"]: s["runtimeStatus"] for s in json.loads(r.stdout)}


def test_several_matches_need_yes_and_dry_run_changes_nothing(
    runner: CliRunner, orders: list[str]
) -> None:
    r = invoke(runner, *orders, "pause", "--id-prefix", "ord-")
    assert r.exit_code == 2 and "pass --yes" in r.stderr and "3 instances" in r.stderr
    r = invoke(runner, *orders, "pause", "--id-prefix", "ord-", "--dry-run")
    assert r.exit_code == 0
    assert r.stdout.splitlines() == [
        "ord-3: would be suspended",
        "ord-2: would be suspended",
        "ord-1: would be suspended",
        "3 instance(s) would be suspended",
    ]
    assert set(statuses(runner, orders).values()) == {"RUNNING", "COMPLETED"}


def test_each_action_by_filter(runner: CliRunner, orders: list[str]) -> None:
    r = invoke(runner, *orders, "pause", "--name", "OrderProcessingWorkflow", "--yes")
    assert r.exit_code == 0 and r.stdout.endswith("3 instance(s) suspended\n"), r.stderr
    r = invoke(runner, *orders, "resume", "--id-prefix", "ord-1")  # one match: no question
    assert (r.exit_code, r.stdout) == (0, "ord-1: resumed\n1 instance(s) resumed\n"), r.stderr
    r = invoke(runner, *orders, "raise-event", "approval", "--id-prefix", "ord-1",
               "--data", '{"approved": true}')  # fmt: skip
    assert r.exit_code == 0 and "ord-1: raised approval" in r.stdout, r.stderr
    r = invoke(runner, *orders, "terminate", "--status", "SUSPENDED", "-y", "-o", "json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout) == [
        {"instanceID": "ord-3", "result": "terminated"},
        {"instanceID": "ord-2", "result": "terminated"},
    ]
    assert statuses(runner, orders) == {
        "ord-1": "COMPLETED", "ord-2": "TERMINATED", "ord-3": "TERMINATED", "h-1": "COMPLETED",
    }  # fmt: skip
    r = invoke(runner, *orders, "purge", "--name", "OrderProcessingWorkflow", "--yes", "-q")
    assert r.exit_code == 0 and sorted(r.stdout.split()) == ["ord-1", "ord-2", "ord-3"]
    assert statuses(runner, orders) == {"h-1": "COMPLETED"}


def test_ids_and_filters_do_not_mix(runner: CliRunner, orders: list[str]) -> None:
    r = invoke(runner, *orders, "terminate", "ord-1", "--name", "x")
    assert r.exit_code == 2 and "not both" in r.stderr
    r = invoke(runner, *orders, "terminate")
    assert r.exit_code == 2 and "--id-prefix" in r.stderr
    r = invoke(runner, *orders, "pause", "ord-1", "--dry-run")
    assert r.exit_code == 2 and "--dry-run goes with a filter" in r.stderr


def test_exit_code_of_the_first_failure(
    runner: CliRunner, orders: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wfctl.backend.embedded import EmbeddedBackend
    from wfctl.model import ConflictError, NotFoundError

    real = EmbeddedBackend.pause
    failures = {"ord-3": NotFoundError("gone meanwhile"), "ord-1": ConflictError("busy")}

    def pause(self: EmbeddedBackend, iid: str) -> None:
        if iid in failures:
            raise failures[iid]
        real(self, iid)

    monkeypatch.setattr(EmbeddedBackend, "pause", pause)
    r = invoke(runner, *orders, "pause", "--id-prefix", "ord-", "--yes")
    assert r.exit_code == 3  # ord-3's, the first to fail
    assert r.stdout.splitlines() == ["ord-2: suspended", "1 instance(s) suspended, 2 failed"]
    assert r.stderr.splitlines() == ["Error: ord-3: gone meanwhile", "Error: ord-1: busy"]


def test_more_than_a_page_of_matches_is_paged_and_a_rerun_resumes(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "many.db"
    store = Store(db)
    n = 2 * bulk.PAGE + 37
    for i in range(n):
        store.instances.create_instance(f"m-{i:05d}", "hello_world_wf", '"x"')
    store.close()
    base = ["--embedded", "--db", str(db), "--detach"]
    seen: list[int] = []
    from wfctl.backend.embedded import EmbeddedBackend

    real_page = EmbeddedBackend.page_instances

    def page(self: EmbeddedBackend, **kw):  # type: ignore[no-untyped-def]
        states, cursor = real_page(self, **kw)
        seen.append(len(states))
        if len(seen) == 2:  # interrupted after two pages: the rest is left as it was
            raise KeyboardInterrupt
        return states, cursor

    monkeypatch.setattr(EmbeddedBackend, "page_instances", page)
    r = runner.invoke(app, [*base, "pause", "--id-prefix", "m-", "--yes", "-q"])
    assert r.exit_code == 130
    assert seen == [bulk.PAGE, bulk.PAGE] and len(r.stdout.split()) == bulk.PAGE
    monkeypatch.setattr(EmbeddedBackend, "page_instances", real_page)
    r = invoke(runner, *base, "pause", "--id-prefix", "m-", "--yes", "-q")  # run it again
    assert r.exit_code == 0
    assert len(r.stdout.split()) == n - bulk.PAGE  # only what the first run had not done
    r = invoke(runner, *base, "list", "--status", "SUSPENDED", "-o", "ids")
    assert len(r.stdout.split()) == n


def test_over_serve_and_refused_on_a_plain_sidecar(
    tmp_path: Path, start_serve: Callable[..., Serve]
) -> None:
    srv = start_serve(tmp_path / "s.db")
    for i in range(3):
        r = srv.client.post(f"{BETA}/OrderProcessingWorkflow/start",
                            params={"instanceID": f"s-{i}"}, content=ORDER)  # fmt: skip
        assert r.status_code == 202
    for i in range(3):
        srv.wait_status(f"s-{i}", {"RUNNING"})
    env = {"XDG_DATA_HOME": str(tmp_path)}
    r = run_wfctl("--url", srv.url, "terminate", "--id-prefix", "s-", "--yes", env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().splitlines()[-1] == "3 instance(s) terminated"
    for i in range(3):
        assert srv.client.get(f"{BETA}/s-{i}").json()["runtimeStatus"] == "TERMINATED"
    with FakeDaprd() as daprd:
        r = run_wfctl("--url", daprd.url, "pause", "--status", "RUNNING", "--yes",
                      env={"XDG_DATA_HOME": str(tmp_path)})  # fmt: skip
        assert r.returncode == 2
        err = r.stderr.decode()
        assert "the Dapr HTTP API has no list call" in err and "wfctl serve" in err
