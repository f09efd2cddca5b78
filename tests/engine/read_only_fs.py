"""A real read-only file system, for test_read_only: ``python -m tests.engine.read_only_fs DIR``,
run in a mount namespace of its own (``unshare -m``, or ``unshare -rm`` without root) so that
the tmpfs it mounts on DIR/mnt vanishes with it.

A wfctl database is made there, the tmpfs is remounted read-only, and then wfctl commands run
against it: each one's exit code and stderr are printed as one JSON object keyed by the
command. Root cannot write there either (permission bits do not bind root; a read-only mount
does). Exit 77 when no tmpfs can be mounted or remounted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _run(*args: str) -> list[object]:
    done = subprocess.run(
        [sys.executable, "-m", "wfctl", *args], capture_output=True, text=True, timeout=120
    )
    return [done.returncode, done.stderr]


def main(root: Path) -> int:
    mnt = root / "mnt"
    mnt.mkdir(exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        print(f"cannot mount a tmpfs: {mounted.stderr.strip()}", file=sys.stderr)
        return 77
    db = str(mnt / "wf.db")
    made = _run("--embedded", "--db", db, "start", "hello_world_wf", "--id", "a", "--detach")
    if made[0] != 0:
        print(f"cannot make the database: {made[1]}", file=sys.stderr)
        return 1
    ro = subprocess.run(["mount", "-o", "remount,ro", str(mnt)], capture_output=True, text=True)
    if ro.returncode != 0:
        print(f"cannot remount the tmpfs read-only: {ro.stderr.strip()}", file=sys.stderr)
        return 77
    out = {
        "status": _run("--embedded", "--db", db, "status", "a", "-q"),
        "start": _run("--embedded", "--db", db, "start", "hello_world_wf", "--detach"),
        "new file": _run("--embedded", "--db", str(mnt / "new.db"), "start", "hello_world_wf"),
        "worker": _run("--db", db, "worker"),
        "serve": _run("--db", db, "serve", "--port", "0"),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
