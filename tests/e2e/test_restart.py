"""A ``kill -9`` of ``wfctl serve`` while a ``wfctl wait`` polls it: the wait rides out the
outage, the restarted server (same port, same file) continues the instance's timer."""

from __future__ import annotations

import json
import socket
import subprocess
import time

from tests.e2e.support import WFCTL, Serve, clean_env, uid


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_wait_rides_out_a_server_restart(tmp_path) -> None:
    port = _free_port()
    first = Serve(tmp_path, None, port)
    iid = uid("restart")
    second = None
    waiter = None
    try:
        r = first.wfctl("start", "sleepy_wf", "--id", iid, "--input", "2")
        assert r.code == 0, r
        waiter = subprocess.Popen(
            [WFCTL, "--url", first.url, "wait", iid, "--timeout", "30s", "-o", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(tmp_path),
        )
        deadline = time.monotonic() + 10
        while not first.requests_for(iid)[1:] and time.monotonic() < deadline:
            time.sleep(0.05)  # the wait has read the instance at least once
        assert first.stop(kill=True) == -9
        r = first.wfctl("raise-event", iid, "poke")  # nothing listens: exit 5, no retry loop
        assert r.code == 5 and first.url in r.err, r
        second = Serve(tmp_path, None, port)
        assert second.url == first.url
        out, err = waiter.communicate(timeout=40)
        assert waiter.returncode == 0, (out, err)
        final = json.loads(out)
        assert final["runtimeStatus"] == "COMPLETED", out
        assert final["properties"]["dapr.workflow.output"] == '"woke"'
        assert second.requests_for(iid), "the wait polled the restarted server"
    finally:
        if waiter is not None and waiter.poll() is None:
            waiter.kill()
            waiter.communicate()
        if second is not None:
            assert second.stop() == 0
            assert "Traceback" not in "".join(second.log)
        elif first.proc.poll() is None:
            first.stop(kill=True)
