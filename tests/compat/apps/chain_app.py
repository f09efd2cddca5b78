"""Task chaining in the style of the Dapr SDK sample: plain functions, explicit registration."""

import dapr.ext.workflow as wf


def pricing_chain(ctx: wf.DaprWorkflowContext, base: int):
    try:
        taxed = yield ctx.call_activity(add_tax, input=base)
        shipped = yield ctx.call_activity(add_shipping, input=taxed)
        rounded = yield ctx.call_activity(round_up, input=shipped)
    except Exception as exc:
        yield ctx.call_activity(report_problem, input=str(exc))
        raise
    return [taxed, shipped, rounded]


def add_tax(ctx, amount):
    print(f"Tax step got {amount}.")
    return amount + 10


def add_shipping(ctx, amount):
    print(f"Shipping step got {amount}.")
    return amount * 3


def round_up(ctx, amount):
    print(f"Rounding step got {amount}.")
    return amount | 1


def report_problem(ctx, message):
    print(f"Problem: {message}.")


if __name__ == "__main__":
    runtime = wf.WorkflowRuntime("localhost", "50001")
    runtime.register_workflow(pricing_chain)
    runtime.register_activity(add_tax)
    runtime.register_activity(add_shipping)
    runtime.register_activity(round_up)
    runtime.register_activity(report_problem)
    runtime.start()

    client = wf.DaprWorkflowClient()
    iid = client.schedule_new_workflow(workflow=pricing_chain, input=7)
    print(f"Started {iid}")
    state = client.wait_for_workflow_completion(iid)
    print(f"Done! Status: {state.runtime_status}")
    assert state.runtime_status == wf.WorkflowStatus.COMPLETED
    print(f"Output: {state.serialized_output}")

    runtime.shutdown()
