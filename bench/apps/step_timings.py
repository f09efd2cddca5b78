"""One sequential workflow of N steps (default 1,000), written as an unchanged Dapr app; each
activity notes when it ran, and the app prints the time each block of 100 steps took:
``PER100 BLOCK MS`` lines, then ``TOTAL_S``. Flat blocks = per-step cost flat in N."""

import sys
import time

import dapr.ext.workflow as wf

wfr = wf.WorkflowRuntime()
stamps: list[float] = []


@wfr.activity
def tick(ctx, x):
    stamps.append(time.perf_counter())  # activities run in this process, in order
    return x + 1


@wfr.workflow
def long_chain(ctx, n):
    x = 0
    for _ in range(n):
        x = yield ctx.call_activity(tick, input=x)
    return x


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    wfr.start()
    client = wf.DaprWorkflowClient()
    t = time.perf_counter()
    iid = client.schedule_new_workflow(long_chain, input=n)
    st = client.wait_for_workflow_completion(iid, timeout_in_seconds=1800)
    total = time.perf_counter() - t
    assert st.serialized_output == str(n), st
    assert len(stamps) == n, len(stamps)
    marks = [t, *stamps[99::100]]
    for k in range(1, len(marks)):
        print(f"PER100 {k} {(marks[k] - marks[k - 1]) * 1000:.1f}")
    print(f"TOTAL_S {total:.2f}")
    wfr.shutdown()
