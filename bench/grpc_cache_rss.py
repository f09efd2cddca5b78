"""Memory of `wfctl serve --grpc-port` holding many running instances with large inputs.

    python bench/grpc_cache_rss.py [--tree PATH] [--n 150] [--size 1000000]

Starts ``python -m wfctl serve --port 0 --grpc-port 0`` from the source tree ``--tree``
(default: this one; ``PYTHONPATH`` set to it, so an old checkout can be compared), a raw
worker on the Dapr SDK's generated stubs (independent of the tree) that answers every turn
with an indefinite timer (each instance stays RUNNING, its history worth caching), then
starts ``--n`` instances with a JSON string input of ``--size`` bytes one after another
(each awaited RUNNING). Prints serve's VmRSS (MiB) idle, after the starts, and 5 s later.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_serve(tree: Path, db: Path) -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("DAPR_API_TOKEN", None)
    cmd = [sys.executable, "-m", "wfctl", "--db", str(db), "serve", "--port", "0"]
    proc = subprocess.Popen(
        [*cmd, "--grpc-port", "0"],
        cwd=tree,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("wfctl serve: gRPC listening on "):
            port = int(line.strip().rsplit(":", 1)[1])
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            return proc, port
    raise SystemExit("serve did not start")


def worker(stub: object, pb: object) -> None:
    with contextlib.suppress(Exception):  # grpc.RpcError: the channel closed at the end
        answer_all(stub, pb)


def answer_all(stub: object, pb: object) -> None:
    for item in stub.GetWorkItems(pb.GetWorkItemsRequest()):  # type: ignore[attr-defined]
        if not item.HasField("workflowRequest"):
            continue
        req = item.workflowRequest
        act = pb.WorkflowAction(id=req.cachedHistory.eventCount + len(req.pastEvents) + 1)  # type: ignore[attr-defined]
        act.createTimer.fireAt.seconds = 253402300799  # indefinite: never fires
        resp = pb.WorkflowResponse(  # type: ignore[attr-defined]
            instanceId=req.instanceId, completionToken=item.completionToken, actions=[act]
        )
        stub.CompleteOrchestratorTask(resp, timeout=60)  # type: ignore[attr-defined]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", type=Path, default=ROOT)
    ap.add_argument("--n", type=int, default=150)
    ap.add_argument("--size", type=int, default=1_000_000)
    a = ap.parse_args()
    import grpc
    from dapr.ext.workflow._durabletask.internal import orchestrator_service_pb2_grpc as rpc
    from dapr.ext.workflow._durabletask.internal import protos as pb

    with tempfile.TemporaryDirectory() as tmp:
        proc, port = start_serve(a.tree.resolve(), Path(tmp) / "wf.db")
        try:
            ch = grpc.insecure_channel(f"127.0.0.1:{port}")
            stub = rpc.TaskHubSidecarServiceStub(ch)
            threading.Thread(target=worker, args=(stub, pb), daemon=True).start()
            time.sleep(2)
            idle = rss_mib(proc.pid)
            big = json.dumps("x" * a.size)
            for k in range(a.n):
                req = pb.CreateInstanceRequest(name="w", instanceId=f"m{k}")
                req.input.value = big
                stub.StartInstance(req, timeout=60)
                stub.WaitForInstanceStart(pb.GetInstanceRequest(instanceId=f"m{k}"), timeout=120)
            after = rss_mib(proc.pid)
            time.sleep(5)
            later = rss_mib(proc.pid)
            print(f"tree {a.tree} n {a.n} size {a.size}")
            print(f"rss_idle_mib {idle:.0f}")
            print(f"rss_after_starts_mib {after:.0f}")
            print(f"rss_5s_later_mib {later:.0f}")
            ch.close()
        finally:
            proc.terminate()
            proc.wait(60)


if __name__ == "__main__":
    main()
