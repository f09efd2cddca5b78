"""`wfctl history` says how a run ended: a failed run's last row reads FAILED, not COMPLETED."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

APP = textwrap.dedent(
    """
    import wfctl.workflow as wf

    wfr = wf.WorkflowRuntime()

    @wfr.workflow(name="doomed_wf")
    def doomed_wf(ctx, _):
        yield ctx.call_activity(ok_step)
        raise ValueError("the order is cursed")

    @wfr.activity
    def ok_step(ctx) -> str:
        return "fine"
    """
)


def test_history_of_a_failed_run_ends_failed(tmp_path: Path) -> None:
    app = tmp_path / "doomed_app.py"
    app.write_text(APP)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "NO_COLOR": "1", "COLUMNS": "200"}
    base = [sys.executable, "-m", "wfctl", "--embedded", "--db", str(tmp_path / "w.db")]
    base += ["--app", str(app)]

    def wfctl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*base, *args], capture_output=True, text=True, env=env)

    started = wfctl("start", "doomed_wf", "--id", "d1", "--wait")
    assert started.returncode == 10, started.stderr
    rows = json.loads(wfctl("history", "d1", "-o", "json").stdout)
    last = rows[-1]
    assert last["type"] == "ExecutionCompleted"
    assert last["status"] == "FAILED"
    assert "the order is cursed" in last["details"]
    table = wfctl("history", "d1").stdout.splitlines()
    assert "FAILED" in table[-1] and "COMPLETED" not in table[-1], table[-1]
    # A row whose type says its outcome carries no separate status.
    assert "status" not in rows[0]
