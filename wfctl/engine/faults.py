"""What a long-running engine does when its file refuses writes for a while.

* :class:`StorageTrouble` — a commit that keeps failing for a reason that may pass (a full
  disk, an I/O error, a lock held past the busy timeout): one log line when the trouble starts
  and one when it is over, a WAL checkpoint after each failure (the WAL gives its space back
  and pages freed in the file are reused), and the back-off before the next attempt. The
  caller keeps what it computed (activity results) and retries the same commit.
* :func:`start_lease_renewer` — renews an engine's leases from a thread of its own, so that
  neither a long activity nor a busy loop lets them lapse; says once, not every round, when
  it cannot.
* :class:`Reaper` and :func:`pause_after` — the rest of what both executor fronts (the
  in-process engine, :mod:`wfctl.engine.worker`, and the gRPC front,
  :mod:`wfctl.grpcapi.front`) do around their rounds: hand back the leases of dead owners
  now and then, and survive a round that failed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from wfctl import retry
from wfctl.model import WfctlError

if TYPE_CHECKING:
    from wfctl.engine.store import Store

log = logging.getLogger("wfctl.engine")
REAP_EVERY = 1.0  # how often a front hands back the leases of owners that died on this host


class StorageTrouble:
    """Counts the commits of ``store`` that failed in a row; see the module docstring.
    ``held()`` says how many activity results the engine keeps in memory meanwhile."""

    def __init__(self, store: Store, held: Callable[[], int]) -> None:
        self.store = store
        self.held = held
        self.failing = 0  # attempts failed in a row

    def failed(self, exc: Exception) -> float:
        """Record a failed attempt; the seconds to wait before the next one."""
        if not self.failing:
            log.error(
                "wfctl engine: %s; keeping %d activity result(s) and retrying until it works",
                exc,
                self.held(),
            )
        self.failing += 1
        self.store.db.checkpoint()
        return retry.COMMIT.delay(self.failing - 1)

    def ok(self) -> None:
        """A round went through."""
        if self.failing:
            log.warning(
                "wfctl engine: the database takes writes again (after %d attempts)",
                self.failing,
            )
            self.failing = 0


def start_lease_renewer(
    store: Store, owner: str, ttl: float, busy: Callable[[], bool]
) -> threading.Event:
    """Renew ``owner``'s leases every ttl/4 while ``busy()``; set the returned event to stop."""
    stop = threading.Event()

    def renew() -> None:
        failing = False
        while not stop.wait(ttl / 4):
            if busy():
                try:
                    store.leases.renew(owner, ttl)
                    failing = False
                except WfctlError as exc:
                    if not failing:  # once, not every ttl/4 while the disk is full
                        log.warning("wfctl engine: cannot renew leases: %s", exc)
                    failing = True

    threading.Thread(target=renew, name="wfctl-lease-renewer", daemon=True).start()
    return stop


class Reaper:
    """Hands back the leases of owners that were processes on this host and died, at most
    every :data:`REAP_EVERY` seconds (``now``: a monotonic time)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._last = 0.0

    def __call__(self, now: float) -> None:
        if now - self._last > REAP_EVERY:
            self._last = now
            self.store.leases.reap_dead_owners()


def pause_after(exc: Exception, stop: threading.Event, logger: logging.Logger, what: str) -> None:
    """A front's round failed: say so (one line for a WfctlError, with the traceback for a
    bug: either must not silently stop a long-running loop) and wait a second, or until
    ``stop``."""
    if isinstance(exc, WfctlError):
        logger.error("%s: %s (retrying in 1 s)", what, exc)
    else:
        logger.exception("%s: unexpected error (retrying in 1 s)", what)
    stop.wait(1.0)
