"""serve's input limits (:mod:`wfctl.limits`) applied to the gRPC messages: client requests
at the door (refused with a status), and workers' answers (which fail the one instance or
activity they carry, never a stream)."""

from __future__ import annotations

from typing import Any

from wfctl.grpcapi.convert import BadActions
from wfctl.limits import LimitError, TooLarge, check_name, check_payload, payload_limit


def _text(msg: Any, field: str) -> str | None:
    return getattr(msg, field).value if msg.HasField(field) else None


def _action(a: Any, max_message: int) -> None:
    kind = a.WhichOneof("workflowActionType")
    if kind == "scheduleTask":
        check_name(a.scheduleTask.name, "the activity name")
        check_payload(_text(a.scheduleTask, "input"), "the activity's input", max_message)
    elif kind == "createChildWorkflow":
        check_name(a.createChildWorkflow.name, "the child workflow name")
        check_payload(_text(a.createChildWorkflow, "input"), "the child's input", max_message)
    elif kind == "sendEvent":
        check_name(a.sendEvent.name, "the event name")
        check_payload(_text(a.sendEvent, "data"), "the event data", max_message)
    elif kind == "terminateWorkflow":
        check_payload(_text(a.terminateWorkflow, "reason"), "the reason", max_message)
    elif kind == "completeWorkflow":
        x = a.completeWorkflow
        check_payload(_text(x, "result"), "the workflow's output", max_message)
        for e in x.carryoverEvents:
            if e.HasField("eventRaised"):
                check_payload(_text(e.eventRaised, "input"), "a carried-over event", max_message)


def check_turn_answer(resp: Any, max_message: int) -> None:
    """Raise BadActions (``PayloadTooLarge`` or ``InvalidPayload``) when a worker's
    WorkflowResponse carries a payload or a name over serve's limits."""
    try:
        check_payload(_text(resp, "customStatus"), "the custom status", max_message)
        for a in resp.actions:
            _action(a, max_message)
    except LimitError as exc:
        kind = "PayloadTooLarge" if isinstance(exc, TooLarge) else "InvalidPayload"
        raise BadActions(f"the worker's answer is refused: {exc}", kind) from None


def check_task_answer(resp: Any, max_message: int) -> str | None:
    """Why a worker's ActivityResponse cannot be recorded as it is (None: it can)."""
    try:
        if resp.HasField("failureDetails"):
            size = resp.failureDetails.ByteSize()
            limit = payload_limit(max_message)
            if size > limit:
                raise TooLarge(f"the failure details are {size} bytes: the limit is {limit}")
        else:
            check_payload(_text(resp, "result"), "the activity's result", max_message)
    except LimitError as exc:
        return str(exc)
    return None
