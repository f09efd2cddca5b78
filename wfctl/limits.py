"""The input limits of ``wfctl serve``, one set for both of its doors: the HTTP routes
(:mod:`wfctl.server.routes`) and the gRPC front (:mod:`wfctl.grpcapi`).

* A message is at most :data:`MAX_MESSAGE_BYTES` (daprd's ``--max-body-size``, 4 MiB): an
  HTTP body, a gRPC request, and every work item serve sends a worker.
* A payload (a workflow's input or output, event data, an activity's input or result, a
  custom status, a reason) is JSON text of at most :func:`payload_limit` bytes — the
  message limit less :data:`ENVELOPE_BYTES` for the work item that carries it (its
  envelope and the turn's other events) — nested at most :data:`MAX_JSON_DEPTH` deep. A
  larger one would be accepted and then never fit a work item: every worker stream would
  fail on it.
* A name (workflow, activity, event) is 1 to :data:`MAX_NAME_BYTES` bytes of UTF-8 with
  no control character (nor a bidi override, which reorders a terminal's text).

Each check raises a :class:`LimitError` (a UsageError, exit 2) whose message names the
limit; :class:`TooLarge` is the size one (gRPC RESOURCE_EXHAUSTED, the others
INVALID_ARGUMENT).
"""

from __future__ import annotations

from wfctl.model import UsageError
from wfctl.textsafe import MAX_JSON_DEPTH, is_unsafe, json_depth_ok

__all__ = [
    "ENVELOPE_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_MESSAGE_BYTES",
    "MAX_NAME_BYTES",
    "LimitError",
    "TooLarge",
    "check_name",
    "check_payload",
    "payload_limit",
]

#: daprd's default ``--max-body-size``: an HTTP body, a gRPC message (either way).
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
#: Room a work item needs beside its largest payload: the envelope (IDs, names, router,
#: token) and the turn's other events. Names are bounded, so 64 KiB covers it.
ENVELOPE_BYTES = 64 * 1024
#: The longest workflow, activity or event name (an event name travels in a URL path).
MAX_NAME_BYTES = 16 * 1024


class LimitError(UsageError):
    """Input over one of serve's limits; the message names the limit."""


class TooLarge(LimitError):
    """A payload or a name over its size limit."""


def payload_limit(max_message: int = MAX_MESSAGE_BYTES) -> int:
    """The largest payload (bytes of UTF-8) a message of ``max_message`` bytes can carry."""
    return max(max_message - ENVELOPE_BYTES, 0)


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):g} MiB"


def check_payload(text: str | None, what: str, max_message: int = MAX_MESSAGE_BYTES) -> None:
    """Refuse ``text`` (a payload called ``what``: "input", "event data"...) when it is over
    :func:`payload_limit` bytes or nests JSON deeper than :data:`MAX_JSON_DEPTH`."""
    if text is None:
        return
    limit = payload_limit(max_message)
    if len(text) > limit // 4:  # a character is at most 4 bytes: only then count them
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > limit:
            raise TooLarge(
                f"{what} is {size} bytes: the limit is {limit} bytes (the "
                f"{_mib(max_message)} message limit less {ENVELOPE_BYTES // 1024} KiB for the "
                "work item that carries it)"
            )
    if not json_depth_ok(text):
        raise LimitError(f"{what} nests JSON deeper than {MAX_JSON_DEPTH} levels (the limit)")


def _describe(c: str) -> str:
    return f"U+{ord(c):04X}"


def check_name(name: str, what: str) -> None:
    """Refuse ``name`` (a ``what``: "workflow name"...) when it is empty, over
    :data:`MAX_NAME_BYTES` bytes or has a control character."""
    if not name:
        raise LimitError(f"{what} is empty")
    size = len(name.encode("utf-8", "surrogatepass"))
    if size > MAX_NAME_BYTES:
        raise TooLarge(f"{what} is {size} bytes long: the limit is {MAX_NAME_BYTES} bytes")
    for pos, c in enumerate(name, start=1):
        if is_unsafe(c):
            raise LimitError(
                f"{what} has the control character {_describe(c)} at position {pos}: "
                "names cannot contain control characters"
            )
