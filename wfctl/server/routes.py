"""The handlers: Dapr's workflow routes and wfctl's own read-only extensions.

Every handler turns one request into one Backend call, run off the event loop by ``call``,
and maps the Backend's errors to daprd's status codes, ``errorCode`` values and messages
(see ../shared/API.md). Messages name the instance; nothing here ever leaks a traceback.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from wfctl.ids import (
    MAX_ID_BYTES,
    check_event_name,
    check_instance_id,
    is_valid_new_instance_id,
    new_instance_id,
)
from wfctl.limits import LimitError, check_name
from wfctl.model import (
    ConflictError,
    NotFoundError,
    RuntimeStatus,
    UnsupportedError,
    UsageError,
    WfctlError,
)
from wfctl.server.request import HttpError, Request, Response, bad_request, json_response
from wfctl.textsafe import loads_bounded
from wfctl.wire import history_to_dict, state_to_dapr

T = TypeVar("T")
#: Runs a blocking Backend call on the server's thread pool and awaits its result.
Call = Callable[..., Awaitable[Any]]

ACCEPTED = json_response(202, {})
MAX_NUMBER = 2**63 - 1  # the largest number a query parameter may hold (limit, seconds)

# daprd's error codes and message formats for each operation's generic failure.
_FAILURES = {
    "start": ("ERR_START_WORKFLOW", "error starting workflow '{}': {}"),
    "get": ("ERR_GET_WORKFLOW", "error while getting workflow info on instance '{}': {}"),
    "terminate": ("ERR_TERMINATE_WORKFLOW", "error terminating workflow '{}': {}"),
    "raise": ("ERR_RAISE_EVENT_WORKFLOW", "error raising event on workflow '{}': {}"),
    "pause": ("ERR_PAUSE_WORKFLOW", "error pausing workflow {}: {}"),
    "resume": ("ERR_RESUME_WORKFLOW", "error resuming workflow {}: {}"),
    "purge": ("ERR_PURGE_WORKFLOW", "error purging workflow {}: {}"),
    "list": ("ERR_LIST_WORKFLOWS", "error listing workflows{}: {}"),
    "history": ("ERR_GET_HISTORY", "error reading the history of workflow '{}': {}"),
    "bulk_purge": ("ERR_PURGE_WORKFLOW", "error purging workflows{}: {}"),
    "rerun": ("ERR_RERUN_WORKFLOW", "error rerunning workflow '{}': {}"),
}
# Operations for which an unknown instance is a 404 (daprd answers 500 for the others).
_NOT_FOUND_IS_404 = {"get", "terminate", "purge", "history", "rerun"}


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def not_found(instance_id: str) -> HttpError:
    return HttpError(
        404,
        "ERR_INSTANCE_ID_NOT_FOUND",
        f"unable to find workflow with the provided instance ID: {_shorten(instance_id)}",
    )


def failure(op: str, subject: str, reason: str) -> HttpError:
    code, fmt = _FAILURES[op]
    return HttpError(500, code, fmt.format(_shorten(subject), reason))


def map_error(op: str, subject: str, exc: Exception) -> HttpError:
    """Translate a Backend error into daprd's answer for operation ``op``."""
    if isinstance(exc, NotFoundError):
        if op in _NOT_FOUND_IS_404:
            return not_found(subject)
        return failure(op, subject, "no such instance exists")
    if isinstance(exc, UnsupportedError):
        return HttpError(501, "ERR_API_UNIMPLEMENTED", str(exc))
    if isinstance(exc, ConflictError):
        if op == "rerun":  # wfctl's own route: a plain 409 (not finished, new ID taken)
            return HttpError(409, "ERR_RERUN_CONFLICT", str(exc))
        return failure(op, subject, str(exc))
    if isinstance(exc, UsageError):
        if op == "start":
            # An unknown workflow name: the engine refuses to record it (see docs/serve.md).
            return HttpError(
                400, "ERR_START_WORKFLOW", _FAILURES[op][1].format(_shorten(subject), exc)
            )
        # The engine refused what the client sent (an odd event name, a bad filter, ...).
        return HttpError(400, "ERR_MALFORMED_REQUEST", str(exc))
    if isinstance(exc, WfctlError):
        return failure(op, subject, str(exc))
    return failure(op, subject, f"internal error ({type(exc).__name__})")


class Handlers:
    """The route handlers over one Backend; ``call`` runs its blocking methods off-loop.

    ``reader`` (default: ``backend``) answers the read-only calls (get, list, history): a
    second connection to the same file, so reads never queue behind a write that waits for
    the file's lock.
    """

    def __init__(self, backend: Any, call: Call, reader: Any = None) -> None:
        self.backend = backend
        self.reader = reader
        self.call = call

    @property
    def _reads(self) -> Any:
        return self.reader if self.reader is not None else self.backend

    async def _run(self, op: str, subject: str, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        try:
            return await self.call(fn, *args, **kw)
        except Exception as exc:  # every Backend failure becomes an HTTP answer
            # ``from exc`` keeps the cause: the app logs the unexpected (non-WfctlError) ones.
            raise map_error(op, subject, exc) from exc

    # -------------------------------------------------------------- Dapr workflow routes

    async def start(self, req: Request, name: str) -> Response:
        if not name:
            raise HttpError(400, "ERR_WORKFLOW_NAME_MISSING", "workflow name is not configured")
        try:
            check_name(name, "the workflow name")  # serve's limits, as on the gRPC port
        except LimitError as exc:
            raise bad_request(str(exc)) from None
        instance_id = req.query_one("instanceID") or ""
        if not instance_id:
            instance_id = new_instance_id()
        else:
            _check_new_id(instance_id)
        data = await req.body_text()
        await self._run("start", name, self.backend.start, name, data, instance_id=instance_id)
        return json_response(202, {"instanceID": instance_id})

    async def get(self, req: Request, instance_id: str) -> Response:
        self._existing_id(instance_id, "get")
        await req.expect_no_body()
        state = await self._run("get", instance_id, self._reads.get, instance_id)
        return json_response(200, state_to_dapr(state))

    async def terminate(self, req: Request, instance_id: str) -> Response:
        return await self._simple(req, "terminate", instance_id, self.backend.terminate)

    async def pause(self, req: Request, instance_id: str) -> Response:
        return await self._simple(req, "pause", instance_id, self.backend.pause)

    async def resume(self, req: Request, instance_id: str) -> Response:
        return await self._simple(req, "resume", instance_id, self.backend.resume)

    async def purge(self, req: Request, instance_id: str) -> Response:
        return await self._simple(req, "purge", instance_id, self.backend.purge)

    async def raise_event(self, req: Request, instance_id: str, event: str) -> Response:
        self._existing_id(instance_id, "raise")
        if not event:
            raise HttpError(400, "ERR_WORKFLOW_EVENT_NAME_MISSING", "missing workflow event name")
        try:
            check_event_name(event)  # the CLI's rule: no control characters (nor '/')
        except UsageError as exc:
            raise HttpError(400, "ERR_MALFORMED_REQUEST", str(exc)) from None
        data = await req.body_text()
        # An empty body is "no payload", as the Dapr SDKs deliver falsy event data.
        await self._run(
            "raise", instance_id, self.backend.raise_event, instance_id, event, data or None
        )
        return ACCEPTED

    async def _simple(
        self, req: Request, op: str, instance_id: str, fn: Callable[[str], None]
    ) -> Response:
        self._existing_id(instance_id, op)
        await req.expect_no_body()
        await self._run(op, instance_id, fn, instance_id)
        return ACCEPTED

    @staticmethod
    def _existing_id(instance_id: str, op: str) -> None:
        """daprd checks only for an empty ID here; one no instance can have is unknown."""
        if not instance_id:
            raise HttpError(400, "ERR_INSTANCE_ID_PROVIDED_MISSING", "no instance ID was provided")
        try:
            check_instance_id(instance_id)
        except UsageError:
            if op in _NOT_FOUND_IS_404:
                raise not_found(instance_id) from None
            raise failure(op, instance_id, "no such instance exists") from None

    # ------------------------------------------------------------ wfctl's own extensions

    async def workflows(self, req: Request) -> Response:
        """The workflow names the served app registers (for `wfctl workflows`)."""
        names = await self._run("list", "", self.backend.workflow_names)
        return json_response(200, {"workflows": sorted(names)})

    async def list_instances(self, req: Request) -> Response:
        statuses = statuses_param(req)
        name = req.query_one("name") or None
        max_age = number_param(req, "maxAge", integer=False)
        limit = number_param(req, "limit", integer=True, minimum=1)
        states = await self._run(
            "list",
            "",
            self._reads.list_instances,
            statuses=statuses,
            name=name,
            max_age=max_age,
            limit=None if limit is None else int(limit),
        )
        return json_response(200, {"instances": [state_to_dapr(s) for s in states]})

    async def history(self, req: Request, instance_id: str) -> Response:
        self._existing_id(instance_id, "history")
        # What the workflow waits for comes beside: history alone cannot tell.
        entries, waits = await self._run(
            "history", instance_id, self._reads.history_with_waits, instance_id
        )
        body: dict = {"events": [history_to_dict(e) for e in entries], "waitingFor": waits}
        # serve --grpc-port: a PENDING instance waits for a worker.
        why = await self._run("history", instance_id, self.backend.pending_reason, instance_id)
        if why:
            body["waitingForWorker"] = why
        return json_response(200, body)

    async def rerun(self, req: Request, instance_id: str) -> Response:
        """``POST /wfctl/v1/instances/{id}/rerun``: see :func:`wfctl.wire.rerun_to_dict`."""
        self._existing_id(instance_id, "rerun")
        text = await req.body_text()
        try:
            body = loads_bounded(text)
        except ValueError as exc:
            raise bad_request(f"the body is not JSON ({_shorten(str(exc))})") from None
        if not isinstance(body, dict):
            raise bad_request('the body must be a JSON object, e.g. {"eventID": 2}')
        # eventID as the gRPC request names it; the web view's fromEvent (and eventId) too.
        event = next((body[k] for k in ("eventID", "fromEvent", "eventId") if k in body), None)
        if not isinstance(event, int) or isinstance(event, bool):
            raise bad_request("eventID must be a whole number: the EVENTID `history` shows")
        new_id = body.get("newInstanceID") or None
        if new_id is not None:
            _check_new_id(new_id if isinstance(new_id, str) else json.dumps(new_id))
        new_input = body.get("input")
        if new_input is not None and not isinstance(new_input, str):
            raise bad_request("input must be a string holding the step's new input as JSON text")
        overwrite = body.get("overwriteInput", False)
        if not isinstance(overwrite, bool):
            raise bad_request("overwriteInput must be true or false")
        new = await self._run(
            "rerun",
            instance_id,
            self.backend.rerun,
            instance_id,
            event,
            new_instance_id=new_id,
            new_input=new_input,
            overwrite_input=overwrite,
        )
        return json_response(202, {"instanceID": new})

    async def bulk_purge(self, req: Request) -> Response:
        await req.expect_no_body()
        older_than = number_param(req, "olderThan", integer=False)
        if older_than is None:
            raise bad_request("olderThan is required: give an age in seconds, e.g. olderThan=86400")
        statuses = statuses_param(req)
        dry_run = _flag(req, "dryRun")
        result = await self._run(
            "bulk_purge",
            "",
            self.backend.purge_older_than,
            older_than,
            statuses=statuses,
            dry_run=dry_run,
        )
        return json_response(
            200, {"instanceIDs": list(result.instance_ids), "dryRun": bool(result.dry_run)}
        )


def _check_new_id(instance_id: str) -> None:
    """daprd's answers for an ID given to a new instance that it cannot have."""
    if is_valid_new_instance_id(instance_id):
        return
    if len(instance_id.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES and all(
        c.isalpha() or c.isdecimal() or c in "-_" for c in instance_id
    ):
        raise HttpError(
            400,
            "ERR_INSTANCE_ID_TOO_LONG",
            f"workflow instance ID exceeds the max length of {MAX_ID_BYTES} characters",
        )
    raise HttpError(
        400,
        "ERR_INSTANCE_ID_INVALID",
        f"workflow instance ID '{_shorten(instance_id)}' is invalid: "
        "only alphanumeric and underscore characters are allowed",
    )


def statuses_param(req: Request) -> Sequence[RuntimeStatus]:
    """The ``status`` query parameters (repeated or comma-separated); 400 names the valid ones."""
    out: list[RuntimeStatus] = []
    for value in req.query().get("status", []):
        for part in value.split(","):
            text = part.strip().upper()
            if not text:
                continue
            if text == "CANCELLED":
                text = "CANCELED"
            try:
                out.append(RuntimeStatus(text))
            except ValueError:
                known = (s.value for s in RuntimeStatus if s is not RuntimeStatus.UNKNOWN)
                allowed = ", ".join(known)
                msg = f"unknown status {part.strip()!r}: use one of {allowed}"
                raise bad_request(msg) from None
    return out


def number_param(req: Request, name: str, *, integer: bool, minimum: float = 0) -> float | None:
    """Query parameter ``name`` as a number (None when absent); 400 when it is not one, below
    ``minimum`` or beyond what SQLite can bind."""
    text = req.query_one(name)
    if text is None or text == "":
        return None
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        kind = "a whole number" if integer else "a number of seconds"
        raise bad_request(f"{name}={_shorten(text)!r} is not {kind}") from None
    if isinstance(value, float) and not math.isfinite(value):  # "nan", "inf", "1e999"
        raise bad_request(f"{name}={_shorten(text)!r} is not a number of seconds (not finite)")
    if value < minimum:
        raise bad_request(f"{name}={_shorten(text)!r} must be at least {minimum:g}")
    if value > MAX_NUMBER:  # SQLite's integers end at 2^63 - 1: a 500 past it, before
        raise bad_request(f"{name}={_shorten(text)!r} is too large: at most {MAX_NUMBER}")
    return value


def _flag(req: Request, name: str) -> bool:
    text = req.query_one(name)
    if text is None:
        return False
    lowered = text.strip().lower()
    if lowered in ("", "1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise bad_request(f"{name}={_shorten(text)!r} is not true or false")
