"""The leases part of the store: claims are ``(owner, expiry)`` on instance and task rows.
Owners renew them; the leases of owners that were processes on this host and are gone are
handed back at once (:meth:`Leases.reap_dead_owners`); other hosts' leases simply expire.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Sequence

from wfctl.engine.db import Db
from wfctl.engine.schema import DEFAULT_TTL
from wfctl.engine.schema import dumps as _j

HOST = socket.gethostname()


def new_owner_id() -> str:
    """A lease owner ID: ``host:pid:random``, unique per engine."""
    return f"{HOST}:{os.getpid()}:{secrets.token_hex(4)}"


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this host and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        return stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3] not in (b"Z", b"X")
    except (OSError, ValueError):
        return True


class Leases:
    """renew, release, reap_dead_owners."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def renew(self, owner: str, ttl: float = DEFAULT_TTL) -> None:
        """Push the expiry of every lease ``owner`` holds to now + ttl."""
        with self._db.write() as c:
            exp = self._db.clock() + ttl
            c.execute("UPDATE instances SET lock_expires=? WHERE lock_owner=?", (exp, owner))
            c.execute("UPDATE tasks SET lock_expires=? WHERE lock_owner=?", (exp, owner))

    def release(self, owner: str, task_ids: Sequence[int] | None = None) -> None:
        """Hand back ``owner``'s leases (only those tasks, when ``task_ids`` is given)."""
        with self._db.write() as c:
            if task_ids is None:
                c.execute(
                    "UPDATE instances SET lock_owner=NULL, lock_expires=NULL WHERE lock_owner=?",
                    (owner,),
                )
                c.execute(
                    "UPDATE tasks SET lock_owner=NULL, lock_expires=NULL WHERE lock_owner=?",
                    (owner,),
                )
            else:
                c.execute(
                    "UPDATE tasks SET lock_owner=NULL, lock_expires=NULL WHERE lock_owner=?"
                    " AND id IN (SELECT value FROM json_each(?))",
                    (owner, _j(list(task_ids))),
                )

    def reap_dead_owners(self) -> list[str]:
        """Release at once the leases of owners that were processes on this host and died."""
        rows = self._db.read(
            "SELECT DISTINCT lock_owner FROM instances WHERE lock_owner IS NOT NULL"
            " UNION SELECT DISTINCT lock_owner FROM tasks WHERE lock_owner IS NOT NULL"
        )
        dead = []
        for (owner,) in rows:
            host, _, rest = owner.rpartition(":")[0].rpartition(":")
            if host != HOST or not rest.isdigit() or int(rest) == os.getpid():
                continue
            if not pid_alive(int(rest)):
                dead.append(owner)
        for owner in dead:
            self.release(owner)
        return dead
