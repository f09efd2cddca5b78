"""The built-in demo app: what ``wfctl --embedded`` runs when no ``--app`` is given.

- ``hello_world_wf``: input a name (default ``"world"``); calls ``hello_act`` three times in
  a chain and returns the final greeting, ``"Hello, world! Welcome to wfctl."``.
- ``OrderProcessingWorkflow``: input ``{"Name": "Paperclips", "TotalCost": 99.95,
  "Quantity": 1}``. Notifies, reserves inventory; above 1000 in ``TotalCost`` it sets the
  custom status ``Waiting for approval`` and waits up to 24 h for the event ``approval``
  (``{"approved": true|false}``); then pays, ships and returns a summary. A rejection or the
  timeout ends it with ``"status": "rejected"`` / ``"status": "timed_out"`` in the output.

Written with ``wfctl.workflow`` exactly as a Dapr app would be.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from wfctl.engine.registry import Registry
from wfctl.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime

wfr = WorkflowRuntime()


def registry() -> Registry:
    """The demo's workflows and activities: the default app the fronts give
    :func:`wfctl.workflow.loader.load_app`."""
    return wfr.registry


APPROVAL_THRESHOLD = 1000
APPROVAL_TIMEOUT = timedelta(hours=24)
DEFAULT_ORDER = {"Name": "Paperclips", "TotalCost": 99.95, "Quantity": 1}


# ----------------------------------------------------------------------------- hello world


@wfr.workflow(name="hello_world_wf")
def hello_world_wf(ctx: DaprWorkflowContext, wf_input: Any = None):
    name = wf_input if isinstance(wf_input, str) and wf_input.strip() else "world"
    greeting = yield ctx.call_activity(hello_act, input={"step": 1, "text": name})
    greeting = yield ctx.call_activity(hello_act, input={"step": 2, "text": greeting})
    greeting = yield ctx.call_activity(hello_act, input={"step": 3, "text": greeting})
    return greeting


@wfr.activity(name="hello_act")
def hello_act(ctx: WorkflowActivityContext, act_input: dict) -> str:
    step, text = act_input["step"], act_input["text"]
    if step == 1:
        return f"Hello, {text}"
    if step == 2:
        return f"{text}!"
    return f"{text} Welcome to wfctl."


# -------------------------------------------------------------------------- order process


def _order(wf_input: Any) -> dict[str, Any]:
    order = dict(DEFAULT_ORDER)
    if isinstance(wf_input, dict):
        order.update(wf_input)
    return order


@wfr.workflow(name="OrderProcessingWorkflow")
def order_processing_workflow(ctx: DaprWorkflowContext, wf_input: Any = None):
    order = _order(wf_input)
    name, cost, quantity = order["Name"], float(order["TotalCost"]), int(order["Quantity"])
    summary: dict[str, Any] = {"order": name, "quantity": quantity, "total_cost": cost}

    yield ctx.call_activity(
        notify_activity, input=f"Received order {ctx.instance_id} for {quantity} {name} at ${cost}"
    )
    reserved = yield ctx.call_activity(
        reserve_inventory_activity, input={"name": name, "quantity": quantity}
    )
    if not reserved["reserved"]:
        yield ctx.call_activity(notify_activity, input=f"Insufficient inventory for {name}")
        return {**summary, "status": "out_of_stock", "reason": "insufficient inventory"}

    if cost > APPROVAL_THRESHOLD:
        ctx.set_custom_status("Waiting for approval")
        yield ctx.call_activity(
            notify_activity,
            input=f"Order {ctx.instance_id} over ${APPROVAL_THRESHOLD} needs approval",
        )
        try:
            decision = yield ctx.wait_for_external_event("approval", timeout=APPROVAL_TIMEOUT)
        except TimeoutError:
            ctx.set_custom_status("Approval timed out")
            yield ctx.call_activity(notify_activity, input=f"Order {ctx.instance_id} timed out")
            return {**summary, "status": "timed_out", "reason": "no approval within 24 hours"}
        if not (isinstance(decision, dict) and decision.get("approved") is True):
            ctx.set_custom_status("Rejected")
            yield ctx.call_activity(notify_activity, input=f"Order {ctx.instance_id} rejected")
            return {**summary, "status": "rejected", "reason": "approval was refused"}
        ctx.set_custom_status("Approved")
        summary["approved"] = True

    payment = yield ctx.call_activity(
        process_payment_activity, input={"order_id": ctx.instance_id, "amount": cost}
    )
    shipment = yield ctx.call_activity(
        ship_activity, input={"order_id": ctx.instance_id, "name": name, "quantity": quantity}
    )
    yield ctx.call_activity(notify_activity, input=f"Order {ctx.instance_id} has shipped")
    return {
        **summary,
        "status": "completed",
        "payment_id": payment["payment_id"],
        "tracking_id": shipment["tracking_id"],
    }


@wfr.activity(name="notify_activity")
def notify_activity(ctx: WorkflowActivityContext, message: str) -> None:
    """Stands in for a notification service (a real app would send it somewhere)."""
    return None


@wfr.activity(name="reserve_inventory_activity")
def reserve_inventory_activity(ctx: WorkflowActivityContext, request: dict) -> dict:
    quantity = int(request.get("quantity", 0))
    return {"reserved": 0 < quantity <= 10_000, "name": request.get("name"), "quantity": quantity}


@wfr.activity(name="process_payment_activity")
def process_payment_activity(ctx: WorkflowActivityContext, request: dict) -> dict:
    return {"payment_id": f"pay-{ctx.workflow_id}", "amount": request["amount"]}


@wfr.activity(name="ship_activity")
def ship_activity(ctx: WorkflowActivityContext, request: dict) -> dict:
    return {"tracking_id": f"trk-{ctx.workflow_id}"}
