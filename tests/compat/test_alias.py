"""``import dapr.ext.workflow`` (and the other Dapr names apps use) under ``wfctl exec``:
with no Dapr SDK installed, and with one installed (wfctl's alias must win)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.compat.support import run_exec

EXPECTED = [
    "modules: ['wfctl']",
    "same client: True",
    "statuses: [('UNKNOWN', 0), ('RUNNING', 1), ('COMPLETED', 2), ('FAILED', 3), "
    "('TERMINATED', 4), ('PENDING', 5), ('SUSPENDED', 6), ('STALLED', 7)]",
    "settings: 50001 0 False",
    "started: w1 RUNNING",
    "paused: SUSPENDED",
    "done: COMPLETED \"Ann heard {'n': 2}\"",
    "purged: True ERR_DOES_NOT_EXIST",
]
ENV = {"DAPR_CONF_RETRY_ON_RESOURCE_EXHAUSTED": "false"}


def test_the_real_dapr_sdk_is_installed_here():
    # The test extra installs dapr (the gRPC tests run real SDK apps), so the next test shows
    # that the alias shadows the real SDK, not that it fills a gap.
    probe = "import dapr.ext.workflow as wf; print(wf.WorkflowRuntime.__module__)"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("dapr.ext.workflow")


def test_every_dapr_name_apps_import_resolves_to_wfctl_over_the_installed_sdk(db):
    run = run_exec("imports_app.py", db, env=ENV)
    assert run.code == 3, run.stderr  # the app's own sys.exit code comes back
    assert run.lines == EXPECTED


def test_an_installed_dapr_sdk_is_shadowed_for_the_run(db, tmp_path):
    fake = tmp_path / "site"
    for pkg in ("dapr", "dapr/ext", "dapr/ext/workflow", "dapr/clients", "dapr/conf"):
        (fake / pkg).mkdir(parents=True, exist_ok=True)
        (fake / pkg / "__init__.py").write_text(
            "raise ImportError('the real Dapr SDK was imported')\n"
        )
    env = {**ENV, "PYTHONPATH": str(fake)}
    probe = subprocess.run(
        [sys.executable, "-c", "import dapr.ext.workflow"], capture_output=True, text=True, env=env
    )
    assert "the real Dapr SDK was imported" in probe.stderr  # the fake SDK is importable
    run = run_exec("imports_app.py", db, env=env)
    assert run.code == 3, run.stderr
    assert run.lines == EXPECTED


def test_an_app_crash_shows_the_apps_traceback_only(db, tmp_path):
    app = tmp_path / "crashy.py"
    app.write_text(
        textwrap.dedent(
            """
            import dapr.ext.workflow as wf

            def boom():
                raise KeyError("no such order")

            boom()
            """
        )
    )
    run = run_exec(app, db)
    assert run.code == 1
    assert run.stderr.startswith("Traceback (most recent call last):\n")
    assert f'File "{app}", line 7, in <module>' in run.stderr
    assert "KeyError: 'no such order'" in run.stderr
    assert "wfctl" not in run.stderr and "runpy" not in run.stderr


def test_wfctl_errors_escaping_the_app_are_one_line_with_their_exit_code(db, tmp_path):
    app = tmp_path / "twice.py"
    app.write_text(
        textwrap.dedent(
            """
            import dapr.ext.workflow as wf

            wfr = wf.WorkflowRuntime()

            @wfr.workflow(name="idle")
            def idle(ctx: wf.DaprWorkflowContext):
                yield ctx.wait_for_external_event("never")

            wfr.start()
            client = wf.DaprWorkflowClient()
            client.schedule_new_workflow(idle, instance_id="same")
            client.schedule_new_workflow(idle, instance_id="same")
            """
        )
    )
    run = run_exec(app, db)
    assert run.code == 4  # ExitCode.CONFLICT
    assert run.stderr.startswith("Error: an active instance with ID 'same' exists")
    assert run.stderr.endswith(f"(raised at {app}:13)\n")
    assert run.stderr.count("\n") == 1
    bad = run_exec(app, db, env={"WFCTL_REPLAY_CACHE": "lots"})
    assert bad.code == 2
    assert bad.stderr.startswith("Error: WFCTL_REPLAY_CACHE must be a whole number")
    assert "Traceback" not in bad.stderr
