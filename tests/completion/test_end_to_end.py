"""The fast path over a database written by the real engine (`wfctl --embedded start`)."""

from __future__ import annotations

import json
import subprocess


def wfctl(shim_bin, env, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(shim_bin / "wfctl"), *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_engine_written_database(tmp_path, shim_bin, clean_env) -> None:
    db = tmp_path / "engine.db"
    env = {**clean_env, "WFCTL_EMBEDDED": "1", "WFCTL_DB": str(db)}
    big = json.dumps({"Name": "Paperclips", "TotalCost": 5000, "Quantity": 1})
    started = wfctl(
        shim_bin, env, "start", "OrderProcessingWorkflow", "--id", "big-order", "--input", big
    )
    assert started.returncode == 0, started.stderr
    done = wfctl(shim_bin, env, "start", "hello_world_wf", "--id", "hello-1")
    assert done.returncode == 0, done.stderr

    ids = wfctl(shim_bin, env, "__complete", "instances").stdout.splitlines()
    assert ids == [
        "hello-1\thello_world_wf  COMPLETED",
        "big-order\tOrderProcessingWorkflow  RUNNING",
    ]
    names = wfctl(shim_bin, env, "__complete", "workflows").stdout.split()
    assert {"hello_world_wf", "OrderProcessingWorkflow"} <= set(names)
    events = wfctl(shim_bin, env, "__complete", "events", "--", "big-order")
    assert (events.returncode, events.stdout, events.stderr) == (0, "approval\n", "")
    assert wfctl(shim_bin, env, "__complete", "events", "--", "hello-1").stdout == ""
