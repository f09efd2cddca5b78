"""``wfctl exec`` takes a module name too, run as ``python -m`` runs it."""

from __future__ import annotations

import textwrap

from tests.compat.conftest import run_exec

MAIN = """
import sys

import dapr.ext.workflow as wf

wfr = wf.WorkflowRuntime()


@wfr.workflow(name="echo_wf")
def echo_wf(ctx: wf.DaprWorkflowContext, text: str):
    return (yield ctx.call_activity(echo, input=text))


@wfr.activity(name="echo")
def echo(ctx: wf.WorkflowActivityContext, text: str) -> str:
    return text[::-1]


if __name__ == "__main__":
    wfr.start()
    client = wf.DaprWorkflowClient()
    iid = client.schedule_new_workflow(echo_wf, input=sys.argv[1], instance_id="e1")
    state = client.wait_for_workflow_completion(iid, timeout_in_seconds=10)
    print(sys.argv[0].endswith("tool.py"), state.serialized_output)
    if len(sys.argv) > 2:
        raise RuntimeError(sys.argv[2])
    wfr.shutdown()
"""


def test_a_module_runs_as_main_from_the_current_directory(db, tmp_path):
    pkg = tmp_path / "mypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "tool.py").write_text(textwrap.dedent(MAIN))
    run = run_exec(tmp_path / "unused", db, cwd=tmp_path)  # a missing file: usage error
    assert run.code == 2 and "no such file" in run.stderr
    run = run_exec("mypkg.tool", db, "stressed", cwd=tmp_path)
    assert run.ok().lines == ['True "desserts"']
    run = run_exec("mypkg.tool", db, "again", "app broke", cwd=tmp_path)
    assert run.code == 1
    assert run.lines == ['True "niaga"']
    assert run.stderr.startswith("Traceback (most recent call last):\n")
    assert "tool.py" in run.stderr and "RuntimeError: app broke" in run.stderr
    assert "runpy" not in run.stderr and "wfctl" not in run.stderr
    missing = run_exec("mypkg.nothing", db, cwd=tmp_path)
    assert missing.code == 2 and "no such file or module: mypkg.nothing" in missing.stderr
    assert "Traceback" not in missing.stderr
