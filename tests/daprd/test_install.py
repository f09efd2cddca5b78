"""scripts/install-daprd's promises that need no Go build: a cached release only prints its
directory (last line, exit 0), bad usage is one line and exit 2. (The build itself is
exercised by .ci/run, whose cache the rest of the tier uses.)"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "install-daprd"


def _run(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WFCTL_DAPRD_CACHE": str(cache), "GO": "/nonexistent/go"}
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=60)


def test_a_cached_release_prints_its_directory_and_builds_nothing(tmp_path: Path) -> None:
    d = tmp_path / "1.17.5"
    d.mkdir()
    for name in ("daprd", "placement", "scheduler"):
        (d / name).write_text("#!/bin/sh\n")
        (d / name).chmod(0o755)
    (d / "BUILD-INFO").write_text("version=1.17.5\n")
    p = _run("1.17.5", cache=tmp_path)  # GO points nowhere: a build attempt would fail
    assert (p.returncode, p.stdout.splitlines()[-1]) == (0, str(d)), p.stderr
    assert _run("v1.17.5", cache=tmp_path).stdout.splitlines()[-1] == str(d)


def test_bad_usage_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for args in (["1.17"], ["1.17.5", "extra"], ["1.17.5; rm -rf /"]):
        p = _run(*args, cache=tmp_path)
        assert p.returncode == 2 and p.stdout == "", (args, p)
        assert p.stderr.count("\n") == 1 and "install-daprd: bad version" in p.stderr
    p = subprocess.run(
        [str(SCRIPT)], capture_output=True, text=True, timeout=60,
        env={**os.environ, "WFCTL_DAPRD_CACHE": str(tmp_path), "WFCTL_DAPRD_COMPONENTS": "all"},
    )  # fmt: skip
    assert p.returncode == 2 and "must be 'lean' or 'stable'" in p.stderr
    assert not any(tmp_path.iterdir())  # nothing was made
