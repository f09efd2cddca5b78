"""Helpers of the tests in tests/engine (their fixtures are in conftest.py; import these
from here, never from a conftest module)."""

from __future__ import annotations

from pathlib import Path


def make_engine(path, registry=None, **kw):
    from tests.engine import sample_app
    from wfctl.engine.worker import Engine

    registry = registry or sample_app.registry
    return Engine(path, registry, **kw)


def make_timers_due(path: str | Path) -> int:
    """Bring every pending durable timer in the file at ``path`` due now, as if the clock had
    moved past it; the number of timers moved. For processes whose clock a test cannot
    inject (``wfctl exec``, the CLI): the workflow asks for a long timer and the test moves
    it, rather than sleeping until a short one is due."""
    import sqlite3
    import time

    now = time.time()
    c = sqlite3.connect(path)
    try:
        with c:
            cur = c.execute(
                "UPDATE inbox SET visible_at = ? WHERE kind = 'TimerFired' AND visible_at > ?",
                (now, now),
            )
        return cur.rowcount
    finally:
        c.close()
