"""Instances belong to the app that started them: an engine drives only its own app's
instances (and those with no owner, e.g. from files written before owners were recorded)."""

from __future__ import annotations

import sqlite3

from tests.engine import sample_app
from wfctl import demo
from wfctl.engine import schema
from wfctl.engine.appid import app_identity
from wfctl.engine.registry import DEMO_APP, Registry
from wfctl.engine.store import Store
from wfctl.engine.worker import Engine
from wfctl.model import RuntimeStatus
from wfctl.workflow.loader import load_app


def _registry(identity: str | None) -> Registry:
    return Registry(identity).merge(sample_app.registry)


def test_an_engine_leaves_another_apps_instance_of_the_same_name_alone(db):
    s = Store(db)
    s.instances.create_instance("theirs", "chain", "2", app="/apps/theirs.py")
    s.instances.create_instance("mine", "chain", "2", app="/apps/mine.py")
    mine = Engine(db, _registry("/apps/mine.py"))
    try:
        assert mine.drive(limit=10) is True  # idle: the other app's work is not its own
    finally:
        mine.close()
    assert s.instances.get_state("mine").runtime_status == RuntimeStatus.COMPLETED
    assert s.instances.get_state("theirs").runtime_status == RuntimeStatus.PENDING
    assert s.instances.history("theirs") == []
    theirs = Engine(db, _registry("/apps/theirs.py"))
    try:
        theirs.drive(["theirs"], limit=10)
    finally:
        theirs.close()
    assert s.instances.get_state("theirs").runtime_status == RuntimeStatus.COMPLETED
    s.close()


def test_activity_tasks_of_another_app_are_not_claimed(db):
    s = Store(db)
    s.instances.create_instance("a", "chain", "1", app="/apps/a.py")
    me = "test:1:x"
    (item,) = s.dispatch.claim_turns(me, app="/apps/a.py")
    assert item.app == "/apps/a.py"
    s.leases.release(me)
    from wfctl.engine.history import ScheduleTask, TurnResult

    (item,) = s.dispatch.claim_turns(me, app="/apps/a.py")
    s.dispatch.apply_turns(
        me, [(item, TurnResult(actions=[ScheduleTask(1, "inc", "0")]))], claim_tasks=False
    )
    assert s.queues.claim_tasks("other", app="/apps/b.py") == []
    assert s.queues.busy(app="/apps/b.py") is False and s.queues.busy(app="/apps/a.py") is True
    (task,) = s.queues.claim_tasks("owner", app="/apps/a.py")
    assert task.name == "inc"
    s.close()


def test_children_belong_to_their_parents_app(db):
    s = Store(db)
    s.instances.create_instance("p", "parent", "2", app="/apps/p.py")
    e = Engine(db, _registry("/apps/p.py"))
    try:
        e.drive(["p"], limit=10)
    finally:
        e.close()
    assert s.instances.get_state("p").runtime_status == RuntimeStatus.COMPLETED
    rows = s.db.read("SELECT DISTINCT app FROM instances")
    assert rows == [("/apps/p.py",)]
    s.close()


def test_instances_with_no_owner_are_driven_by_any_app_knowing_the_name(db):
    s = Store(db)
    s.instances.create_instance("legacy", "chain", "1")
    e = Engine(db, _registry("/apps/any.py"))
    try:
        e.drive(["legacy"], limit=10)
    finally:
        e.close()
    assert s.instances.get_state("legacy").runtime_status == RuntimeStatus.COMPLETED
    s.close()


def test_a_version_1_file_is_migrated_and_its_instances_still_run(db):
    c = sqlite3.connect(db, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.executescript(schema.MIGRATIONS[0])
    c.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at REAL)")
    c.execute("INSERT INTO schema_version VALUES (1, 0)")
    c.close()
    s = Store(db)  # a version-1 file written before instances had owners
    assert s.db.read("SELECT max(version) FROM schema_version") == [(schema.SCHEMA_VERSION,)]
    s.instances.create_instance("old", "chain", "1")
    e = Engine(db, _registry(DEMO_APP))
    try:
        e.drive(["old"], limit=10)
    finally:
        e.close()
    assert s.instances.get_state("old").runtime_status == RuntimeStatus.COMPLETED
    s.close()


def test_app_identity_is_known_without_importing_the_app(tmp_path, monkeypatch):
    app = tmp_path / "app.py"
    app.write_text("raise SystemExit('must not be imported')\n")
    monkeypatch.chdir(tmp_path)
    assert app_identity(None) == DEMO_APP == load_app(None, default=demo.registry).app_identity
    assert app_identity("app.py") == str(app.resolve())
    assert app_identity(f"{app}:wfr") == str(app.resolve())
    assert app_identity("pkg.mod:wfr") == "pkg.mod"
