"""Pydantic models (Dapr SDK sample style): inputs annotated with a BaseModel arrive as that
model in workflow and activity; model outputs are stored as plain JSON."""

from time import sleep

from dapr.ext.workflow import (
    DaprWorkflowClient,
    DaprWorkflowContext,
    WorkflowActivityContext,
    WorkflowRuntime,
)
from pydantic import BaseModel


class Ticket(BaseModel):
    ticket_id: str
    owner: str
    points: float


class Verdict(BaseModel):
    ticket_id: str
    accepted: bool
    note: str


wfr = WorkflowRuntime()
INSTANCE = "models-demo"


@wfr.workflow(name="triage_workflow")
def triage_workflow(ctx: DaprWorkflowContext, ticket: Ticket):
    if not ctx.is_replaying:
        print(f"[workflow] {type(ticket).__name__} {ticket.ticket_id} from {ticket.owner}")
    raw = yield ctx.call_activity(judge, input=ticket)
    verdict = Verdict.model_validate(raw)
    if not ctx.is_replaying:
        print(f"[workflow] activity gave a {type(raw).__name__}: accepted={verdict.accepted}")
    return verdict


@wfr.activity(name="judge")
def judge(ctx: WorkflowActivityContext, ticket: Ticket) -> Verdict:
    print(f"[activity] {type(ticket).__name__} {ticket.ticket_id} points={ticket.points}")
    return Verdict(ticket_id=ticket.ticket_id, accepted=ticket.points <= 5, note="small")


def main():
    wfr.start()
    sleep(0.1)
    client = DaprWorkflowClient()
    ticket = Ticket(ticket_id="T-7", owner="ops", points=3.0)
    client.schedule_new_workflow(workflow=triage_workflow, input=ticket, instance_id=INSTANCE)
    state = client.wait_for_workflow_completion(INSTANCE, timeout_in_seconds=30)
    out = Verdict.model_validate_json(state.serialized_output)
    print(f"[client] {out.ticket_id} accepted={out.accepted} note={out.note}")
    print(f"[client] raw {state.serialized_output}")
    client.purge_workflow(INSTANCE)
    print(f"[client] after purge {client.get_workflow_state(INSTANCE)}")
    wfr.shutdown()


if __name__ == "__main__":
    main()
