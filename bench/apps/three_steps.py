"""The throughput workload, written as an unchanged Dapr app (run via wfctl's exec, or on its
own against a sidecar at DAPR_GRPC_PORT): N workflows of three sequential activities x+1;
start all, wait for all, print RATE. ``latency``: one at a time, print P50_MS (P90, P99).
``worker``: only run what others start (bench/grpc_bench.py's rss load), until SIGTERM."""

import signal
import sys
import threading
import time

import dapr.ext.workflow as wf

wfr = wf.WorkflowRuntime()


@wfr.activity
def s1(ctx, x):
    return x + 1


@wfr.activity
def s2(ctx, x):
    return x + 1


@wfr.activity
def s3(ctx, x):
    return x + 1


@wfr.workflow
def three(ctx, x):
    x = yield ctx.call_activity(s1, input=x)
    x = yield ctx.call_activity(s2, input=x)
    x = yield ctx.call_activity(s3, input=x)
    return x


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    mode = sys.argv[2] if len(sys.argv) > 2 else "rate"
    wfr.start()
    if mode == "worker":
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        print("WORKER READY", flush=True)
        stop.wait()
        wfr.shutdown()
        sys.exit(0)
    client = wf.DaprWorkflowClient()
    first = client.schedule_new_workflow(three, input=-1)
    client.wait_for_workflow_completion(first, timeout_in_seconds=30)
    if mode == "rate":
        t, cpu = time.perf_counter(), time.process_time()
        ids = [client.schedule_new_workflow(three, input=i) for i in range(n)]
        for i, iid in enumerate(ids):
            st = client.wait_for_workflow_completion(iid, timeout_in_seconds=60)
            assert st.serialized_output == str(i + 3), st
        print("RATE", n / (time.perf_counter() - t))
        print("APP_CPU_S", time.process_time() - cpu)  # this process, the timed part only
    else:  # latency: one at a time, start -> completed
        lat = []
        for i in range(n):
            t = time.perf_counter()
            iid = client.schedule_new_workflow(three, input=i)
            client.wait_for_workflow_completion(iid, timeout_in_seconds=60)
            lat.append(time.perf_counter() - t)
        lat.sort()
        print("P50_MS", lat[len(lat) // 2] * 1000, "P90_MS", lat[int(len(lat) * 0.9)] * 1000)
        print("P99_MS", lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000)
    wfr.shutdown()
