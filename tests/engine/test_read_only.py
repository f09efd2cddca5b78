"""A database wfctl cannot write because something is read-only — the file system, the
directory, the file — is named with its cause and path, not SQLite's "unable to open database
file". Real file systems: root ignores permission bits, so the file system is a tmpfs mounted
read-only in a mount namespace of the test's own, and the directory is made immutable."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.engine.support import in_mount_namespace, run_wfctl, stored_db
from wfctl.model import ExitCode


def test_a_read_only_file_system_is_named_with_the_path(tmp_path: Path) -> None:
    done = in_mount_namespace("tests.engine.read_only_fs", tmp_path, timeout=300)
    mnt = tmp_path / "mnt"
    for command, (code, err) in json.loads(done.stdout).items():
        path = mnt / ("new.db" if command == "new file" else "wf.db")
        assert code == ExitCode.STORAGE, (command, err)
        assert err == (
            f"Error: the database {path} is on a read-only file system (SQLite writes its "
            "-wal and -shm files beside it): remount it read-write or use a --db on a "
            "writable file system\n"
        ), command


def _read_only_dir(path: Path):  # type: ignore[no-untyped-def]
    """chmod for ordinary users; chattr +i for root (which ignores permissions)."""
    if os.geteuid() != 0:
        path.chmod(0o555)
        return lambda: path.chmod(0o755)
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a directory read-only for root here")
    return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_read_only_directory_is_named_with_the_path(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    db = stored_db(folder / "wf.db")  # closed: its -wal and -shm are gone, to be made again
    undo = _read_only_dir(folder)
    try:
        done = run_wfctl("--embedded", "--db", str(db), "status", "x", "-q")
    finally:
        undo()
    assert done.returncode == ExitCode.STORAGE, done.stderr
    assert done.stderr == (
        f"Error: the database {db} is in a read-only directory {folder} (SQLite writes its "
        "-wal and -shm files beside it): make the directory writable or use another --db\n"
    )
