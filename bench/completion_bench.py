"""Dynamic shell completion vs `python -c pass`, side by side in one run (medians).

    python bench/completion_bench.py [--runs 40] [--instances 10000]

Builds a wfctl database with N instances in a temporary directory, then times, interleaved:
`python -c pass`; `wfctl __complete instances --db DB` (what a TAB after `wfctl status`
runs, through the installed console script); the same with `--prefix`; an HTTP-mode
completion from a full recent-instance record; and, for scale, `python -c "import typer"`.
Static completions (sub-commands, options, fixed values) start no process at all: the bash
loop at the end times the shell function alone and checks that `wfctl` was never run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def make_db(path: Path, n: int) -> None:
    try:
        from wfctl.engine.schema import connect
    except ImportError:
        con = sqlite3.connect(path, isolation_level=None)
        con.executescript(
            "CREATE TABLE workflows (name TEXT PRIMARY KEY, registered_at REAL NOT NULL);"
            "CREATE TABLE instances (id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT"
            " NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL, waiting_for TEXT);"
            "CREATE INDEX ix_instances_created ON instances(created_at);"
        )
    else:
        con = connect(path)
    cols = {r[1] for r in con.execute("PRAGMA table_info(instances)")}
    con.execute("BEGIN")
    for i in range(n):
        row = {
            "id": f"{i:08x}-4b1e-9c1a-{i:012d}",
            "name": "hello_world_wf",
            "status": "COMPLETED" if i % 3 else "RUNNING",
            "created_at": 1.7e9 + i,
            "updated_at": 1.7e9 + i,
            "root_id": f"{i:08x}-4b1e-9c1a-{i:012d}",
        }
        row = {k: v for k, v in row.items() if k in cols}
        con.execute(
            f"INSERT INTO instances ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()),
        )
    con.execute("INSERT INTO workflows (name, registered_at) VALUES ('hello_world_wf', 0)")
    con.execute("COMMIT")
    con.close()


def time_once(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    out = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0, out.stdout.count(b"\n")


def bash_static(env: dict[str, str], tmp: Path) -> str:
    """Time the bash completion function for static cases; check no process was started."""
    if shutil.which("bash") is None:
        return "bash not installed"
    log = tmp / "started.log"
    fake = tmp / "fakebin"
    fake.mkdir()
    (fake / "wfctl").write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    (fake / "wfctl").chmod(0o755)
    script = f"""
source {REPO / "completions" / "wfctl.bash"}
run() {{ COMP_LINE="$1"; COMP_POINT=${{#1}}; read -ra COMP_WORDS <<< "$1 "
  [[ $1 == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _wfctl; }}
TIMEFORMAT='%R'
for line in "wfctl st" "wfctl -o " "wfctl wait --for " "wfctl start --timeout 5"; do
  t=$( {{ time (for i in {{1..100}}; do run "$line"; done) ; }} 2>&1 )
  run "$line"
  printf '%s\t%s\t%s\n' "$line" "$t" "${{COMPREPLY[*]}}"
done
"""
    env = {**env, "PATH": f"{fake}:/usr/bin:/bin"}
    out = subprocess.run(
        ["bash", "--norc", "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    started = log.read_text() if log.exists() else ""
    report = []
    for row in out.stdout.splitlines():
        line, seconds, reply = row.split("\t")
        report.append(f"  {line!r:28} {float(seconds) * 10:5.2f} ms per TAB  -> {reply}")
    report.append(f"  processes started by these TABs: {len(started.splitlines())}")
    return "\n".join(report) + "\n" + out.stderr


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--instances", type=int, default=10_000)
    args = ap.parse_args()
    wfctl = shutil.which("wfctl") or str(Path(sys.executable).parent / "wfctl")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        db = tmp / "wf.db"
        make_db(db, args.instances)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WFCTL_", "DAPR_"))}
        env.update(XDG_DATA_HOME=str(tmp / "data"), XDG_CONFIG_HOME=str(tmp / "cfg"))
        sys.path.insert(0, str(REPO))
        os.environ.update(XDG_DATA_HOME=env["XDG_DATA_HOME"])
        from wfctl import recent

        for i in range(recent.MAX_INSTANCES):
            recent.record_instance("http://127.0.0.1:3500", f"inst-{i}", "hello_world_wf")
        emb = [wfctl, "__complete", "instances", "--embedded", "--db", str(db)]
        cases = {
            "python -c pass": [sys.executable, "-c", "pass"],
            f"wfctl __complete instances --embedded --db DB ({args.instances} rows)": emb,
            "  the same, --prefix 000026 (as bash asks)": [*emb, "--prefix", "000026"],
            f"wfctl __complete instances (HTTP, {recent.MAX_INSTANCES} recent)": [
                *emb[:3],
                "--url",
                "http://127.0.0.1:3500",
            ],
            'python -c "import typer" (for scale)': [sys.executable, "-c", "import typer"],
        }
        expected_lines = [0, args.instances, -1, recent.MAX_INSTANCES, 0]
        for argv in cases.values():  # warm the page cache
            time_once(argv, env)
        times: dict[str, list[float]] = {k: [] for k in cases}
        lines: dict[str, int] = {}
        for _ in range(args.runs):
            for name, argv in cases.items():
                t, n = time_once(argv, env)
                times[name].append(t)
                lines[name] = n
        for (name, n), want in zip(lines.items(), expected_lines, strict=True):
            if want >= 0 and n != want:
                raise SystemExit(f"{name}: printed {n} lines, expected {want}: not measuring it")
        base = statistics.median(times["python -c pass"])
        print(
            f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, "
            f"{os.cpu_count()} CPUs, {args.runs} runs each, interleaved; medians"
        )
        print(f"{'command':58} {'median':>9} {'x pass':>7} {'lines':>6}")
        for name in cases:
            m = statistics.median(times[name])
            print(f"{name:58} {m * 1000:7.1f}ms {m / base:6.2f}x {lines[name]:6d}")
        print()
        print("static completion in bash (the shell function alone, no process):")
        print(bash_static(env, tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
