#!/usr/bin/env python3
"""``wfctl serve --grpc-port`` measured with unmodified Dapr SDK apps (dapr 1.19), side by side
in one run with the same apps under ``wfctl --embedded exec``.

    python bench/grpc_bench.py [throughput] [latency] [steps] [rss]
        [--rounds 3] [--n 300] [--duration 60] [--concurrency 32]

throughput  bench/apps/three_steps.py N: start N three-step workflows, then await them all;
            rounds alternate gRPC (the app on its own, DAPR_GRPC_PORT -> serve) and exec.
latency     the same app one workflow at a time: p50 start -> completed, gRPC and exec.
steps       bench/apps/step_timings.py: one 1,000-step workflow; ms per block of 100 steps
            (flat = no per-step cost growing with history), gRPC and exec; then serve's and
            the app's CPU per step at 250, 500 and 1,000 steps.
split       throughput with serve and the app pinned to CPUs of their own (serve on CPU 0,
            the app on CPU 1; exec on CPU 1): the rates, and each side's CPU per workflow,
            so the part of the gap that is the SDK app's own work shows (needs >= 2 CPUs).
rss         serve with one SDK worker app (three_steps.py worker) while --concurrency gRPC
            connections (one channel each) loop StartInstance + WaitForInstanceCompletion for
            --duration s; serve's VmRSS (from /proc/PID/status) sampled every second.
Every run gets a fresh SQLite file; serve runs as ``wfctl serve`` (this venv's console script).
Results print as ``name value`` lines.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.sdkapps.procs import App, GrpcServe, clean_env  # noqa: E402


def fresh(tmp: Path, name: str) -> Path:
    p = tmp / name
    for suffix in ("", "-wal", "-shm"):
        Path(str(p) + suffix).unlink(missing_ok=True)
    return p


def run(cmd: list[str], env: dict[str, str]) -> str:
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, cwd=ROOT, env=env)
    if p.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{p.stdout[-2000:]}\n{p.stderr[-4000:]}")
    return p.stdout


def over_grpc(
    tmp: Path, app: str, *args: str, cpu: list[float] | None = None, pin: bool = False
) -> str:
    """``python APP ARGS`` against a fresh ``wfctl serve --grpc-port``; with ``cpu``, append
    the CPU seconds serve and the app spent on the run; with ``pin``, serve (all its threads)
    runs on CPU 0 and the app on CPU 1."""
    serve = GrpcServe(tmp, fresh(tmp, "g.db"))
    try:
        env = clean_env(tmp, DAPR_GRPC_PORT=str(serve.grpc_port))
        if pin:
            for task in os.listdir(f"/proc/{serve.proc.pid}/task"):
                os.sched_setaffinity(int(task), {0})
        before = cpu_s(serve.proc.pid), os.times()
        out = run([*pinned(pin), sys.executable, str(HERE / "apps" / app), *args], env)
        after = cpu_s(serve.proc.pid), os.times()
        if cpu is not None:
            app_cpu = sum(after[1][2:4]) - sum(before[1][2:4])  # children's user + system
            cpu += [after[0] - before[0], app_cpu]
        return out
    finally:
        if serve.stop() != 0:
            raise SystemExit(f"serve did not exit 0:\n{serve.log()}")


def cpu_s(pid: int) -> float:
    """A process's CPU seconds so far (user + system, from /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pinned(pin: bool) -> list[str]:
    return ["taskset", "-c", "1"] if pin else []


def under_exec(tmp: Path, app: str, *args: str, pin: bool = False) -> str:
    """``wfctl --embedded --db F exec APP ARGS``: the same app, in one process (on CPU 1
    with ``pin``)."""
    db = fresh(tmp, "e.db")
    cmd = [*pinned(pin), sys.executable, "-m", "wfctl", "--embedded", "--db", str(db), "exec"]
    return run([*cmd, str(HERE / "apps" / app), *args], clean_env(tmp))


def value(text: str, key: str) -> float:
    for line in text.splitlines():
        parts = line.split()
        if parts and parts[0] == key:
            return float(parts[1])
    raise SystemExit(f"no {key} in output:\n{text}")


def throughput(tmp: Path, a: argparse.Namespace) -> None:
    grpc, exe = [], []
    for _ in range(a.rounds):  # alternate, so both see the same machine
        grpc.append(value(over_grpc(tmp, "three_steps.py", str(a.n)), "RATE"))
        exe.append(value(under_exec(tmp, "three_steps.py", str(a.n)), "RATE"))
    m_grpc, m_exec = statistics.median(grpc), statistics.median(exe)
    print("throughput_runs_grpc", " ".join(f"{x:.0f}" for x in grpc))
    print("throughput_runs_exec", " ".join(f"{x:.0f}" for x in exe))
    print(f"throughput_grpc_wf_per_s {m_grpc:.0f}")
    print(f"throughput_exec_wf_per_s {m_exec:.0f}")
    print(f"throughput_grpc_over_exec {m_grpc / m_exec:.2f}")


def split(tmp: Path, a: argparse.Namespace) -> None:
    if len(os.sched_getaffinity(0)) < 2 or not shutil.which("taskset"):
        raise SystemExit("split needs two CPUs and taskset")
    grpc, exe, serve_ms, app_ms = [], [], [], []
    for _ in range(a.rounds):
        cpu: list[float] = []
        out = over_grpc(tmp, "three_steps.py", str(a.n), cpu=cpu, pin=True)
        grpc.append(value(out, "RATE"))
        serve_ms.append(cpu[0] / a.n * 1000)
        app_ms.append(value(out, "APP_CPU_S") / a.n * 1000)
        exe.append(value(under_exec(tmp, "three_steps.py", str(a.n), pin=True), "RATE"))
    m_exec, m_app = statistics.median(exe), statistics.median(app_ms)
    print("split_runs_grpc", " ".join(f"{x:.0f}" for x in grpc))
    print("split_runs_exec", " ".join(f"{x:.0f}" for x in exe))
    print(f"split_grpc_wf_per_s {statistics.median(grpc):.0f}")
    print(f"split_exec_wf_per_s {m_exec:.0f}")
    print(f"split_grpc_over_exec {statistics.median(grpc) / m_exec:.2f}")
    print(f"split_serve_cpu_ms_per_wf {statistics.median(serve_ms):.2f}")
    print(f"split_app_cpu_ms_per_wf {m_app:.2f}")
    # The most the app could do with a serve that cost nothing: its own CPU, one core.
    print(f"split_app_bound_wf_per_s {1000 / m_app:.0f}")
    print(f"split_app_bound_over_exec {1000 / m_app / m_exec:.2f}")


def latency(tmp: Path, a: argparse.Namespace) -> None:
    grpc, exe = [], []
    for _ in range(max(1, a.rounds // 2)):
        grpc.append(value(over_grpc(tmp, "three_steps.py", str(a.n), "latency"), "P50_MS"))
        exe.append(value(under_exec(tmp, "three_steps.py", str(a.n), "latency"), "P50_MS"))
    print("latency_runs_grpc_p50_ms", " ".join(f"{x:.2f}" for x in grpc))
    print("latency_runs_exec_p50_ms", " ".join(f"{x:.2f}" for x in exe))
    print(f"latency_grpc_p50_ms {statistics.median(grpc):.2f}")
    print(f"latency_exec_p50_ms {statistics.median(exe):.2f}")


def per100(text: str) -> list[float]:
    return [float(line.split()[2]) for line in text.splitlines() if line.startswith("PER100 ")]


def steps(tmp: Path, a: argparse.Namespace) -> None:
    for label, fn in (("grpc", over_grpc), ("exec", under_exec)):
        out = fn(tmp, "step_timings.py", str(a.steps))
        blocks = per100(out)
        first, last = statistics.median(blocks[:3]), statistics.median(blocks[-3:])
        print(f"steps_{label}_ms_per_100", " ".join(f"{x:.0f}" for x in blocks))
        print(f"steps_{label}_total_s {value(out, 'TOTAL_S'):.2f}")
        print(f"steps_{label}_last3_over_first3 {last / first:.2f}")
    # Where the time goes over gRPC: serve's CPU per step, and the SDK app's (which replays
    # the whole history through the workflow function on every turn).
    for n in (a.steps // 4, a.steps // 2, a.steps):
        cpu: list[float] = []
        over_grpc(tmp, "step_timings.py", str(n), cpu=cpu)
        serve_ms, app_ms = (c / n * 1000 for c in cpu)
        print(f"steps_grpc_cpu_ms_per_step_at_{n} serve {serve_ms:.2f} app {app_ms:.2f}")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit(f"no VmRSS for {pid}")


async def drive(port: int, concurrency: int, duration: float) -> tuple[int, list[str]]:
    """``concurrency`` channels (own connections), each looping start + wait-for-completion."""
    from wfctl.protocol import load

    ns = load()
    pb, aio = ns.pb, ns.grpc.aio
    done, errors = 0, []
    stop_at = time.monotonic() + duration

    async def loop(n: int) -> None:
        nonlocal done
        opts = [("grpc.use_local_subchannel_pool", 1)]  # one TCP connection per channel
        async with aio.insecure_channel(f"127.0.0.1:{port}", options=opts) as chan:
            stub = ns.rpc.TaskHubClient(chan)
            i = 0
            while time.monotonic() < stop_at:
                i += 1
                iid = f"r{n}-{i}"
                try:
                    await stub.StartInstance(
                        pb.CreateInstanceRequest(
                            instanceId=iid, name="three", input=pb.StringValue(value=str(i))
                        ),
                        timeout=60,
                    )
                    r = await stub.WaitForInstanceCompletion(
                        pb.GetInstanceRequest(instanceId=iid, getInputsAndOutputs=True),
                        timeout=120,
                    )
                except ns.grpc.RpcError as exc:
                    errors.append(f"{iid}: {exc.code()}")
                    continue
                out = r.workflowState.output.value
                if out != str(i + 3):
                    errors.append(f"{iid}: output {out!r}")
                done += 1

    await asyncio.gather(*(loop(n) for n in range(concurrency)))
    return done, errors


def rss(tmp: Path, a: argparse.Namespace) -> None:
    serve = GrpcServe(tmp, fresh(tmp, "r.db"))
    pid = serve.proc.pid
    worker = App(
        [sys.executable, str(HERE / "apps" / "three_steps.py"), "0", "worker"],
        tmp,
        serve.grpc_port,
    )
    samples: list[tuple[float, int]] = []
    stop = threading.Event()

    def sample() -> None:
        t0 = time.monotonic()
        while not stop.wait(1.0):
            samples.append((time.monotonic() - t0, rss_kib(pid)))

    try:
        worker.out.wait_for(lambda s: s == "WORKER READY", 60, "worker start")
        before = rss_kib(pid)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        t = time.perf_counter()
        done, errors = asyncio.run(drive(serve.grpc_port, a.concurrency, a.duration))
        took = time.perf_counter() - t
        stop.set()
        sampler.join()
    finally:
        stop.set()
        worker.proc.terminate()
        worker.finish(60)
        code = serve.stop()
    mib = [kib / 1024 for _, kib in samples]
    warm = max(1, len(mib) // 6)  # the first sixth (10 s of 60) is warm-up
    after_warm = mib[warm:]
    print(f"rss_connections {a.concurrency}")
    print(f"rss_duration_s {took:.0f}")
    print(f"rss_workflows_completed {done}")
    print(f"rss_workflows_per_s {done / took:.0f}")
    print(f"rss_errors {len(errors)}")
    for e in errors[:5]:
        print(f"rss_error {e}")
    print(f"rss_idle_mib {before / 1024:.1f}")
    print("rss_mib_every_5s", " ".join(f"{x:.1f}" for x in mib[4::5]))
    print(f"rss_after_warmup_mib {after_warm[0]:.1f}")
    print(f"rss_end_mib {after_warm[-1]:.1f}")
    print(f"rss_max_mib {max(mib):.1f}")
    print(f"rss_growth_after_warmup_mib {after_warm[-1] - after_warm[0]:.1f}")
    print(f"rss_serve_exit {code}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("what", nargs="*", default=["throughput", "latency", "steps", "rss", "split"])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--n", type=int, default=300)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--duration", type=float, default=60)
    p.add_argument("--concurrency", type=int, default=32)
    a = p.parse_args()
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    with tempfile.TemporaryDirectory(prefix="wfctl-grpc-bench-") as d:
        for what in a.what:
            globals()[what](Path(d), a)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
