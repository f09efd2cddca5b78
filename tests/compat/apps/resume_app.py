"""Stop the app while its workflow waits, start it again: the same instance carries on where
it left off (the SDK's monitor sample relies on this). Run with `first` then `second`."""

import sys
import time

import dapr.ext.workflow as wf

PHASE = sys.argv[1]
wfr = wf.WorkflowRuntime()


@wfr.workflow(name="stepper")
def stepper(ctx: wf.DaprWorkflowContext, steps: int):
    done = []
    for i in range(1, steps + 1):
        done.append((yield ctx.call_activity(step, input=i)))
        if i == 2:
            ctx.set_custom_status("waiting")
            extra = yield ctx.wait_for_external_event("proceed")
            done.append(extra)
            ctx.set_custom_status("running")
    return done


@wfr.activity(name="step")
def step(ctx: wf.WorkflowActivityContext, i: int) -> str:
    print(f"step {i} in the {PHASE} run", flush=True)
    return f"{i}@{PHASE}"


if __name__ == "__main__":
    wfr.start()
    client = wf.DaprWorkflowClient()
    if PHASE == "first":
        client.schedule_new_workflow(stepper, input=4, instance_id="stepper-1")
        while client.get_workflow_state("stepper-1").serialized_custom_status != "waiting":
            time.sleep(0.02)
        print("first run stops while it waits")
    else:
        state = client.get_workflow_state("stepper-1")
        print(f"second run finds it {state.runtime_status.name}")
        client.raise_workflow_event("stepper-1", "proceed", data="event@second")
        state = client.wait_for_workflow_completion("stepper-1", timeout_in_seconds=10)
        print(f"{state.runtime_status.name} {state.serialized_output}")
    wfr.shutdown()
