"""`wfctl history`: machine output and piped tables never cut a payload; a terminal table
marks what it shortens and --full shows it whole; timer times carry their time zone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from wfctl.cli.timeline import detail_cell

APP = textwrap.dedent(
    """
    from datetime import timedelta

    import wfctl.workflow as wf

    wfr = wf.WorkflowRuntime()

    @wfr.workflow(name="long_wf")
    def long_wf(ctx, data):
        yield ctx.create_timer(timedelta(milliseconds=10))
        return {"echo": data}
    """
)


def test_history_never_cuts_machine_output(tmp_path: Path) -> None:
    app = tmp_path / "long_app.py"
    app.write_text(APP)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "NO_COLOR": "1", "COLUMNS": "80"}
    base = [sys.executable, "-m", "wfctl", "--embedded", "--db", str(tmp_path / "w.db")]
    base += ["--app", str(app)]

    def wfctl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*base, *args], capture_output=True, text=True, env=env)

    payload = json.dumps({"text": "x" * 300, "n": 1})
    r = wfctl("start", "long_wf", "--id", "L1", "--input", payload, "--wait")
    assert r.returncode == 0, r.stderr
    rows = json.loads(wfctl("history", "L1", "-o", "json").stdout)
    started = next(e for e in rows if e["type"] == "ExecutionStarted")
    assert json.loads(started["details"]) == json.loads(payload)
    done = next(e for e in rows if e["type"] == "ExecutionCompleted")
    assert json.loads(done["details"]) == {"echo": json.loads(payload)}
    timer = next(e for e in rows if e["type"] == "TimerCreated")
    assert timer["details"].startswith("fires at ") and timer["details"].endswith("Z")
    piped = wfctl("history", "L1").stdout
    assert "x" * 300 in piped and "…" not in piped


def test_table_cells_are_shortened_with_a_visible_mark_and_one_json_style() -> None:
    text = json.dumps({"a": "y" * 200, "b": [1, 2]}, indent=2)
    cell = detail_cell(text, 80)
    assert len(cell) == 80 and cell.endswith("…") and cell.startswith('{"a":"yyy')
    assert detail_cell(text, None) == json.dumps(json.loads(text), separators=(",", ":"))
    child = detail_cell('c1:0001 {"k": 1}', None)
    assert child == 'c1:0001 {"k":1}'
    assert detail_cell("fires at 2026-01-01T00:00:00Z", None) == "fires at 2026-01-01T00:00:00Z"
