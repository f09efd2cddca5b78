"""The engine's store: one SQLite file, reached through composed parts that each own their
SQL (and :mod:`wfctl.engine.schema`, which opens and migrates the file).

``Store(path)`` holds the plumbing and the parts; callers reach every operation as
``store.<part>.<method>``:

* ``store.db`` (:class:`~wfctl.engine.db.Db`): the connection, its lock, the write
  transaction and the change hubs every commit wakes (``HUB``; ``STATUS_HUB`` when a status
  changed); ``check_writable``, ``checkpoint``, ``clock``, ``path``;
* ``store.instances`` (:mod:`~wfctl.engine.instances`): create, read and list instances,
  their history; the in-transaction helpers the other parts share;
* ``store.leases`` (:mod:`~wfctl.engine.leases`): renew, release, reap dead owners;
* ``store.queues`` (:mod:`~wfctl.engine.queues`): activity tasks (claim, complete) and the
  progress queries the loops sleep on;
* ``store.dispatch`` (:mod:`~wfctl.engine.dispatch`, writing through
  :mod:`~wfctl.engine.apply`): claim turns and apply their results; ``step`` for the
  in-process engine, ``exchange`` for the remote (gRPC) front: two executor fronts, one
  dispatcher;
* ``store.manage`` (:mod:`~wfctl.engine.manage`): raise events, suspend, resume, terminate,
  purge, rerun;
* ``store.browse`` (:mod:`~wfctl.engine.browse`): counts and keyset pages for the web view.

Each part is a plain class given the ``Db`` and the parts it uses (``dispatch`` uses
``instances``, ``queues`` and ``manage``, whose events and terminations a turn may send;
``queues`` and ``manage`` use ``instances``); none reaches into another's SQL. Claims are
leases: ``(owner, expiry)`` on the row, and results are applied only under the guard that
the lease is still the applier's own, so a turn or an activity result is never applied
twice. Times in the file are UTC seconds since the epoch; times in and out of the parts are
naive UTC datetimes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from wfctl.engine.browse import Browse
from wfctl.engine.db import HUB, STATUS_HUB, ChangeHub, Db
from wfctl.engine.dispatch import Dispatch
from wfctl.engine.instances import Instances
from wfctl.engine.items import ApplyOutcome, StartRequest, TaskItem, TaskOutcome, TurnItem
from wfctl.engine.leases import HOST, Leases, new_owner_id, pid_alive
from wfctl.engine.manage import Manage
from wfctl.engine.queues import Queues
from wfctl.engine.schema import from_ts, to_ts

__all__ = [
    "HOST",
    "HUB",
    "STATUS_HUB",
    "ApplyOutcome",
    "ChangeHub",
    "StartRequest",
    "Store",
    "TaskItem",
    "TaskOutcome",
    "TurnItem",
    "from_ts",
    "new_owner_id",
    "pid_alive",
    "to_ts",
]


class Store:
    """One connection to the engine file and the parts that use it (see the module
    docstring). Thread-safe: the parts share the connection's lock. ``clock`` returns epoch
    seconds (tests inject it)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        synchronous: str = "FULL",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db = Db(path, synchronous=synchronous, clock=clock)
        self.instances = Instances(db)
        self.leases = Leases(db)
        self.queues = Queues(db, self.instances)
        self.manage = Manage(db, self.instances)
        self.dispatch = Dispatch(db, self.instances, self.queues, self.manage)
        self.browse = Browse(db)

    def close(self) -> None:
        self.db.close()
