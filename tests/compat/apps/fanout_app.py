"""Fan-out/fan-in in the style of the Dapr SDK sample: when_all over parallel activities."""

import sys
import time

import dapr.ext.workflow as wf


def say(text: str) -> None:
    """print() in one write: it writes text and newline separately, so lines printed from
    the main thread and a worker thread at once could interleave (as under a sidecar)."""
    sys.stdout.write(f"{text}\n")


def square_batch(ctx: wf.DaprWorkflowContext, size: int):
    items = yield ctx.call_activity(make_items, input=size)
    pending = [ctx.call_activity(square, input=item) for item in items]
    squares = yield wf.when_all(pending)
    yield ctx.call_activity(report_total, input=sum(squares))


def make_items(ctx, size: int) -> list[int]:
    return list(range(1, size + 1))


def square(ctx, item: int) -> int:
    say(f"Squaring {item}.")
    time.sleep(0.2)
    say(f"Item {item} squared: {item * item}.")
    return item * item


def report_total(ctx, total: int):
    say(f"Total: {total}.")


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    runtime = wf.WorkflowRuntime("localhost", "50001")
    runtime.register_workflow(square_batch)
    runtime.register_activity(make_items)
    runtime.register_activity(square)
    runtime.register_activity(report_total)
    runtime.start()

    client = wf.DaprWorkflowClient()
    iid = client.schedule_new_workflow(workflow=square_batch, input=size)
    say(f"Started {iid}")
    state = client.wait_for_workflow_completion(iid)

    runtime.shutdown()
