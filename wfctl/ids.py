"""Instance-ID and event-name rules, in one place for client, server and engine.

* A *new* instance ID (``start --id``, the server's start route) follows daprd's rule:
  1 to 64 bytes of UTF-8, every character a Unicode letter, a decimal digit, ``_`` or ``-``.
* An *existing* instance may have another shape (child workflows are named ``parent:0001``),
  so other commands accept any non-empty ID without ``/`` or control characters.
* An event name is non-empty and has no ``/``.
"""

from __future__ import annotations

import unicodedata

from wfctl.model import UsageError

MAX_ID_BYTES = 64
#: An event name travels in the URL path: past this, no HTTP client or server takes the URL.
MAX_EVENT_NAME_BYTES = 16 * 1024


def new_instance_id(*, sdk_client: bool = False) -> str:
    """The ID of an instance started without one: a random dashed UUID string, as daprd
    makes them when a start names none (HTTP and gRPC start, rerun, every backend).
    ``sdk_client``: the 32 hex digits the Dapr SDK's ``DaprWorkflowClient`` makes itself
    before it calls (its ``schedule_new_workflow`` never sends an empty ID); wfctl's
    stand-in for that client keeps the SDK's shape."""
    import uuid  # here: a few ms most commands need not pay

    u = uuid.uuid4()
    return u.hex if sdk_client else str(u)


def is_valid_new_instance_id(value: str) -> bool:
    """daprd's rule for an ID given to start (see ../shared/API.md)."""
    return 0 < len(value.encode("utf-8", "surrogatepass")) <= MAX_ID_BYTES and all(
        c.isalpha() or c.isdecimal() or c in "-_" for c in value
    )


def _describe(c: str) -> str:
    if c == " ":
        return "a space"
    if c.isprintable():
        return repr(c)
    name = unicodedata.name(c, "")
    return f"U+{ord(c):04X}" + (f" ({name})" if name else "")


def check_new_instance_id(value: str) -> str:
    """Return ``value`` if it may name a new instance; else raise a UsageError that says why."""
    if not value:
        raise UsageError("instance ID is empty: give 1 to 64 letters, digits, '_' or '-'")
    for pos, c in enumerate(value, start=1):
        if not (c.isalpha() or c.isdecimal() or c in "-_"):
            raise UsageError(
                f"instance ID {value!r} has {_describe(c)} at position {pos}: "
                "use only letters, digits, '_' and '-'"
            )
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > MAX_ID_BYTES:
        raise UsageError(
            f"instance ID is {size} bytes long in UTF-8: the limit is {MAX_ID_BYTES} bytes"
        )
    return value


def _bad_char(value: str) -> tuple[int, str] | None:
    for pos, c in enumerate(value, start=1):
        if c == "/" or unicodedata.category(c) in ("Cc", "Cs"):
            return pos, c
    return None


def _check_name(value: str, what: str, plural: str) -> str:
    if not value:
        raise UsageError(f"{what} is empty")
    bad = _bad_char(value)
    if bad:
        pos, c = bad
        raise UsageError(
            f"{what} {value!r} has {_describe(c)} at position {pos}: "
            f"{plural} cannot contain '/' or control characters"
        )
    return value


def check_instance_id(value: str) -> str:
    """Return ``value`` if it may name an existing instance; else raise a UsageError."""
    return _check_name(value, "instance ID", "IDs")


def check_event_name(value: str) -> str:
    """Return ``value`` if it may name an event; else raise a UsageError."""
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > MAX_EVENT_NAME_BYTES:
        raise UsageError(
            f"event name is {size} bytes long: it makes the URL too long "
            f"(the limit is {MAX_EVENT_NAME_BYTES} bytes)"
        )
    return _check_name(value, "event name", "event names")
