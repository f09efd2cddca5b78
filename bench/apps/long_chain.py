"""A sequential workflow of N steps; prints STEPS_PER_S for N in the given list."""

import sys
import time

import dapr.ext.workflow as wf

wfr = wf.WorkflowRuntime()


@wfr.activity
def step(ctx, x):
    return x + 1


@wfr.workflow
def chain(ctx, n):
    x = 0
    for _ in range(n):
        x = yield ctx.call_activity(step, input=x)
    return x


if __name__ == "__main__":
    wfr.start()
    client = wf.DaprWorkflowClient()
    for n in [int(a) for a in sys.argv[1:]] or [10, 100, 1000]:
        t = time.perf_counter()
        iid = client.schedule_new_workflow(chain, input=n)
        st = client.wait_for_workflow_completion(iid, timeout_in_seconds=600)
        el = time.perf_counter() - t
        assert st.serialized_output == str(n), st
        print(f"STEPS {n} {n / el:.0f}")
    wfr.shutdown()
