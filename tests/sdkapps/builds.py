"""Builds of the Go and Java worker apps (apps/go_worker, apps/java_worker) into a temp dir,
shared by tests/sdkapps and tests/daprd. Each returns the command that runs the app, or skips
the calling test saying why (no toolchain, a failed or too slow build)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.sdkapps.procs import APPS

GO_SOURCE = APPS / "go_worker"
JAVA_SOURCE = APPS / "java_worker"
#: The cases both apps' ``scenarios`` mode prints as ``CASE NAME PASS|FAIL ...``.
CASES = ["chain", "fan-out", "event", "timer", "child", "retry", "no-retry", "continue-as-new"]
CASES += ["terminate", "purge"]


def go_binary() -> str | None:
    return shutil.which("go") or shutil.which("go", path="/usr/local/go/bin")


def build_go(out_dir: Path, modfile: str = "go.mod") -> list[str]:
    """``go build -modfile=MODFILE`` of apps/go_worker into ``out_dir``."""
    go = go_binary()
    if go is None:
        pytest.skip("the Go worker needs `go` (on PATH or in /usr/local/go/bin)")
    out = out_dir / "go_worker"
    args = [go, "build", "-buildvcs=false", f"-modfile={modfile}", "-o", str(out), "."]
    try:
        r = subprocess.run(args, cwd=GO_SOURCE, capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        pytest.skip(f"go build -modfile={modfile} of apps/go_worker took over 900 s")
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["?"])[-1]
        pytest.skip(f"go build -modfile={modfile} of apps/go_worker failed: {last}")
    return [str(out)]


def _mvn(mvn: str, target: Path, offline: bool) -> subprocess.CompletedProcess[str]:
    args = [mvn, "-q", "-B", *(["-o"] if offline else []), f"-DworkerTarget={target}"]
    args += ["compile", "dependency:build-classpath", f"-Dmdep.outputFile={target / 'cp.txt'}"]
    return subprocess.run(args, cwd=JAVA_SOURCE, capture_output=True, text=True, timeout=600)


def build_java(target: Path) -> list[str]:
    """``mvn -q -o compile`` of apps/java_worker into ``target`` (one online ``mvn`` first
    when the local repository lacks the SDK or the plugins)."""
    java, mvn = shutil.which("java"), shutil.which("mvn")
    if not java or not mvn:
        pytest.skip("the Java worker needs `java` (17+) and `mvn` on PATH")
    try:
        r = _mvn(mvn, target, offline=True)
        if r.returncode != 0:  # not resolved yet: once from Maven Central
            r = _mvn(mvn, target, offline=False)
    except subprocess.TimeoutExpired:
        pytest.skip("mvn for apps/java_worker took over 600 s")
    if r.returncode != 0:
        lines = [s for s in r.stdout.splitlines() if "ERROR" in s] or ["?"]
        pytest.skip(f"mvn could not build apps/java_worker: {lines[0]}")
    classpath = f"{target / 'classes'}:{(target / 'cp.txt').read_text().strip()}"
    return [java, "-cp", classpath, "wfctl.Main"]


def passed_cases(lines: list[str]) -> list[str]:
    """The cases of CASES a ``scenarios`` run printed as PASS."""
    return [c for c in CASES if any(s.startswith(f"CASE {c} PASS ") for s in lines)]
