"""Durations as people type them: ``500ms``, ``90s``, ``5m``, ``1h30m``, ``2d``, or seconds."""

from __future__ import annotations

import re

from wfctl.model import UsageError

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")


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
        return value
    pos = 0
    total = 0.0
    for m in _PART.finditer(t):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(t) or pos == 0:
        raise UsageError(f"invalid duration {text!r}: use e.g. 500ms, 90s, 5m, 1h30m, 2d")
    return total


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
