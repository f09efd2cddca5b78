"""A real full disk, for test_storage_faults: ``python -m tests.engine.full_disk DIR``, run in a
mount namespace of its own (``unshare -m``, or ``unshare -rm`` without root) so that the small
tmpfs it mounts on DIR/mnt vanishes with it.

The engine file lives on that tmpfs. A three-step chain runs under ``Engine.run_forever``; the
first activity fills the disk (a ballast file) and returns a result too big for the WAL to take,
so the commit that records it fails with "database or disk is full". Once the engine has said so
(its log line), the ballast goes and the run must complete. Prints one JSON object: how many
times each activity ran while the disk was full and in all, the final status and the engine's
log lines. Exit 77 when no tmpfs can be mounted here.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from wfctl.workflow.runtime import WorkflowRuntime

wfr = WorkflowRuntime()
HERE: dict[str, Path] = {}


def _ran(ctx: object) -> None:
    with open(HERE["side"], "a") as f:  # outside the tmpfs: always has room
        f.write(f"{ctx.task_id}\n")  # type: ignore[attr-defined]


def _fill(path: Path) -> None:
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                f.write(chunk)
        except OSError:
            pass
        try:
            while True:  # the last few bytes too: not even one WAL page may fit
                f.write(b"\0")
        except OSError:
            pass


@wfr.activity
def step(ctx, n):
    _ran(ctx)
    if n == 0:
        _fill(HERE["ballast"])
        return "x" * 200_000  # the WAL must grow to record it: it cannot
    return n


@wfr.workflow
def chain3(ctx, _):
    out = []
    for n in range(3):
        r = yield ctx.call_activity(step, input=n)
        out.append(len(r) if isinstance(r, str) else r)
    return out


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.full = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage()
        self.lines.append(line)
        if "full" in line:
            self.full.set()


def _wait(cond, what: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not cond():
        if time.monotonic() > deadline:
            raise SystemExit(f"full_disk: timed out waiting for {what}")
        time.sleep(0.02)


def main(root: Path) -> int:
    mnt = root / "mnt"
    mnt.mkdir(exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        print(f"cannot mount a tmpfs: {done.stderr.strip()}", file=sys.stderr)
        return 77
    HERE.update(side=root / "side", ballast=mnt / "ballast")
    from wfctl.engine.store import Store
    from wfctl.engine.worker import Engine

    lines = _Lines()
    logging.getLogger("wfctl.engine").addHandler(lines)
    db = mnt / "wf.db"
    engine = Engine(db, wfr.registry)
    client = Store(db)
    client.instances.create_instance("full", "chain3", "null")
    stop = threading.Event()
    loop = threading.Thread(target=engine.run_forever, args=(stop,))
    loop.start()
    try:
        _wait(lines.full.is_set, "the engine's 'full' log line")
        # Several attempts to commit, each after computing the next turn: none may run an
        # activity again (each one did, before).
        _wait(lambda: engine.failed_writes >= 3, "three failed commits")
        during = Counter(HERE["side"].read_text().split())
        os.unlink(HERE["ballast"])
        _wait(
            lambda: client.instances.get_state("full").runtime_status.is_terminal, "the run's end"
        )
        state = client.instances.get_state("full")
    finally:
        stop.set()
        from wfctl.engine.store import HUB

        HUB.bump()
        loop.join(60)
        engine.close()
        client.close()
    print(
        json.dumps(
            {
                "during": during,
                "after": Counter(HERE["side"].read_text().split()),
                "status": state.runtime_status.value,
                "output": state.serialized_output,
                "log": lines.lines,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
