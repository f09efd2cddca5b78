"""Durations as people type them: ``500ms``, ``90s``, ``5m``, ``1h30m``, ``2d``, or seconds.

Every duration wfctl accepts — a flag, a config value — is at most :data:`MAX_SECONDS`
(3650 days), so no later sum, sleep or date can overflow; a polling interval is at least
:data:`MIN_INTERVAL`, so no loop spins.
"""

from __future__ import annotations

import re

from wfctl.model import UsageError

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")

#: The longest duration accepted anywhere: ten years.
MAX_SECONDS = 3650 * 86400.0
#: The shortest polling interval (``status --watch``, ``wait``): 50 ms, the first poll's.
MIN_INTERVAL = 0.05


def parse_duration(text: str) -> float:
    """Seconds in ``text``; raise UsageError naming the accepted forms when it cannot be read."""
    t = text.strip().lower()
    if not t:
        raise UsageError("empty duration: use e.g. 500ms, 90s, 5m, 1h30m, 2d")
    try:
        value = float(t)
    except ValueError:
        pass
    else:
        if value < 0 or value != value or value == float("inf"):
            raise UsageError(f"invalid duration {text!r}: it must be a finite number >= 0")
        return check_duration(value, text)
    pos = 0
    total = 0.0
    for m in _PART.finditer(t):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(t) or pos == 0:
        raise UsageError(f"invalid duration {text!r}: use e.g. 500ms, 90s, 5m, 1h30m, 2d")
    return check_duration(total, text)


def check_duration(seconds: float, text: object = None) -> float:
    """``seconds`` if it is a number from 0 to :data:`MAX_SECONDS`; else a UsageError
    (``text`` is what the user wrote, for the message)."""
    shown = repr(text) if text is not None else repr(seconds)
    if not 0 <= seconds <= MAX_SECONDS:  # also false for NaN
        if seconds < 0:
            raise UsageError(f"invalid duration {shown}: it must be >= 0")
        raise UsageError(f"duration {shown} is too long: the limit is 3650d (ten years)")
    return float(seconds)


def parse_interval(text: str, flag: str = "--interval") -> float:
    """A polling interval: a duration of at least :data:`MIN_INTERVAL` (a shorter one would
    keep a CPU busy and flood the server)."""
    seconds = parse_duration(text)
    if seconds < MIN_INTERVAL:
        raise UsageError(f"{flag} {text!r} is too short: the minimum is 50ms")
    return seconds


def format_duration(seconds: float) -> str:
    """A short human form: ``850ms``, ``12s``, ``3m4s``, ``2h5m``, ``3d4h``."""
    if seconds < 0:
        seconds = 0.0
    if seconds < 1:
        return f"{int(seconds * 1000)}ms"
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}m{s}s" if s else f"{m}m"
    h, m = divmod(m, 60)
    if h < 24:
        return f"{h}h{m}m" if m else f"{h}h"
    d, h = divmod(h, 24)
    return f"{d}d{h}h" if h else f"{d}d"


def seconds_text(value: float) -> str:
    """``value`` seconds to the millisecond, as a user writes them: ``1``, ``0.5``, ``90`` (in
    messages, and in the query parameters of wfctl's own HTTP routes)."""
    rounded = round(float(value), 3)
    return str(int(rounded)) if rounded.is_integer() else repr(rounded)
