"""An embedded `start` prints the instance ID as soon as the start is durable, before driving."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

APP = textwrap.dedent(
    """
    import os, time
    import wfctl.workflow as wf

    wfr = wf.WorkflowRuntime()

    @wfr.workflow(name="gated_wf")
    def gated_wf(ctx, _):
        yield ctx.call_activity(wait_for_gate)
        return "through"

    @wfr.activity
    def wait_for_gate(ctx) -> None:
        # Blocks until the test opens the gate (or 20 s pass).
        for _ in range(400):
            if os.path.exists(os.environ["GATE"]):
                return
            time.sleep(0.05)
    """
)


def test_embedded_start_prints_id_before_the_engine_finishes(tmp_path: Path) -> None:
    app = tmp_path / "gated_app.py"
    app.write_text(APP)
    gate = tmp_path / "gate"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "NO_COLOR": "1", "GATE": str(gate)}
    env.pop("WFCTL_EMBEDDED", None)
    base = [sys.executable, "-m", "wfctl", "--embedded", "--db", str(tmp_path / "w.db")]
    base += ["--app", str(app)]
    proc = subprocess.Popen(
        [*base, "start", "gated_wf", "--id", "g1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(proc.stdout.readline()), daemon=True)
    reader.start()
    try:
        # The activity cannot finish before the gate opens, so the line must come first.
        reader.join(timeout=10)
        assert lines == ["Started gated_wf as g1\n"], "the ID was not printed before driving"
        gate.touch()
        _, err = proc.communicate(timeout=30)
    finally:
        gate.touch()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    status = subprocess.run(
        [*base, "status", "g1", "-o", "json"], capture_output=True, text=True, env=env
    )
    assert '"runtimeStatus": "COMPLETED"' in status.stdout, status.stdout + status.stderr
