"""Human approval (Dapr SDK sample style): dataclass input, argparse, a background thread
that raises the event through `dapr.clients.DaprClient`, when_any of event and timer."""

import threading
import time
from dataclasses import asdict, dataclass
from datetime import timedelta

import dapr.ext.workflow as wf
from dapr.clients import DaprClient


@dataclass
class Purchase:
    price: float
    item: str
    count: int

    def __str__(self):
        return f"{self.item} x{self.count}"


@dataclass
class Decision:
    by: str

    @staticmethod
    def from_dict(d):
        return Decision(**d)


def purchase_wf(ctx: wf.DaprWorkflowContext, purchase: Purchase):
    if purchase.price < 500:
        return "Auto-approved"
    yield ctx.call_activity(ask_for_approval, input=purchase)
    decision = ctx.wait_for_external_event("decision_made")
    expiry = ctx.create_timer(timedelta(seconds=WAIT))
    winner = yield wf.when_any([decision, expiry])
    if winner == expiry:
        return "Expired"
    yield ctx.call_activity(order_it, input=purchase)
    return f"Approved by '{Decision.from_dict(decision.get_result()).by}'"


def ask_for_approval(_, purchase: Purchase) -> None:
    print(f"*** Asking approval for: {purchase}", flush=True)


def order_it(_, purchase: Purchase) -> None:
    print(f"*** Ordering: {purchase}", flush=True)


WAIT = 5

if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="purchase approval")
    parser.add_argument("--price", type=int, default=900)
    parser.add_argument("--approver", type=str, default="Boss")
    parser.add_argument("--no-answer", action="store_true")
    parser.add_argument("--timeout", type=float, default=1.0)
    args = parser.parse_args()
    WAIT = args.timeout

    runtime = wf.WorkflowRuntime("localhost", "50001")
    runtime.register_workflow(purchase_wf)
    runtime.register_activity(ask_for_approval)
    runtime.register_activity(order_it)
    runtime.start()

    client = wf.DaprWorkflowClient()
    iid = client.schedule_new_workflow(workflow=purchase_wf, input=Purchase(args.price, "Desk", 2))

    def approve():
        time.sleep(0.3)
        with DaprClient() as d:
            d.raise_workflow_event(
                instance_id=iid,
                workflow_component="dapr",
                event_name="decision_made",
                event_data=asdict(Decision(args.approver)),
            )

    if not args.no_answer:
        threading.Thread(target=approve, daemon=True).start()

    try:
        state = client.wait_for_workflow_completion(iid, timeout_in_seconds=args.timeout + 5)
        if not state:
            print("not found")
        elif state.runtime_status.name == "COMPLETED":
            print(f"Completed: {state.serialized_output}")
        else:
            print(f"Ended as {state.runtime_status.name}")
    except TimeoutError:
        print("*** Timed out!")
    runtime.shutdown()
