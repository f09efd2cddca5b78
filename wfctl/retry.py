"""wfctl's one retry policy: exponential back-off, capped, optionally cut by a deadline.

Every loop that tries again — a request the sidecar refused for a moment (HTTP backend), a
wait that polls until an instance ends or that rides out an outage (HTTP and gRPC backends),
a commit the disk refused (the engine) — takes its pauses from a :class:`Backoff`: ``first``,
then doubling up to ``cap``. :func:`pause` sleeps one of them, never past a deadline.

Imports nothing but ``time``: the vocabulary layer.
"""

from __future__ import annotations

import time

__all__ = ["COMMIT", "OUTAGE", "REQUEST", "Backoff", "left", "pause", "polls"]


class Backoff:
    """Pauses ``first``, ``first * factor``, ... capped at ``cap`` (seconds).

    ``delay(n)`` is the pause after the n-th failed attempt (from 0); ``attempts`` (None: no
    limit) is how many retries a caller may make in all (:meth:`allows`).
    """

    __slots__ = ("first", "cap", "factor", "attempts")

    def __init__(
        self, first: float, cap: float, *, factor: float = 2.0, attempts: int | None = None
    ) -> None:
        if not 0 <= first <= cap or factor < 1:
            raise ValueError(f"a back-off needs 0 <= first <= cap and factor >= 1: {first}, {cap}")
        self.first = first
        self.cap = cap
        self.factor = factor
        self.attempts = attempts

    def delay(self, attempt: int) -> float:
        """The pause after failed attempt ``attempt`` (0, 1, 2, ...): never over ``cap``."""
        if self.first == 0:
            return 0.0
        return min(self.cap, self.first * self.factor ** min(max(attempt, 0), 64))

    def allows(self, attempt: int) -> bool:
        """Whether retry ``attempt + 1`` may be made (the policy's attempts are not used up)."""
        return self.attempts is None or attempt < self.attempts

    def __repr__(self) -> str:
        return f"Backoff(first={self.first}, cap={self.cap}, attempts={self.attempts})"


def left(deadline: float | None) -> float | None:
    """Seconds until ``deadline`` (a ``time.monotonic()`` value; None: no deadline), >= 0."""
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def pause(seconds: float, deadline: float | None = None) -> None:
    """Sleep ``seconds``, cut to what is left before ``deadline``."""
    rest = left(deadline)
    time.sleep(seconds if rest is None else min(seconds, rest))


#: A request the server refused for a moment (connection refused or reset, 429, 502-504):
#: 3 retries, 0.1 s doubling up to 2 s (the HTTP backend; its ``retries``/``backoff`` tune it).
REQUEST = Backoff(0.1, 2.0, attempts=3)
#: A wait that rides out an unreachable server: at least this long between tries.
OUTAGE = Backoff(0.2, 0.2)
#: A commit the disk refused (a full disk): 50 ms doubling up to 5 s, for as long as it takes
#: (the engine keeps the activity results in memory meanwhile).
COMMIT = Backoff(0.05, 5.0)


def polls(interval: float) -> Backoff:
    """A wait's polls: 50 ms (or ``interval``, if shorter) doubling up to ``interval``."""
    return Backoff(min(0.05, interval), interval)
