"""``wfctl exec`` takes a module name too, run as ``python -m`` runs it."""

from __future__ import annotations

import textwrap

from tests.compat.support import run_exec

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


def test_a_script_imports_its_sibling_modules_from_any_directory(db, tmp_path):
    app_dir = tmp_path / "shop"
    app_dir.mkdir()
    (app_dir / "models.py").write_text(
        textwrap.dedent(
            """
            from dataclasses import dataclass

            @dataclass
            class Order:
                item: str
                qty: int
            """
        )
    )
    (app_dir / "flows.py").write_text(
        textwrap.dedent(
            """
            import dapr.ext.workflow as wf

            wfr = wf.WorkflowRuntime()

            @wfr.workflow(name="order_flow")
            def order_flow(ctx: wf.DaprWorkflowContext, order):
                note = yield ctx.call_activity(pack, input=order)
                return note

            @wfr.activity(name="pack")
            def pack(ctx, order) -> str:
                return f"packed {order.qty} x {order.item}"
            """
        )
    )
    (app_dir / "main.py").write_text(
        textwrap.dedent(
            """
            import dapr.ext.workflow as wf
            from flows import order_flow, wfr
            from models import Order

            wfr.start()
            client = wf.DaprWorkflowClient()
            iid = client.schedule_new_workflow(order_flow, input=Order("pen", 3))
            print(client.wait_for_workflow_completion(iid, timeout_in_seconds=10).serialized_output)
            wfr.shutdown()
            """
        )
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = run_exec(app_dir / "main.py", db, cwd=elsewhere).ok()
    assert run.lines == ['"packed 3 x pen"']
