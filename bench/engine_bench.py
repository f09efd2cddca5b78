#!/usr/bin/env python3
"""wfctl's embedded engine, measured side by side with DBOS (the peer) in the same run.

    python bench/engine_bench.py [throughput] [latency] [steps] [scale] [process]
        [--rounds 5] [--n 300] [--dbos-python /work/venv-dbos/bin/python]

Every run gets a fresh SQLite file in a temporary directory. wfctl's workloads are Dapr apps
(``bench/apps``) run exactly as ``wfctl --embedded exec APP`` runs them
(``wfctl.workflow.loader.exec_app``), with the engine's default durability: WAL and
synchronous=FULL, as DBOS's SQLite system database uses (it sets WAL + busy_timeout and
leaves synchronous at SQLite's default, FULL). Results print as lines of ``name value``.
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEER = Path("/work/shared/bench/peer_dbos.py")
EXEC = (
    "import sys; from wfctl.workflow.loader import exec_app;"
    "sys.exit(exec_app(sys.argv[1], sys.argv[3:], db_path=sys.argv[2]))"
)


def run(cmd: list[str], **kw) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT, **kw)
    if out.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return out.stdout


def fresh(tmp: Path, name: str) -> str:
    p = tmp / name
    for suffix in ("", "-wal", "-shm"):
        Path(str(p) + suffix).unlink(missing_ok=True)
    return str(p)


def wfctl_app(tmp: Path, app: str, *args: str) -> str:
    return run([sys.executable, "-c", EXEC, str(HERE / "apps" / app), fresh(tmp, "w.db"), *args])


def value(text: str, key: str) -> float:
    for line in text.splitlines():
        parts = line.split()
        if parts and parts[0] == key:
            return float(parts[1])
    raise SystemExit(f"no {key} in output:\n{text}")


def throughput(tmp: Path, a: argparse.Namespace) -> None:
    ours, peer = [], []
    for _ in range(a.rounds):  # alternate, so both see the same machine
        peer.append(value(run([a.dbos_python, str(PEER), str(a.n), fresh(tmp, "p.db")]), "RATE"))
        ours.append(value(wfctl_app(tmp, "three_steps.py", str(a.n)), "RATE"))
    m_ours, m_peer = statistics.median(ours), statistics.median(peer)
    print("throughput_runs_wfctl", " ".join(f"{x:.0f}" for x in ours))
    print("throughput_runs_dbos", " ".join(f"{x:.0f}" for x in peer))
    print(f"throughput_wfctl_wf_per_s {m_ours:.0f}")
    print(f"throughput_dbos_wf_per_s {m_peer:.0f}")
    print(f"throughput_ratio {m_ours / m_peer:.1f}")


def latency(tmp: Path, a: argparse.Namespace) -> None:
    ours, peer = [], []
    for _ in range(max(1, a.rounds // 2)):
        out = run(
            [a.dbos_python, str(HERE / "apps" / "dbos_latency.py"), "200", fresh(tmp, "p.db")]
        )
        peer.append(value(out, "P50_MS"))
        ours.append(value(wfctl_app(tmp, "three_steps.py", "300", "latency"), "P50_MS"))
    print("latency_runs_wfctl_p50_ms", " ".join(f"{x:.2f}" for x in ours))
    print("latency_runs_dbos_p50_ms", " ".join(f"{x:.2f}" for x in peer))
    print(f"latency_wfctl_p50_ms {statistics.median(ours):.2f}")
    print(f"latency_dbos_p50_ms {statistics.median(peer):.2f}")


def steps(tmp: Path, a: argparse.Namespace) -> None:
    out = wfctl_app(tmp, "long_chain.py", "10", "100", "1000")
    for line in out.splitlines():
        if line.startswith("STEPS"):
            _, n, rate = line.split()
            print(f"steps_per_s_at_{n} {rate}")


def scale(tmp: Path, a: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    from wfctl.backend.embedded import EmbeddedBackend
    from wfctl.engine.store import Store
    from wfctl.model import RuntimeStatus

    db = fresh(tmp, "big.db")
    s = Store(db)
    n = a.instances
    now = time.time() - 3600
    with s.db.write() as c:  # bulk-load finished instances, each with a 4-event history
        c.executemany(
            "INSERT INTO instances (id, name, status, created_at, updated_at, finished_at,"
            " input, output, root_id, next_seq) VALUES (?, ?, ?, ?, ?, ?, '1', '3', ?, 4)",
            (
                (
                    f"i{k:06d}",
                    "three" if k % 2 else "other",
                    "COMPLETED",
                    now + k / 1000,
                    now + k / 1000,
                    now + k / 1000,
                    f"i{k:06d}",
                )
                for k in range(n)
            ),
        )
        c.executemany(
            "INSERT INTO history (instance_id, seq, data) VALUES (?, ?, ?)",
            (
                (
                    f"i{k:06d}",
                    q,
                    '{"type":"OrchestratorStarted","timestamp":"2026-01-01T00:00:00","event_id":0}',
                )
                for k in range(n)
                for q in range(4)
            ),
        )
    s.close()
    b = EmbeddedBackend(db)  # not detached: every call first looks for due timers

    def timed(label: str, fn, reps: int = 20) -> None:
        fn()
        t = time.perf_counter()
        for _ in range(reps):
            fn()
        print(f"{label}_ms {(time.perf_counter() - t) / reps * 1000:.2f}")

    print(f"scale_instances {n}")
    timed("status_one", lambda: b.get(f"i{n // 2:06d}"))
    timed("list_newest_50", lambda: b.list_instances(limit=50))
    timed(
        "list_status_completed_50",
        lambda: b.list_instances(statuses=[RuntimeStatus.COMPLETED], limit=50),
    )
    timed("list_status_failed", lambda: b.list_instances(statuses=[RuntimeStatus.FAILED]))
    timed("list_name_50", lambda: b.list_instances(name="three", limit=50))
    timed("history_one", lambda: b.history(f"i{n // 3:06d}"))
    t = time.perf_counter()
    res = b.purge_older_than(60)
    print(f"bulk_purge_{len(res.instance_ids)}_s {time.perf_counter() - t:.2f}")
    b.close()

    # The scheduler's own queries with many instances waiting on timers an hour away.
    s = Store(db)
    later = time.time() + 3600
    with s.db.write() as c:
        c.executemany(
            "INSERT INTO instances (id, name, status, created_at, updated_at, root_id, next_seq)"
            " VALUES (?, 'three', 'RUNNING', ?, ?, ?, 3)",
            ((f"w{k:06d}", now, now, f"w{k:06d}") for k in range(n)),
        )
        c.executemany(
            "INSERT INTO inbox (instance_id, generation, visible_at, kind, data)"
            " VALUES (?, 0, ?, 'TimerFired', '{}')",
            ((f"w{k:06d}", later + k) for k in range(n)),
        )
    print(f"waiting_instances {n}")
    timed("idle_round_claim", lambda: s.dispatch.claim_turns("bench:1:x"))
    timed("idle_round_busy", lambda: s.queues.busy())
    timed("idle_round_next_due", lambda: s.queues.next_due())
    s.close()


def process(tmp: Path, a: argparse.Namespace) -> None:
    code = (
        "import sys; from wfctl.backend.embedded import EmbeddedBackend as B;"
        "b=B(sys.argv[1]); i=b.start('hello_world_wf'); s=b.wait(i, timeout=30);"
        "assert s.runtime_status.value == 'COMPLETED'; b.close()"
    )

    def once(cmd: list[str]) -> float:
        t = time.perf_counter()
        run(cmd)
        return time.perf_counter() - t

    base = statistics.median(once([sys.executable, "-c", "pass"]) for _ in range(7))
    ours = statistics.median(
        once([sys.executable, "-c", code, fresh(tmp, f"h{k}.db")]) for k in range(7)
    )
    print(f"python_pass_ms {base * 1000:.0f}")
    print(f"fresh_process_start_hello_wait_ms {ours * 1000:.0f}")
    print(f"fresh_process_ratio {ours / base:.1f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "what", nargs="*", default=["throughput", "latency", "steps", "scale", "process"]
    )
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--n", type=int, default=300)
    p.add_argument("--instances", type=int, default=100_000)
    p.add_argument("--dbos-python", default="/work/venv-dbos/bin/python")
    a = p.parse_args()
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    with tempfile.TemporaryDirectory(prefix="wfctl-bench-") as d:
        for what in a.what:
            globals()[what](Path(d), a)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
