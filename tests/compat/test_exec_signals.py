"""Ctrl-C (SIGINT) on ``wfctl exec``: the app stops, its runtime shuts down, exit 130, and
what it started stays in the file for the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from tests.compat.support import ROOT, run_exec

APP = """
import sys
import time

import dapr.ext.workflow as wf

wfr = wf.WorkflowRuntime()


@wfr.workflow(name="patient")
def patient(ctx: wf.DaprWorkflowContext):
    got = yield ctx.wait_for_external_event("done")
    return got


wfr.start()
client = wf.DaprWorkflowClient()
if sys.argv[1] == "start":
    client.schedule_new_workflow(patient, instance_id="p1")
    print("ready", flush=True)
    time.sleep(60)
else:
    print(client.get_workflow_state("p1").runtime_status.name)
    client.raise_workflow_event("p1", "done", data="yes")
    print(client.wait_for_workflow_completion("p1", timeout_in_seconds=10).serialized_output)
wfr.shutdown()
"""


def test_sigint_stops_the_app_with_130_and_keeps_its_instances(db, tmp_path):
    app = tmp_path / "patient.py"
    app.write_text(textwrap.dedent(APP))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "wfctl", "--embedded", "--db", str(db), "exec", str(app)]
    proc = subprocess.Popen(
        [*cmd, "start"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    run = run_exec(app, db, "next").ok()
    assert run.lines == ["RUNNING", '"yes"']
