"""Start-up time of wfctl, side by side with its baselines, in one run.

    python bench/startup.py [--runs N]

Measures the median wall time of fresh processes in interleaved rounds (output to /dev/null):
``python -c pass``, ``import typer``, ``import httpx``, ``wfctl --version``, ``wfctl --help``,
``wfctl status ID -o json`` against a local fake daprd (tests/http/fakedaprd.py, in this
process's thread) and, with the grpc extra installed, ``import grpc`` and the same command over
``--grpc-endpoint`` against the recording servicer of tests/grpcclient; it prints each with its
ratio to the target's baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.http.fakedaprd import FakeDaprd  # noqa: E402


def _grpc_server():  # the recording servicer of tests/grpcclient, when the grpc extra is there
    try:
        from tests.grpcclient.servicer import MemoryServicer, serving
    except ImportError:
        return None, None
    sv = MemoryServicer()
    sv.add("bench-1", name="hello_world_wf", status=1)
    return sv, serving(sv)


def once_ms(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    ms = (time.perf_counter() - t) * 1000
    if p.returncode != 0:
        raise SystemExit(f"{cmd} failed ({p.returncode}): {p.stderr.decode()}")
    return ms


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=21)
    runs = ap.parse_args().runs
    py = sys.executable
    script = Path(py).with_name("wfctl")
    wfctl = [str(script)] if script.exists() else [py, "-m", "wfctl"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAPR_", "WFCTL_"))}
    # As on a user's machine: wfctl's .pyc files are written once (pip writes them for the
    # installed libraries); with PYTHONDONTWRITEBYTECODE every run would compile wfctl anew.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    _, grpc_server = _grpc_server()
    with FakeDaprd() as d, grpc_server or _Nothing() as endpoint:
        d.add("bench-1", name="hello_world_wf", status="COMPLETED", input='"world"')
        rows = [
            ("python -c pass", [py, "-c", "pass"], None, None),
            ("python -c 'import typer'", [py, "-c", "import typer"], None, None),
            ("python -c 'import httpx'", [py, "-c", "import httpx"], None, None),
            ("wfctl --version", [*wfctl, "--version"], "python -c pass", 3),
            ("wfctl --help", [*wfctl, "--help"], "python -c pass", 10),
            (
                "wfctl status ID -o json (local server)",
                [*wfctl, "--url", d.url, "status", "bench-1", "-o", "json"],
                "python -c 'import httpx'",
                2,
            ),
        ]
        if endpoint:
            rows += [
                ("python -c 'import grpc'", [py, "-c", "import grpc"], None, None),
                (
                    "wfctl status ID -o json (gRPC)",
                    [*wfctl, "--grpc-endpoint", endpoint, "status", "bench-1", "-o", "json"],
                    "python -c 'import grpc'",
                    2,
                ),
            ]
        for _, cmd, _, _ in rows:  # warm the page cache and .pyc files
            once_ms(cmd, env)
        # Interleaved rounds, so that load from elsewhere hits every row alike.
        samples: dict[str, list[float]] = {name: [] for name, _, _, _ in rows}
        for _ in range(runs):
            for name, cmd, _, _ in rows:
                samples[name].append(once_ms(cmd, env))
        results = {name: statistics.median(xs) for name, xs in samples.items()}
    print(f"median of {runs} interleaved rounds, {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"{'command':44} {'ms':>7}  ratio  target")
    for name, _, base, limit in rows:
        ms = results[name]
        if base is None:
            print(f"{name:44} {ms:7.1f}")
            continue
        ratio = ms / results[base]
        verdict = "ok" if ratio <= limit else "OVER"
        print(f"{name:44} {ms:7.1f}  {ratio:4.1f}x  <= {limit}x {base}  {verdict}")


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


if __name__ == "__main__":
    main()
