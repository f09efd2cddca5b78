#!/usr/bin/env python3
"""The real daprd and ``wfctl serve --grpc-port`` side by side, in one run, with the same
unmodified Dapr SDK app (dapr 1.19, bench/apps/three_steps.py) as the worker of each.

    python bench/daprd_bench.py [throughput] [latency] [http] [list]
        [--rounds 1] [--n 300] [--duration 30] [--concurrency 32] [--instances 10000]

throughput  three_steps.py N: start N three-step workflows, then await them all (wf/s); the
            sidecar's RSS (daprd + placement + scheduler, or serve) sampled every 0.5 s.
latency     the same app one workflow at a time: p50 / p99 start -> completed.
http        --concurrency keep-alive connections POST starts to the sidecar's HTTP API for
            --duration s (a three_steps.py worker runs them); starts/s, p50/p99 of a start,
            then the time until every accepted start is COMPLETED.
list        --instances workflows started (and completed) through the SDK client, then
            ``wfctl --grpc-endpoint … list -o ids --limit N`` and ``list --limit 20`` timed.
Each measurement gets a fresh sidecar (fresh SQLite files); daprd and serve alternate.
daprd is the release scripts/install-daprd builds (tests/daprd/procs.py runs it).
Results print as ``name value`` lines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.serve_load import Conn, pct  # noqa: E402
from tests.daprd.procs import VERSION, Daprd, bin_dir, missing_reason  # noqa: E402
from tests.sdkapps.procs import WFCTL, App, GrpcServe, clean_env  # noqa: E402

APP = HERE / "apps" / "three_steps.py"
KINDS = ("daprd", "serve")
WF = "/v1.0-beta1/workflows/dapr"


class Sidecar:
    """Either sidecar, seen the same way: ports, the PIDs whose RSS counts, a stop."""

    def __init__(self, kind: str, http_url: str, grpc_port: int, pids: list[int]) -> None:
        self.kind, self.http_url, self.grpc_port, self.pids = kind, http_url, grpc_port, pids
        self.ready: Callable[[], None] = lambda: None

    def rss_kib(self) -> int:
        total = 0
        for pid in self.pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total


@contextmanager
def sidecar(kind: str, tmp: Path) -> Iterator[Sidecar]:
    home = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=tmp))
    if kind == "daprd":
        with Daprd(home, app_id="bench", log_level="warn") as d:
            s = Sidecar(kind, d.http_url, d.grpc_port, d.pids)
            s.ready = d.wait_for_worker
            yield s
        return
    serve = GrpcServe(home, home / "wf.db")
    try:
        yield Sidecar(kind, serve.url, serve.grpc_port, [serve.proc.pid])
    finally:
        if serve.stop() != 0:
            raise SystemExit(f"serve did not exit 0:\n{serve.log()}")


class RssSampler:
    def __init__(self, side: Sidecar) -> None:
        self.side, self.samples = side, [side.rss_kib()]
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.samples.append(self.side.rss_kib())

    def stop(self) -> tuple[float, float]:
        """(at the start, the most seen) in MiB."""
        self._stop.set()
        self._t.join()
        return self.samples[0] / 1024, max(self.samples) / 1024


def run_app(side: Sidecar, tmp: Path, *args: str) -> str:
    env = clean_env(tmp, DAPR_GRPC_PORT=str(side.grpc_port))
    p = subprocess.run([sys.executable, str(APP), *args], capture_output=True, text=True,
                       timeout=1800, cwd=ROOT, env=env)  # fmt: skip
    if p.returncode != 0:
        raise SystemExit(f"{side.kind}: app failed\n{p.stdout[-2000:]}\n{p.stderr[-4000:]}")
    return p.stdout


@contextmanager
def worker(side: Sidecar, tmp: Path) -> Iterator[App]:
    """three_steps.py as a plain worker of ``side``, ready when daprd says so."""
    app = App([sys.executable, str(APP), "0", "worker"], tmp, side.grpc_port)
    try:
        app.out.wait_for(lambda s: s == "WORKER READY", 120, "worker start")
        side.ready()
        yield app
    finally:
        app.proc.terminate()
        app.finish(60)


def value(text: str, key: str) -> float:
    for line in text.splitlines():
        parts = line.split()
        if parts and parts[0] == key:
            return float(parts[1])
    raise SystemExit(f"no {key} in output:\n{text}")


def alternate(rounds: int) -> Iterator[str]:
    for r in range(rounds):
        yield from (KINDS if r % 2 == 0 else KINDS[::-1])


def throughput(tmp: Path, a: argparse.Namespace) -> None:
    rates: dict[str, list[float]] = {k: [] for k in KINDS}
    rss: dict[str, list[tuple[float, float]]] = {k: [] for k in KINDS}
    for kind in alternate(a.rounds):
        with sidecar(kind, tmp) as side:
            sampler = RssSampler(side)
            rates[kind].append(value(run_app(side, tmp, str(a.n)), "RATE"))
            rss[kind].append(sampler.stop())
    for kind in KINDS:
        print(f"throughput_{kind}_runs", " ".join(f"{x:.0f}" for x in rates[kind]))
        print(f"throughput_{kind}_wf_per_s {statistics.median(rates[kind]):.0f}")
        print(f"rss_{kind}_idle_mib {statistics.median(r[0] for r in rss[kind]):.1f}")
        print(f"rss_{kind}_max_mib {statistics.median(r[1] for r in rss[kind]):.1f}")
    ratio = statistics.median(rates["serve"]) / statistics.median(rates["daprd"])
    print(f"throughput_serve_over_daprd {ratio:.2f}")


def latency(tmp: Path, a: argparse.Namespace) -> None:
    for kind in alternate(a.rounds):
        with sidecar(kind, tmp) as side:
            out = run_app(side, tmp, str(a.n), "latency")
        print(f"latency_{kind}_p50_ms {value(out, 'P50_MS'):.2f}")
        print(f"latency_{kind}_p99_ms {value(out, 'P99_MS'):.2f}")


async def http_starts(url: str, duration: float, concurrency: int) -> dict:
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    took: list[float] = []
    accepted: list[str] = []
    errors: list[str] = []
    stop_at = time.monotonic() + duration

    async def one(n: int) -> None:
        conn, i = Conn(host, int(port)), 0
        try:
            while time.monotonic() < stop_at:
                i += 1
                t0 = time.perf_counter()
                status, body = await conn.request("POST", f"{WF}/three/start", str(i).encode())
                took.append(time.perf_counter() - t0)
                if status == 202:
                    accepted.append(json.loads(body)["instanceID"])
                else:
                    errors.append(f"{status} {body[:100]!r}")
        finally:
            await conn.close()

    began = time.monotonic()
    await asyncio.gather(*(one(n) for n in range(concurrency)))
    return {"took": took, "accepted": accepted, "errors": errors, "s": time.monotonic() - began}


def wait_completed(side: Sidecar, ids: list[str], timeout: float = 300) -> int:
    """How many of ``ids`` are COMPLETED once none is still running (or at the timeout)."""
    import dapr.ext.workflow as wf

    client = wf.DaprWorkflowClient(host="127.0.0.1", port=str(side.grpc_port))

    def done(iid: str) -> bool:
        st = client.wait_for_workflow_completion(iid, timeout_in_seconds=int(timeout))
        return st is not None and st.runtime_status.name == "COMPLETED"

    with ThreadPoolExecutor(16) as pool:
        return sum(pool.map(done, ids))


def http(tmp: Path, a: argparse.Namespace) -> None:
    for kind in alternate(a.rounds):
        with sidecar(kind, tmp) as side, worker(side, tmp):
            res = asyncio.run(http_starts(side.http_url, a.duration, a.concurrency))
            t = time.monotonic()
            completed = wait_completed(side, res["accepted"])
            drain = time.monotonic() - t
        n = len(res["accepted"])
        print(f"http_{kind}_starts_per_s {n / res['s']:.0f}")
        print(f"http_{kind}_start_p50_ms {pct(res['took'], 50) * 1000:.1f}")
        print(f"http_{kind}_start_p99_ms {pct(res['took'], 99) * 1000:.1f}")
        print(f"http_{kind}_errors {len(res['errors'])} {res['errors'][:3]}")
        print(f"http_{kind}_completed {completed}/{n} drain_s {drain:.0f}")


def fill(side: Sidecar, n: int, concurrency: int) -> float:
    """Start ``n`` three-step workflows through the SDK client and wait for all; seconds."""
    import dapr.ext.workflow as wf

    client = wf.DaprWorkflowClient(host="127.0.0.1", port=str(side.grpc_port))
    t = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        ids = list(pool.map(lambda i: client.schedule_new_workflow("three", input=i), range(n)))
    if wait_completed(side, ids) != n:
        raise SystemExit(f"{side.kind}: not all {n} workflows completed")
    return time.monotonic() - t


def timed_wfctl(tmp: Path, *args: str) -> tuple[float, str]:
    t = time.perf_counter()
    p = subprocess.run([WFCTL, *args], capture_output=True, text=True, timeout=1800,
                       env=clean_env(tmp, COLUMNS="120"))  # fmt: skip
    if p.returncode != 0:
        raise SystemExit(f"wfctl {' '.join(args)} failed: {p.stderr}")
    return time.perf_counter() - t, p.stdout


def listing(tmp: Path, a: argparse.Namespace) -> None:
    for kind in KINDS:  # one round: filling takes minutes
        with sidecar(kind, tmp) as side, worker(side, tmp):
            filled = fill(side, a.instances, a.concurrency)
            g = ("--grpc-endpoint", f"127.0.0.1:{side.grpc_port}")
            full, first = [], []
            for _ in range(3):
                s, out = timed_wfctl(tmp, *g, "list", "-o", "ids", "--limit", str(a.instances))
                if len(out.split()) != a.instances:
                    raise SystemExit(f"{kind}: listed {len(out.split())}, not {a.instances}")
                full.append(s)
                first.append(timed_wfctl(tmp, *g, "list", "--limit", "20")[0])
        print(f"list_{kind}_fill_{a.instances}_s {filled:.0f}")
        print(f"list_{kind}_all_{a.instances}_ids_s {statistics.median(full):.2f}")
        print(f"list_{kind}_first_20_s {statistics.median(first):.2f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("what", nargs="*", default=["throughput", "latency", "http", "list"])
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--n", type=int, default=300)
    p.add_argument("--duration", type=float, default=30)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--instances", type=int, default=10_000)
    a = p.parse_args()
    if bin_dir(VERSION) is None:
        raise SystemExit(missing_reason(VERSION))
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    print(f"daprd_version {VERSION}")
    print(f"load_before {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="wfctl-daprd-bench-") as d:
        for what in a.what:
            {"list": listing}.get(what, globals().get(what))(Path(d), a)
            sys.stdout.flush()
    print(f"load_after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
