"""Loading apps (--app) with the Dapr alias, the registry and runtime surface, and exec."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wfctl import demo
from wfctl.engine.registry import Registry, alternate_name
from wfctl.model import AppError
from wfctl.workflow.alias import uninstall_dapr_alias
from wfctl.workflow.loader import load_app
from wfctl.workflow.runtime import WorkflowRuntime

DAPR_APP = """
import dapr.ext.workflow as wf
from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, when_all
from dapr.conf import Settings
from dapr.clients.exceptions import DaprInternalError

settings = Settings()
wfr = wf.WorkflowRuntime(host="localhost", port="50001", maximum_concurrent_activity_work_items=4)


@wfr.workflow(name="greeting_wf")
def greeting(ctx: DaprWorkflowContext, name: str):
    parts = yield when_all([ctx.call_activity(shout, input=name)])
    return parts


@wfr.activity
def shout(ctx: WorkflowActivityContext, text: str) -> str:
    return text.upper()
"""


@pytest.fixture(autouse=True)
def _no_alias_left_behind():
    yield
    uninstall_dapr_alias()
    assert "dapr.ext.workflow" not in sys.modules


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def test_default_app_is_the_demo():
    reg = load_app(None, default=demo.registry)
    assert {"hello_world_wf", "OrderProcessingWorkflow"} <= set(reg.workflows)
    assert "hello_act" in reg.activities


def test_unchanged_dapr_app_loads_from_a_file(tmp_path):
    reg = load_app(str(write(tmp_path, "dapr_app.py", DAPR_APP)))
    assert set(reg.workflows) == {"greeting_wf"}
    assert set(reg.activities) == {"shout"}


def test_attr_names_the_runtime_and_module_names_work(tmp_path, monkeypatch):
    write(tmp_path, "mod_app.py", DAPR_APP)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert set(load_app("mod_app:wfr").workflows) == {"greeting_wf"}
    with pytest.raises(AppError, match="no attribute 'nope'"):
        load_app("mod_app:nope")
    with pytest.raises(AppError, match="not a WorkflowRuntime"):
        load_app("mod_app:settings")


def test_import_failure_is_one_line_with_the_apps_own_error(tmp_path):
    path = write(tmp_path, "broken.py", "import os\nvalue = 1 / 0\n")
    with pytest.raises(AppError) as info:
        load_app(str(path))
    message = str(info.value)
    assert "ZeroDivisionError: division by zero" in message
    assert f"{path}:2" in message
    assert "\n" not in message


def test_syntax_error_and_missing_module_and_missing_file(tmp_path):
    path = write(tmp_path, "syntax.py", "def broken(:\n")
    with pytest.raises(AppError, match=r"SyntaxError: .*syntax.py:1"):
        load_app(str(path))
    with pytest.raises(AppError, match="ModuleNotFoundError: No module named 'no_such_mod_xyz'"):
        load_app("no_such_mod_xyz")
    with pytest.raises(AppError, match="not found"):
        load_app(str(tmp_path / "absent.py"))


def test_app_that_registers_nothing_at_import_says_so(tmp_path):
    path = write(tmp_path, "empty_app.py", "def wf(ctx):\n    return 1\n")
    with pytest.raises(AppError, match="registers no workflows"):
        load_app(str(path))


def test_registry_resolves_functions_wrappers_and_strings():
    wfr = WorkflowRuntime()

    @wfr.activity(name="renamed")
    def original(ctx):
        return 1

    def plain(ctx):
        return 2

    wfr.register_activity(plain)
    reg = wfr.registry
    assert reg.activity_name(original) == "renamed"
    assert reg.activity_name(plain) == "plain"
    assert reg.activity_name("anything") == "anything"
    assert original(None) == 1  # the wrapper still calls through
    with pytest.raises(ValueError):
        reg.add_activity(lambda ctx: 3, "renamed")
    merged = Registry().merge(reg)
    assert set(merged.activities) == {"renamed", "plain"}
    assert wfr in WorkflowRuntime.instances


def test_alternate_name_decorator_names_the_registration():
    wfr = WorkflowRuntime()

    @alternate_name(name="better")
    def wf(ctx):
        return None

    wfr.register_workflow(wf)
    assert set(wfr.registry.workflows) == {"better"}


def test_start_without_the_engine_worker_is_a_clear_error_or_a_worker(monkeypatch):
    monkeypatch.setitem(sys.modules, "wfctl.engine.background", None)
    with pytest.raises(RuntimeError, match="embedded worker is not available"):
        WorkflowRuntime().start()
    WorkflowRuntime().shutdown()  # never started: a no-op


def run_exec(tmp_path: Path, body: str, *args: str) -> subprocess.CompletedProcess[str]:
    script = write(tmp_path, "script.py", body)
    code = (
        "import sys\nfrom wfctl.workflow.loader import exec_app\n"
        f"sys.exit(exec_app({str(script)!r}, {list(args)!r}, db_path={str(tmp_path / 'x.db')!r}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )


def test_exec_runs_the_script_as_main_with_argv_and_the_alias(tmp_path):
    body = """
        import os, sys
        import dapr.ext.workflow as wf
        from dapr.clients.exceptions import DaprInternalError
        if __name__ == "__main__":
            db = os.environ["WFCTL_DB"].endswith("x.db")
            print(sys.argv[1:], db, wf.WorkflowStatus.COMPLETED)
            sys.exit(3)
        """
    proc = run_exec(tmp_path, body, "a", "--b")
    assert proc.stdout.strip() == "['a', '--b'] True WorkflowStatus.COMPLETED"
    assert proc.returncode == 3


def test_exec_reports_the_apps_own_crash_like_python(tmp_path):
    proc = run_exec(tmp_path, "raise KeyError('boom')\n")
    assert proc.returncode == 1
    assert "KeyError: 'boom'" in proc.stderr
    assert run_exec(tmp_path, "print('ok')\n").returncode == 0
