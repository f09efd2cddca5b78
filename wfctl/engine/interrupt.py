"""Ctrl-C taken where the engine's loop can stop cleanly, not at whatever instruction it lands.

Python raises KeyboardInterrupt between any two bytecodes of the main thread. Inside the
engine's bookkeeping that can split a pair of steps that must go together (an activity entered
in the in-flight table and handed to the pool; outcomes taken off the done queue and recorded),
and the loop then waits for an activity that no thread will ever finish. While
:func:`deferred_sigint` is active, SIGINT only marks the request; the loop calls
:meth:`Interrupt.check` where its state is whole, which runs the handler that was in place
(the CLI's, Python's default: KeyboardInterrupt) from there.

Only the main thread takes signals, so elsewhere this does nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


class Interrupt:
    """A Ctrl-C waiting for the loop to take it (``pending``)."""

    def __init__(self, handler: Callable[[int, FrameType | None], Any] | None = None) -> None:
        self._handler = handler
        self.pending = False
        self._frame: FrameType | None = None

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        if self.pending:  # a second Ctrl-C before the loop took the first: the user insists
            self.check()  # (the loop may be stuck in code of the app's that never returns)
            return
        self.pending = True
        self._frame = frame

    def check(self) -> None:
        """Run the original SIGINT handler now (it raises KeyboardInterrupt, as a rule) when a
        Ctrl-C came since the last check."""
        if self.pending and self._handler is not None:
            self.pending = False
            frame, self._frame = self._frame, None
            self._handler(signal.SIGINT, frame)


@contextmanager
def deferred_sigint() -> Iterator[Interrupt]:
    """Defer SIGINT to :meth:`Interrupt.check` for the block; on leaving it, the original
    handler is put back and a Ctrl-C not yet taken is delivered (unless the block is already
    ending with KeyboardInterrupt). A second Ctrl-C before the first was taken is delivered at
    once, wherever it lands. Inert off the main thread and when SIGINT is ignored or has no
    Python handler."""
    if threading.current_thread() is not threading.main_thread():
        yield Interrupt()
        return
    old = signal.getsignal(signal.SIGINT)
    if not callable(old):  # SIG_IGN, SIG_DFL, or a handler installed outside Python
        yield Interrupt()
        return
    intr = Interrupt(old)
    try:
        signal.signal(signal.SIGINT, intr._on_sigint)
    except ValueError:  # not the main interpreter
        yield Interrupt()
        return
    taken = False
    try:
        yield intr
    except KeyboardInterrupt:
        taken = True
        raise
    finally:
        signal.signal(signal.SIGINT, old)
        if not taken:
            intr.check()
