"""Storage faults at every entry: a full disk, a read-only, corrupt or foreign file, a file
that becomes unusable while `worker` or `serve` runs. Real files, real processes."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.engine.support import (
    REPO,
    clean_env,
    in_mount_namespace,
    make_engine,
    run_wfctl,
    stored_db,
)
from tests.engine.test_store import _make_read_only
from tests.server.proc import ServerProc
from wfctl.engine.store import HUB, Store
from wfctl.model import ExitCode, RuntimeStatus, StorageError

APP = str(Path(__file__).with_name("sample_app.py"))


def _wait_for(cond, what: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


# ------------------------------------------------------------------ a full disk
@pytest.mark.timeout(240)  # longer than the suite's 120 s: the run gets 180 s
def test_a_full_disk_runs_no_activity_twice_and_the_run_completes_once_space_is_back(tmp_path):
    """A real full disk (a 2 MB tmpfs in a mount namespace of its own): the commit of the
    first activity's result fails; while the engine retries it, no activity runs again
    (before the fix the next one ran once per retry); freed space lets the run complete."""
    done = in_mount_namespace("tests.engine.full_disk", tmp_path, timeout=180)
    report = json.loads(done.stdout)
    assert report["during"] == {"1": 1}, report
    assert report["after"] == {"1": 1, "2": 1, "3": 1}, report
    assert report["status"] == "COMPLETED" and report["output"] == "[200000, 1, 2]"
    full = [line for line in report["log"] if "full" in line]
    assert len(full) == 1 and "free some space" in full[0], report["log"]
    assert "Traceback" not in done.stderr


def test_a_full_file_keeps_the_result_retries_with_back_off_and_logs_once(tmp_path, caplog):
    """SQLite's max_page_count on the engine's own connection: every write that needs a new
    page fails with SQLITE_FULL, as on a full disk."""
    db, side = tmp_path / "wf.db", tmp_path / "side"
    os.environ["WFCTL_TEST_SIDE"] = str(side)
    engine = make_engine(db)
    client = Store(db)
    try:
        client.instances.create_instance("f", "chain", "40")
        conn = engine.store.db._conn
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages}")
        stop = threading.Event()
        loop = threading.Thread(target=engine.run_forever, args=(stop,))
        loop.start()
        try:
            _wait_for(lambda: engine.failed_writes >= 4, "four failed commits")
            ran = side.read_text().splitlines()
            assert len(ran) == len(set(ran)), ran  # no activity ran twice
            conn.execute("PRAGMA max_page_count=1073741823")
            _wait_for(lambda: client.instances.get_state("f").runtime_status.is_terminal, "the end")
        finally:
            stop.set()
            HUB.bump()
            loop.join(60)
        state = client.instances.get_state("f")
        assert state.runtime_status == RuntimeStatus.COMPLETED and state.serialized_output == "40"
        ran = side.read_text().splitlines()
        assert sorted(ran) == sorted(f"f:{i}" for i in range(1, 41))
        full = [r for r in caplog.records if "full" in r.getMessage()]
        assert len(full) == 1, [r.getMessage() for r in caplog.records]
        assert engine.failed_writes == 0
    finally:
        del os.environ["WFCTL_TEST_SIDE"]
        engine.close()
        client.close()


# ------------------------------------------------------------------ read-only, corrupt
def _status(db: Path, iid: str) -> RuntimeStatus | None:
    s = Store(db)
    try:
        state = s.instances.get_state(iid)
        return None if state is None else state.runtime_status
    finally:
        s.close()


@pytest.mark.parametrize("command", ["worker", "serve"])
def test_worker_and_serve_refuse_a_read_only_file_at_start(tmp_path, command):
    db = stored_db(tmp_path / "wf.db")
    undo = _make_read_only(db)
    try:
        extra = ["--port", "0"] if command == "serve" else []
        done = run_wfctl("--db", str(db), "--app", APP, command, *extra)
    finally:
        undo()
    assert done.returncode == ExitCode.STORAGE, done.stderr
    assert (
        done.stderr
        == f"Error: the database {db} is read-only: make it writable or use another --db\n"
    )
    assert "listening" not in done.stdout


def _corrupt_pages(db: Path) -> None:
    """A real SQLite file (its header and schema page intact) whose other pages are noise:
    it opens, and fails on the first query that reads them."""
    s = Store(db)
    for i in range(300):
        s.instances.create_instance(f"i{i}", "chain", '"x"' * 20)
    s.db.checkpoint()
    s.close()
    size = db.stat().st_size
    with open(db, "r+b") as f:
        for page in range(3, size // 4096):
            f.seek(page * 4096)
            f.write(os.urandom(4096))


@pytest.mark.parametrize("damage", ["header", "pages"])
@pytest.mark.parametrize("command", ["worker", "serve"])
def test_worker_and_serve_stop_on_a_corrupt_file(tmp_path, command, damage):
    """Not a retry of "corrupt" every second, forever: exit 8 with the CLI's one line."""
    db = tmp_path / "wf.db"
    if damage == "header":
        db.write_bytes(b"not an SQLite file, just text " * 200)
    else:
        _corrupt_pages(db)
    extra = ["--port", "0"] if command == "serve" else []
    done = run_wfctl("--db", str(db), "--app", APP, command, *extra)
    assert done.returncode == ExitCode.STORAGE
    assert done.stderr.count("\n") == 1 and "is corrupt" in done.stderr, done.stderr


def _break_schema(db: Path) -> None:
    """Another program damages the file while wfctl runs: the engine's next query fails."""
    c = sqlite3.connect(db, timeout=60)
    c.execute("DROP TABLE inbox")
    c.commit()
    c.close()


def test_worker_stops_with_exit_8_when_the_file_becomes_unusable(tmp_path):
    db = stored_db(tmp_path / "wf.db")
    proc = subprocess.Popen(
        [sys.executable, "-m", "wfctl", "--db", str(db), "--app", APP, "worker"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
        cwd=REPO,
    )
    try:
        # The worker ran the stored instance: it is up and polling the file.
        _wait_for(
            lambda: _status(db, "x") == RuntimeStatus.COMPLETED,
            "the worker to run the stored instance",
        )
        _break_schema(db)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == ExitCode.STORAGE, err
    assert err.count("\n") == 1 and "no such table: inbox" in err and "Traceback" not in err


def test_serve_stops_with_exit_8_when_the_file_becomes_unusable(tmp_path):
    db = stored_db(tmp_path / "wf.db")
    server = ServerProc(db, extra=["--app", APP])
    try:
        server.wait_status("x", {"COMPLETED"})
        _break_schema(db)
        code = server.proc.wait(60)
    finally:
        server.stop()
    err = "".join(server.stderr)
    assert code == ExitCode.STORAGE, err
    # python -m wfctl.server is `wfctl serve`: the CLI's one error line.
    said = [ln for ln in err.splitlines() if "cannot use the database" in ln]
    assert len(said) == 1 and said[0].startswith("Error: "), err
    assert "no such table: inbox" in said[0]
    assert "Traceback" not in err and "unexpectedly" not in err


def test_serve_on_sigterm_prints_no_thread_traceback(tmp_path):
    db = stored_db(tmp_path / "wf.db")
    server = ServerProc(db, extra=["--app", APP])
    server.wait_status("x", {"COMPLETED"})
    assert server.stop(signal.SIGTERM) == 0
    assert "Traceback" not in "".join(server.stderr)


# ------------------------------------------------------------------ someone else's file
def _foreign(path: Path) -> str:
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    c.execute("INSERT INTO notes (text) VALUES ('mine')")
    c.commit()
    c.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _untouched(path: Path, digest: str) -> None:
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name)) == [
        path.name
    ]


NOT_OURS = "is not a wfctl database"


def test_store_refuses_a_foreign_file_and_leaves_it_alone(tmp_path):
    db = tmp_path / "other.db"
    digest = _foreign(db)
    with pytest.raises(StorageError, match=NOT_OURS):
        Store(db)
    _untouched(db, digest)


@pytest.mark.parametrize(
    "args",
    [
        ["--embedded", "start", "chain", "--input", "1"],
        ["--embedded", "list"],
        ["--embedded", "status", "x"],
        ["worker"],
        ["serve", "--port", "0"],
        ["exec", str(REPO / "tests" / "compat" / "apps" / "chain_app.py")],
    ],
    ids=["start", "list", "status", "worker", "serve", "exec"],
)
def test_every_entry_refuses_a_foreign_file_with_exit_8(tmp_path, args):
    db = tmp_path / "other.db"
    digest = _foreign(db)
    app = [] if args[0] == "exec" else ["--app", APP]
    done = run_wfctl("--db", str(db), *app, *args)
    assert done.returncode == ExitCode.STORAGE, (done.stdout, done.stderr)
    assert NOT_OURS in done.stderr and done.stderr.count("\n") == 1, done.stderr
    _untouched(db, digest)


def test_completion_reads_do_not_touch_a_foreign_file(tmp_path, capsys):
    from wfctl import _complete

    db = tmp_path / "other.db"
    digest = _foreign(db)
    for kind in ("instances", "workflows"):
        assert _complete.main([kind, "--embedded", "--db", str(db)]) == 0
    assert capsys.readouterr().out == ""
    _untouched(db, digest)


def test_a_background_worker_that_stops_says_why_in_one_log_line(tmp_path, caplog):
    """What an app's WorkflowRuntime (under `exec`) runs: no owner reports for it."""
    from tests.engine import sample_app
    from wfctl.engine.background import start_worker

    db = stored_db(tmp_path / "wf.db")
    handle = start_worker(db, sample_app.registry)
    try:
        _wait_for(
            lambda: _status(db, "x") == RuntimeStatus.COMPLETED,
            "the worker to run the stored instance",
        )
        _break_schema(db)
        _wait_for(lambda: not handle.running, "the worker to stop")
    finally:
        handle.stop(30)
    assert isinstance(handle.error, StorageError)
    lines = [r.getMessage() for r in caplog.records if "stopped" in r.getMessage()]
    assert len(lines) == 1 and "no such table: inbox" in lines[0], lines
    assert not any(r.exc_info for r in caplog.records)
