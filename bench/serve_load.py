"""Sustained load on `wfctl serve` from a second process, over loopback only.

    python bench/serve_load.py [--duration 60] [--concurrency 32] [--mix start+get|get|healthz]
                               [--db PATH] [--url http://127.0.0.1:PORT]

Without --url it starts `python -m wfctl.server --port 0 --db <tmp or --db>` itself and stops
it with SIGTERM at the end (checking it exits 0). Each of --concurrency connections loops:
start a workflow, then get it. Afterwards it waits until every accepted start (202) is
COMPLETED in the server's database and prints requests/s, p50/p99 latency and errors.
Exit status: 0 when there were no errors and every accepted start finished; else 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

WF = "/v1.0-beta1/workflows/dapr"


def start_server(db: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "wfctl.server", "--port", "0", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the access log: one line per request
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if "listening on " in line:
            url = line.split("listening on ", 1)[1].split()[0]
            return proc, url
    proc.kill()
    raise SystemExit("the server did not start")


def ms(values: list[float], p: float) -> float | None:
    """The p-th percentile in milliseconds (None without samples)."""
    return round(pct(values, p) * 1000, 2) if values else None


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


class Conn:
    """One keep-alive HTTP/1.1 connection with a minimal client: the load generator must cost
    far less CPU than the server it measures (httpx's async client does not, on 2 cores)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status = int(raw[9:12])
        length = 0
        for line in raw.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def load(
    url: str, workflow: str, duration: float, concurrency: int, mix: str = "start+get"
) -> dict:
    starts: list[float] = []
    gets: list[float] = []
    errors: list[str] = []
    accepted: list[str] = []
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    fixed_id = ""
    if mix == "get":
        first = Conn(host.strip("[]"), int(port))
        status, body = await first.request("POST", f"{WF}/{workflow}/start", b'"fixed"')
        await first.close()
        fixed_id = json.loads(body)["instanceID"]
        accepted.append(fixed_id)
    stop_at = time.monotonic() + duration

    async def worker(n: int) -> None:
        conn = Conn(host.strip("[]"), int(port))
        i = 0
        try:
            while mix != "start+get" and time.monotonic() < stop_at:
                # The HTTP layer's ceiling: reads only (no engine work, no writes).
                path = "/v1.0/healthz" if mix == "healthz" else f"{WF}/{fixed_id}"
                t0 = time.perf_counter()
                status, body = await conn.request("GET", path)
                gets.append(time.perf_counter() - t0)
                if status not in (200, 204):
                    errors.append(f"get: {status} {body[:100]!r}")
            while time.monotonic() < stop_at:
                i += 1
                t0 = time.perf_counter()
                try:
                    status, body = await conn.request(
                        "POST", f"{WF}/{workflow}/start", f'"w{n}-{i}"'.encode()
                    )
                except (OSError, asyncio.IncompleteReadError) as exc:
                    errors.append(f"start: {type(exc).__name__}")
                    conn = Conn(host.strip("[]"), int(port))
                    continue
                starts.append(time.perf_counter() - t0)
                if status != 202:
                    errors.append(f"start: {status} {body[:100]!r}")
                    continue
                instance_id = json.loads(body)["instanceID"]
                accepted.append(instance_id)
                t0 = time.perf_counter()
                try:
                    status, body = await conn.request("GET", f"{WF}/{instance_id}")
                except (OSError, asyncio.IncompleteReadError) as exc:
                    errors.append(f"get: {type(exc).__name__}")
                    conn = Conn(host.strip("[]"), int(port))
                    continue
                gets.append(time.perf_counter() - t0)
                if status != 200:
                    errors.append(f"get: {status} {body[:100]!r}")
        finally:
            await conn.close()

    began = time.monotonic()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    elapsed = time.monotonic() - began
    return {
        "starts": starts,
        "gets": gets,
        "errors": errors,
        "accepted": accepted,
        "elapsed": elapsed,
    }


def wait_finished(url: str, ids: list[str], timeout: float) -> tuple[int, int, float]:
    """Poll the list route until every id is COMPLETED; (present, completed, seconds)."""
    began = time.monotonic()
    want = set(ids)
    present = completed = 0
    with httpx.Client(base_url=url, timeout=120) as client:
        while True:
            rows = client.get("/wfctl/v1/instances").json()["instances"]
            status = {r["instanceID"]: r["runtimeStatus"] for r in rows}
            present = len(want & status.keys())
            completed = sum(1 for i in want if status.get(i) == "COMPLETED")
            if completed == len(want) or time.monotonic() - began > timeout:
                return present, completed, time.monotonic() - began
            time.sleep(1.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--workflow", default="hello_world_wf")
    ap.add_argument("--db", default=None)
    ap.add_argument("--url", default=None, help="an already running server (loopback only)")
    ap.add_argument("--drain-timeout", type=float, default=300.0)
    ap.add_argument(
        "--mix",
        choices=["start+get", "get", "healthz"],
        default="start+get",
        help="get/healthz: reads only, to measure the HTTP layer without engine work",
    )
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="wfctl-bench-")
    db = Path(args.db) if args.db else Path(tmp.name) / "bench.db"
    proc = None
    if args.url:
        url = args.url
        if not url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
            raise SystemExit("--url must be a loopback address")
    else:
        proc, url = start_server(db)
    try:
        res = asyncio.run(load(url, args.workflow, args.duration, args.concurrency, args.mix))
        present, completed, drain = wait_finished(url, res["accepted"], args.drain_timeout)
    finally:
        exit_code = None
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            exit_code = proc.wait(60)
    total = len(res["starts"]) + len(res["gets"])
    both = res["starts"] + res["gets"]
    report = {
        "mix": args.mix,
        "duration_s": round(res["elapsed"], 1),
        "concurrency": args.concurrency,
        "requests": total,
        "requests_per_s": round(total / res["elapsed"], 1),
        "starts_accepted": len(res["accepted"]),
        "starts_per_s": round(len(res["accepted"]) / res["elapsed"], 1),
        "latency_ms_p50": ms(both, 50),
        "latency_ms_p99": ms(both, 99),
        "start_ms_p50": ms(res["starts"], 50),
        "start_ms_p99": ms(res["starts"], 99),
        "get_ms_p50": ms(res["gets"], 50),
        "get_ms_p99": ms(res["gets"], 99),
        "latency_ms_mean": round(statistics.fmean(both) * 1000, 2) if both else None,
        "errors": len(res["errors"]),
        "first_errors": res["errors"][:5],
        "accepted_in_db": present,
        "accepted_completed": completed,
        "drain_s": round(drain, 1),
        "server_exit_code": exit_code,
        "cpus": os.cpu_count(),
    }
    print(json.dumps(report, indent=2))
    ok = not res["errors"] and completed == len(res["accepted"]) and exit_code in (None, 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
