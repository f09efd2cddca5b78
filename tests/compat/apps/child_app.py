"""Child workflows in the style of the Dapr SDK sample: a parent names its child's ID,
prints from workflow code, and the script just sleeps instead of waiting."""

import time

import dapr.ext.workflow as wf


def parent_wf(ctx: wf.DaprWorkflowContext):
    try:
        child_id = ctx.instance_id + "-kid"
        print(f"parent: calling {child_id}", flush=True)
        answer = yield ctx.call_child_workflow(workflow=kid_wf, input=None, instance_id=child_id)
        print(f"parent: child answered {answer}", flush=True)
        auto = yield ctx.call_child_workflow(kid_wf, input="auto")
        print(f"parent: second child answered {auto}", flush=True)
    except Exception as exc:
        print(f"parent: failed {exc}")
    return


def kid_wf(ctx: wf.DaprWorkflowContext, tag):
    print(f"kid: {ctx.instance_id} running with {tag}", flush=True)
    return f"kid-of-{ctx.instance_id.split(':')[0].split('-')[0]}"


if __name__ == "__main__":
    runtime = wf.WorkflowRuntime("localhost", "50001")
    runtime.register_workflow(parent_wf)
    runtime.register_workflow(kid_wf)
    runtime.start()

    client = wf.DaprWorkflowClient()
    iid = client.schedule_new_workflow(workflow=parent_wf, instance_id="fam")

    time.sleep(1.5)
    state = client.get_workflow_state("fam")
    print(f"parent status: {state.runtime_status.name}")
    for kid in ("fam-kid", "fam:0002"):
        kid_state = client.get_workflow_state(kid)
        print(f"{kid}: {kid_state.runtime_status.name} {kid_state.serialized_output}")

    runtime.shutdown()
