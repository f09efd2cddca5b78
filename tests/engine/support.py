"""Helpers of the tests in tests/engine (their fixtures are in conftest.py; import these
from here, never from a conftest module)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def make_engine(path, registry=None, **kw):
    from tests.engine import sample_app
    from wfctl.engine.worker import Engine

    registry = registry or sample_app.registry
    return Engine(path, registry, **kw)


def make_timers_due(path: str | Path) -> int:
    """Bring every pending durable timer in the file at ``path`` due now, as if the clock had
    moved past it; the number of timers moved. For processes whose clock a test cannot
    inject (``wfctl exec``, the CLI): the workflow asks for a long timer and the test moves
    it, rather than sleeping until a short one is due."""
    import sqlite3
    import time

    now = time.time()
    c = sqlite3.connect(path)
    try:
        with c:
            cur = c.execute(
                "UPDATE inbox SET visible_at = ? WHERE kind = 'TimerFired' AND visible_at > ?",
                (now, now),
            )
        return cur.rowcount
    finally:
        c.close()


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment less wfctl's and Dapr's settings, wfctl importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WFCTL_", "DAPR_"))}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def run_wfctl(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m wfctl ARGS`` in a clean environment, to its end."""
    return subprocess.run(
        [sys.executable, "-m", "wfctl", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=clean_env(**env),
        cwd=REPO,
    )


def stored_db(path: Path) -> Path:
    """A store file at ``path`` holding one instance ("x")."""
    from wfctl.engine.store import Store

    s = Store(path)
    s.instances.create_instance("x", "chain", "1")
    s.close()
    return path


def in_mount_namespace(
    module: str, tmp_path: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Runs ``python -m MODULE TMP_PATH`` in a mount namespace of its own (where it mounts a
    small or read-only tmpfs), to its end. Skips the test where no namespace can be made;
    fails it when the module fails."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed")
    cmd = ["unshare", "-m", "--propagation", "private"]
    if os.geteuid() != 0:
        cmd.insert(1, "-r")
    done = subprocess.run(
        [*cmd, sys.executable, "-m", module, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env=clean_env(),
    )
    if done.returncode == 77 or "unshare failed" in done.stderr:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    return done
