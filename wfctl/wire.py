"""The Dapr workflow HTTP API's JSON shapes, shared by the HTTP client and `wfctl serve`.

See ../shared/API.md. Match on status codes and ``errorCode``; parse, never compare bytes.
The readers (``*_from_*``) accept what daprd and `wfctl serve` send, missing optional fields
included, and raise :class:`WireError` (a ValueError) for anything of another shape — never
an AttributeError or TypeError deep inside.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from wfctl.limits import MAX_MESSAGE_BYTES
from wfctl.model import FailureDetails, HistoryEntry, RuntimeStatus, WorkflowState

PROP_INPUT = "dapr.workflow.input"
PROP_OUTPUT = "dapr.workflow.output"
PROP_CUSTOM_STATUS = "dapr.workflow.custom_status"
PROP_ERROR_TYPE = "dapr.workflow.failure.error_type"
PROP_ERROR_MESSAGE = "dapr.workflow.failure.error_message"
PROP_STACK_TRACE = "dapr.workflow.failure.stack_trace"

MAX_BODY_BYTES = MAX_MESSAGE_BYTES  # daprd refuses request bodies over 4 MiB
ZERO_TIME = "0001-01-01T00:00:00Z"


class WireError(ValueError):
    """A body that does not have the shape the Dapr workflow API gives it; the message says
    what is wrong (``runtimeStatus is a list, not a string``)."""


def kind_of(value: Any) -> str:
    """What a JSON value is, for a message: "a list", "an object", "null"."""
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _opt_str(body: dict[str, Any], key: str, where: str = "") -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise WireError(f"{where}{key} is {kind_of(value)}, not a string")
    return value


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WireError(f"{what} is {kind_of(value)}, not an object")
    return value


def format_time(dt: datetime | None) -> str:
    """RFC 3339 UTC with ``Z``, as daprd writes it; no time reads as Go's zero time."""
    if dt is None:
        return ZERO_TIME
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond:
        text += f".{dt.microsecond:06d}".rstrip("0")
    return text + "Z"


_TIME = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|z|[+-]\d\d:?\d\d)?$"
)


def parse_time(text: str | None) -> datetime | None:
    """Read an RFC 3339 time (0 to 9 fraction digits) as an aware UTC datetime; None if absent."""
    if not text or text.startswith("0001-01-01"):
        return None
    m = _TIME.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, tz = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    try:  # a month 13 or a day 32 reads as no time, like any other unreadable text
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), micro, tzinfo=timezone.utc)
        if tz and tz not in ("Z", "z"):
            sign = 1 if tz[0] == "+" else -1
            digits = tz[1:].replace(":", "")
            dt -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    except (ValueError, OverflowError):
        return None
    return dt


def state_to_dapr(state: WorkflowState) -> dict[str, Any]:
    """The get response body, fields in daprd's order, empty ones left out, properties sorted."""
    body: dict[str, Any] = {"instanceID": state.instance_id}
    if state.name:
        body["workflowName"] = state.name
    body["createdAt"] = format_time(state.created_at)
    body["lastUpdatedAt"] = format_time(state.last_updated_at)
    body["runtimeStatus"] = state.runtime_status.value
    props = dict(state.properties)
    if state.serialized_input is not None:
        props[PROP_INPUT] = state.serialized_input
    if state.serialized_output is not None:
        props[PROP_OUTPUT] = state.serialized_output
    if state.serialized_custom_status is not None:
        props[PROP_CUSTOM_STATUS] = state.serialized_custom_status
    if state.failure is not None:
        if state.failure.error_type:
            props[PROP_ERROR_TYPE] = state.failure.error_type
        if state.failure.message:
            props[PROP_ERROR_MESSAGE] = state.failure.message
        if state.failure.stack_trace:
            props[PROP_STACK_TRACE] = state.failure.stack_trace
    if props:
        body["properties"] = dict(sorted(props.items()))
    return body


_KNOWN = {
    PROP_INPUT,
    PROP_OUTPUT,
    PROP_CUSTOM_STATUS,
    PROP_ERROR_TYPE,
    PROP_ERROR_MESSAGE,
    PROP_STACK_TRACE,
}


def state_from_dapr(body: Any) -> WorkflowState:
    """Parse a get response; tolerate missing fields (a PENDING instance may lack most; no
    runtimeStatus reads UNKNOWN), not a field of another type nor an object with neither
    ``instanceID`` nor ``runtimeStatus`` (such as ``{}``): :class:`WireError`."""
    body = _object(body, "the answer")
    for key in ("instanceID", "instanceId", "workflowName", "createdAt", "lastUpdatedAt"):
        _opt_str(body, key)
    status = _opt_str(body, "runtimeStatus")
    if status is None and body.get("instanceID") is None and body.get("instanceId") is None:
        raise WireError("it has neither instanceID nor runtimeStatus")
    raw = body.get("properties")
    props = {} if raw is None else _object(raw, "properties")
    for k, v in props.items():
        if not isinstance(v, str):
            raise WireError(f"property {k!r} is {kind_of(v)}, not a string")
    failure = None
    if any(k in props for k in (PROP_ERROR_TYPE, PROP_ERROR_MESSAGE, PROP_STACK_TRACE)):
        failure = FailureDetails(
            error_type=props.get(PROP_ERROR_TYPE, ""),
            message=props.get(PROP_ERROR_MESSAGE, ""),
            stack_trace=props.get(PROP_STACK_TRACE, ""),
        )
    return WorkflowState(
        instance_id=str(body.get("instanceID") or body.get("instanceId") or ""),
        name=str(body.get("workflowName") or ""),
        runtime_status=RuntimeStatus.parse(status),
        created_at=parse_time(body.get("createdAt")),
        last_updated_at=parse_time(body.get("lastUpdatedAt")),
        serialized_input=props.get(PROP_INPUT),
        serialized_output=props.get(PROP_OUTPUT),
        serialized_custom_status=props.get(PROP_CUSTOM_STATUS),
        failure=failure,
        properties={k: v for k, v in props.items() if k not in _KNOWN},
    )


def history_to_dict(entry: HistoryEntry) -> dict[str, Any]:
    """One history row as ``GET /wfctl/v1/instances/{id}/history`` and ``-o json`` show it."""
    body: dict[str, Any] = {
        "eventId": entry.event_id,
        "type": entry.type,
        "timestamp": format_time(entry.timestamp if entry.timestamp != datetime.min else None),
        "name": entry.name,
        "taskId": entry.task_id,
        "details": entry.details,
    }
    if entry.status:
        body["status"] = entry.status
    return body


def history_from_dict(ev: Any) -> HistoryEntry:
    """Inverse of :func:`history_to_dict`; tolerant of missing fields, not of fields of
    another type (:class:`WireError`)."""
    ev = _object(ev, "a history event")
    ints = {}
    for key in ("eventId", "taskId"):
        value = ev.get(key)
        if value is not None and (type(value) is not int):
            raise WireError(f"history event {key} is {kind_of(value)}, not a whole number")
        ints[key] = value
    texts = {k: _opt_str(ev, k, "history event ") or "" for k in _HISTORY_TEXTS}
    return HistoryEntry(
        event_id=ints["eventId"] if ints["eventId"] is not None else -1,
        type=texts["type"],
        timestamp=parse_time(texts["timestamp"]) or datetime.min,
        name=texts["name"],
        task_id=ints["taskId"],
        details=texts["details"],
        status=texts["status"],
    )


_HISTORY_TEXTS = ("type", "timestamp", "name", "details", "status")


def error_body(error_code: str, message: str) -> dict[str, str]:
    return {"errorCode": error_code, "message": message}


# ------------------------------------------------------------------------------------------
# wfctl's own extensions, served by `wfctl serve` (never by daprd, which answers 404).
# Same base URL, same token header, same error body shape.
#
#   GET  /wfctl/v1/instances?status=RUNNING&status=FAILED&name=wf&maxAge=3600&limit=100
#        -> 200 {"instances": [<get-response object>, ...]}   newest first
#   GET  /wfctl/v1/instances/{id}/history
#        -> 200 {"events": [{"eventId": -1, "type": "ExecutionStarted", "timestamp": "<rfc3339>",
#                             "name": "...", "taskId": null, "details": "..."}, ...],
#                "waitingFor": ["approval"],   event names the workflow waits for
#                "waitingForWorker": "..."}   serve --grpc-port: why a PENDING one has not begun
#        -> 404 ERR_INSTANCE_ID_NOT_FOUND
#   GET  /wfctl/v1/workflows
#        -> 200 {"workflows": ["hello_world_wf", ...]}   the names the served app registers
#   POST /wfctl/v1/purge?olderThan=86400&status=COMPLETED&dryRun=true
#        -> 200 {"instanceIDs": [...], "dryRun": true}
#   POST /wfctl/v1/instances/{id}/rerun   body {"eventID": 2, "newInstanceID": "..." (opt.),
#        "input": "<JSON text>" (opt.), "overwriteInput": true (opt.)}  (RerunWorkflowFromEvent)
#        -> 202 {"instanceID": "..."}; 404 ERR_INSTANCE_ID_NOT_FOUND; 409 ERR_RERUN_CONFLICT
#        (not finished, new ID taken); 400 ERR_MALFORMED_REQUEST (not an activity's event)
# ------------------------------------------------------------------------------------------
EXT_PREFIX = "/wfctl/v1"
#: `wfctl serve` sets this header (value: the routes' version, ``v1``) on every response, so a
#: client learns from any answer that the routes above are there (daprd sets none).
SERVE_HEADER = "wfctl-api"
SERVE_HEADER_VALUE = "v1"


def rerun_to_dict(
    event_id: int, new_instance_id: str | None, new_input: str | None, overwrite_input: bool
) -> dict[str, Any]:
    """The body of ``POST /wfctl/v1/instances/{id}/rerun`` (fields as the gRPC request's)."""
    body: dict[str, Any] = {"eventID": event_id}
    if new_instance_id:
        body["newInstanceID"] = new_instance_id
    if overwrite_input:
        body["overwriteInput"] = True
        body["input"] = new_input
    return body
