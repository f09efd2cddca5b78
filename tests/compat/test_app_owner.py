"""The app that started an instance owns it: ``wfctl --app FILE`` drives what
``wfctl exec FILE`` started; other apps (the built-in demo included) leave it alone."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.compat.support import ROOT, run_exec
from tests.engine.support import make_timers_due

OWNED = """
from datetime import timedelta

import dapr.ext.workflow as wf

wfr = wf.WorkflowRuntime()


@wfr.workflow(name="hello_world_wf")  # the demo has a workflow of this name too
def owned_wf(ctx: wf.DaprWorkflowContext):
    yield ctx.create_timer(timedelta(hours=1))
    return (yield ctx.call_activity(owned_act, input=2))


@wfr.activity(name="owned_act")
def owned_act(ctx, x):
    return f"owned {x}"


if __name__ == "__main__":
    wfr.start()
    wf.DaprWorkflowClient().schedule_new_workflow(owned_wf, instance_id="o1")
    wfr.shutdown()
"""


def _wfctl(db, *args: str, cwd=ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "WFCTL_DB"}
    return subprocess.run(
        [sys.executable, "-m", "wfctl", "--embedded", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=cwd,
        env=env,
    )


def test_app_option_drives_what_exec_of_the_same_file_started(db, tmp_path):
    app = tmp_path / "owned.py"
    app.write_text(textwrap.dedent(OWNED))
    run_exec(app, db).ok()  # exits while o1 waits on its timer
    assert make_timers_due(db) == 1
    r = _wfctl(db, "status", "o1", "-q")  # the demo: not its instance, not its timer
    assert (r.returncode, r.stdout) == (0, "RUNNING\n"), r
    # the same file named relatively, from its own folder: the same app
    r = _wfctl(
        db, "--app", "owned.py", "wait", "o1", "--timeout", "20s", "-o", "json", cwd=tmp_path
    )
    assert r.returncode == 0, r
    assert '\\"owned 2\\"' in r.stdout, r.stdout
