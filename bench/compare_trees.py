"""Start-up of two wfctl source trees side by side, in interleaved rounds (medians).

    python bench/compare_trees.py OLD_TREE NEW_TREE [--runs 21]

For a refactoring that must not cost start-up: each command runs as ``python -m wfctl ...``
with ``PYTHONPATH`` set to one tree or the other (same interpreter, same libraries, same
load), alternating, so load from elsewhere hits both alike. Rows: ``--version``, ``--help``,
``status ID -o json`` against a local fake daprd (tests/http/fakedaprd.py), and the
completion fast path over a database of 10,000 instances (all, and with a prefix). A tree
is a checkout, e.g. ``git worktree add --detach /tmp/old <commit>``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.completion_bench import make_db  # noqa: E402
from tests.http.fakedaprd import FakeDaprd  # noqa: E402


def once_ms(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return (time.perf_counter() - t) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DAPR_", "WFCTL_"))}
    base.pop("PYTHONDONTWRITEBYTECODE", None)  # .pyc written once, as after a pip install
    envs = {
        tree: {**base, "PYTHONPATH": str(Path(getattr(args, tree)).resolve())}
        for tree in ("old", "new")
    }
    py = [sys.executable, "-m", "wfctl"]
    with tempfile.TemporaryDirectory() as tmp, FakeDaprd() as d:
        db = Path(tmp) / "wf.db"
        make_db(db, 10_000)
        d.add("bench-1", name="hello_world_wf", status="COMPLETED", input='"world"')
        rows = {
            "wfctl --version": [*py, "--version"],
            "wfctl --help": [*py, "--help"],
            "wfctl status ID -o json (fake daprd)": [*py, "--url", d.url, "status", "bench-1",
                                                     "-o", "json"],
            "__complete instances (10000 rows)": [*py, "__complete", "instances", "--embedded",
                                                  "--db", str(db)],
            "__complete instances --prefix": [*py, "__complete", "instances", "--embedded",
                                              "--db", str(db), "--prefix", "000026"],
        }  # fmt: skip
        for cmd in rows.values():  # warm caches and write each tree's .pyc files
            for env in envs.values():
                once_ms(cmd, env)
        samples: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.runs):
            for name, cmd in rows.items():
                for tree, env in envs.items():
                    samples.setdefault((name, tree), []).append(once_ms(cmd, env))
    print(f"median of {args.runs} interleaved rounds, {sys.version.split()[0]}, python -m wfctl")
    print(f"{'command':40} {'old ms':>8} {'new ms':>8}  new/old")
    for name in rows:
        old = statistics.median(samples[(name, "old")])
        new = statistics.median(samples[(name, "new")])
        print(f"{name:40} {old:8.1f} {new:8.1f}  {new / old:6.2f}")


if __name__ == "__main__":
    main()
