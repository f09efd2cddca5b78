#!/usr/bin/env python3
"""The SDK version matrix: the SDK-app tests (tests/sdkapps: chains, timers + event + child
workflow, an HTTP-started workflow on the SDK worker, kill -9 of serve and of the app) run
with each Dapr Python SDK release in its own venv, then durabletask-js under node, a
durabletask-go worker (tests/sdkapps/apps/go_worker, built with ``go``) and a Java
dapr-sdk-workflows worker (tests/sdkapps/apps/java_worker, built with ``mvn``).

    python bench/grpc_matrix.py [--venvs DIR] [--only 1.19.0,1.18.3,1.17.5,js,go,java] [-k EXPR]

Venvs are made once under DIR (default ~/.cache/wfctl-bench/sdk-venvs; about a minute
each, from PyPI) and reused. 1.19.0 is this venv's own dapr. Prints one line per SDK
(``sdk RESULT SECONDS``) and exits 1 when any failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What each release needs: 1.18 moved the Durable Task client into dapr-ext-workflow;
#: 1.17 still uses the durabletask-dapr fork (no capabilities, no cached history).
SDKS: dict[str, list[str] | None] = {
    "1.19.0": None,
    "1.18.3": ["dapr==1.18.3", "dapr-ext-workflow==1.18.3"],
    "1.17.5": ["dapr==1.17.5", "dapr-ext-workflow==1.17.5", "durabletask-dapr==0.17.4"],
}
PY_TESTS = ["tests/sdkapps/test_python_sdk.py", "tests/sdkapps/test_crash.py"]
#: The other languages' workers: name in --only -> (SDK shown, test files).
OTHER_SDKS: dict[str, tuple[str, list[str]]] = {
    "js": ("durabletask-js-1.0.0", ["tests/sdkapps/test_node_sdk.py"]),
    "go": ("durabletask-go-0.11.3+0.12.1", ["tests/sdkapps/test_go_worker.py"]),
    "java": ("dapr-sdk-workflows-1.17.1", ["tests/sdkapps/test_java_worker.py"]),
}


def venv_python(venvs: Path, version: str, pins: list[str]) -> str:
    d = venvs / f"dapr-{version}"
    py = d / "bin" / "python"
    stamp = d / "installed.txt"
    if not stamp.exists() or stamp.read_text() != " ".join(pins):
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(d)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *pins], check=True)
        stamp.write_text(" ".join(pins))
    return str(py)


def pytest_run(tests: list[str], env: dict[str, str], k: str | None) -> tuple[bool, str]:
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests]
    if k:
        cmd += ["-k", k]
    p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    lines = p.stdout.strip().splitlines()
    summary = lines[-1] if lines else p.stderr.strip()[-200:]
    if p.returncode != 0:
        sys.stderr.write(p.stdout[-6000:] + p.stderr[-2000:])
    return p.returncode == 0, summary


def report(sdk: str, ok: bool, since: float, summary: str) -> None:
    print(f"{sdk} {'PASS' if ok else 'FAIL'} {time.perf_counter() - since:.0f}s  {summary}")
    sys.stdout.flush()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--venvs", type=Path, default=Path.home() / ".cache/wfctl-bench/sdk-venvs")
    ap.add_argument("--only", default=",".join([*SDKS, *OTHER_SDKS]))
    ap.add_argument("-k", default=None, help="pytest -k expression, to run a subset")
    a = ap.parse_args()
    wanted = a.only.split(",")
    ok_all = True
    for version, pins in SDKS.items():
        if version not in wanted:
            continue
        env = {k: v for k, v in os.environ.items() if k != "WFCTL_SDK_PYTHON"}
        if pins:
            env["WFCTL_SDK_PYTHON"] = venv_python(a.venvs, version, pins)
        t = time.perf_counter()
        ok, summary = pytest_run(PY_TESTS, env, a.k)
        ok_all &= ok
        report(f"dapr-{version}", ok, t, summary)
    for key, (sdk, tests) in OTHER_SDKS.items():
        if key not in wanted:
            continue
        t = time.perf_counter()
        ok, summary = pytest_run(tests, dict(os.environ), a.k)
        ok_all &= ok and "skipped" not in summary
        report(sdk, ok, t, summary)
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
