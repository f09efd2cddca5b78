"""Helpers of the tests in tests/compat (their fixtures are in conftest.py; import these
from here, never from a conftest module)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

APPS = Path(__file__).parent / "apps"


ROOT = Path(__file__).resolve().parents[2]


class Run:
    """One finished ``wfctl exec`` process: exit code, stdout lines, stderr text."""

    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        self.lines = proc.stdout.splitlines()
        self.stderr = proc.stderr

    def ok(self) -> Run:
        assert self.code == 0, f"exit {self.code}\nstdout:\n{self.out}\nstderr:\n{self.stderr}"
        assert "Traceback" not in self.stderr, self.stderr
        return self

    @property
    def out(self) -> str:
        return "\n".join(self.lines)


def run_exec(
    app: str | Path,
    db: Path,
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 30,
) -> Run:
    """Run ``app`` in a fresh process: a ``.py`` name under tests/compat/apps, a Path, or
    any other string passed as is (a module name)."""
    path = APPS / app if isinstance(app, str) and app.endswith(".py") and "/" not in app else app
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env.pop("WFCTL_DB", None)
    cmd = [sys.executable, "-m", "wfctl", "--embedded", "--db", str(db), "exec", str(path), *args]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env=full_env, cwd=cwd or ROOT
    )
    return Run(proc)


def first_only(lines: Iterable[str], *prefixes: str) -> list[str]:
    """``lines`` with repeats of lines starting with one of ``prefixes`` dropped.

    Prints in workflow code not guarded by ``is_replaying`` repeat on every replay under a
    sidecar; wfctl keeps a live generator per instance and prints them once. Comparisons
    collapse such lines so that both are accepted.
    """
    seen: set[str] = set()
    out = []
    for line in lines:
        if line.startswith(prefixes):
            if line in seen:
                continue
            seen.add(line)
        out.append(line)
    return out
