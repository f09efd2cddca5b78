"""Task chaining in the style of the Dapr SDK sample: plain functions, explicit registration."""

import sys

import dapr.ext.workflow as wf


def say(text: str) -> None:
    """print() in one write: it writes text and newline separately, so lines printed from
    the main thread and a worker thread at once could interleave (as under a sidecar)."""
    sys.stdout.write(f"{text}\n")


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
    say(f"Tax step got {amount}.")
    return amount + 10


def add_shipping(ctx, amount):
    say(f"Shipping step got {amount}.")
    if "--no-shipping" in sys.argv:
        raise RuntimeError("no carrier today")
    return amount * 3


def round_up(ctx, amount):
    say(f"Rounding step got {amount}.")
    return amount | 1


def report_problem(ctx, message):
    say(f"Problem: {message}.")


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
    say(f"Started {iid}")
    state = client.wait_for_workflow_completion(iid)
    say(f"Done! Status: {state.runtime_status}")
    if state.runtime_status == wf.WorkflowStatus.COMPLETED:
        say(f"Output: {state.serialized_output}")
    else:
        failure = state.failure_details
        say(f"Failure: {failure.error_type}: {failure.message}")

    runtime.shutdown()
