"""Helpers of the tests in tests/completion (their fixtures are in conftest.py; import these
from here, never from a conftest module)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


# Instances in creation order (oldest first): id, workflow name, status, waiting_for.
INSTANCES = [
    ("abc123", "hello_world_wf", "COMPLETED", None),
    ("order-7", "OrderProcessingWorkflow", "RUNNING", '["approval"]'),
    ("parent:0001", "hello_world_wf", "RUNNING", None),
]


WORKFLOWS = ["OrderProcessingWorkflow", "hello_world_wf"]


def make_db(path: Path, instances=INSTANCES, workflows=WORKFLOWS) -> Path:
    """A SQLite file with the store's real schema."""
    from wfctl.engine.schema import connect

    con = connect(path)
    cols = {r[1] for r in con.execute("PRAGMA table_info(instances)")}
    con.execute("BEGIN")
    for i, (iid, name, status, waiting) in enumerate(instances):
        row = {
            "id": iid,
            "name": name,
            "status": status,
            "created_at": 1000.0 + i,
            "updated_at": 1000.0 + i,
            "waiting_for": waiting,
            "root_id": iid,
        }
        row = {k: v for k, v in row.items() if k in cols}
        con.execute(
            f"INSERT INTO instances ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()),
        )
    for name in workflows:
        con.execute("INSERT INTO workflows (name, registered_at) VALUES (?, 0)", (name,))
    con.execute("COMMIT")
    con.close()
    return path
