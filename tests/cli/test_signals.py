"""How a real wfctl process ends when it is cut short: Ctrl-C at any moment exits 130 with no
traceback; a closed stdout exits 141 quietly; a declined confirmation exits 20."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.rawservers import SilentServer


def _ctrl_c(args: list[str], delay: float, times: int) -> subprocess.CompletedProcess[bytes]:
    # The child reports once wfctl's entry module has run its first instruction: from there on
    # (the start-up imports, the command, the exit) wfctl owns Ctrl-C. What comes before is the
    # interpreter's own start-up.
    code = (
        "import os, sys\n"
        "import wfctl.__main__ as entry\n"
        "os.write(1, b'R')\n"
        f"sys.exit(entry.main({args!r}))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    assert proc.stdout.read(1) == b"R"
    time.sleep(delay)
    for _ in range(times):
        try:
            proc.send_signal(signal.SIGINT)
        except ProcessLookupError:
            break
        time.sleep(0.003)
    out, err = proc.communicate(timeout=30)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("delay", [0, 0.002, 0.01, 0.03, 0.06, 0.1, 0.15, 0.3])
@pytest.mark.parametrize("times", [1, 3])
def test_ctrl_c_at_any_moment_exits_130_without_a_traceback(delay: float, times: int) -> None:
    with SilentServer() as server:
        p = _ctrl_c(["--url", server.url, "wait", "a"], delay, times)
    assert b"Traceback" not in p.stderr, p.stderr.decode()
    assert p.returncode == 130, p.stderr.decode()


def test_entry_module_codes_match_the_exit_code_table() -> None:
    import wfctl.__main__ as entry
    from wfctl.model import ExitCode

    assert entry.INTERRUPTED == ExitCode.INTERRUPTED
    assert entry.BROKEN_PIPE == ExitCode.BROKEN_PIPE


def test_a_closed_stdout_ends_quietly_with_141() -> None:
    from tests.http.fakedaprd import FakeDaprd

    script = Path(sys.executable).with_name("wfctl")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "wfctl"]
    with FakeDaprd(ext=True) as d:
        for i in range(3000):  # far more than a pipe holds: wfctl is still writing at the close
            d.add(f"instance-{i:05d}", status="COMPLETED")
        for args in (["list"], ["list", "-o", "json"], ["list", "-o", "ids"]):
            proc = subprocess.Popen(
                [*cmd, "--url", d.url, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            assert proc.stdout is not None and proc.stderr is not None
            assert proc.stdout.readline()  # `| head -1`
            proc.stdout.close()
            err = proc.stderr.read()
            proc.stderr.close()
            proc.wait(timeout=30)
            assert (proc.returncode, err) == (141, b""), (args, err)
