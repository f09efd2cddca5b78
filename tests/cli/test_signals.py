"""How a real wfctl process ends when it is cut short: Ctrl-C at any moment exits 130 with no
traceback; a closed stdout exits 141 quietly; a declined confirmation exits 20."""

from __future__ import annotations

import contextlib
import os
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


# Runs `wfctl --db DIR/<i>.db ARGS...` TRIES times, each in a process forked from this one
# after one warm-up run (so a try costs milliseconds of start-up, not half a second of
# imports), and tells the test `PID <pid>` before each and `EXIT <code>` after it. Each forked
# process is a real wfctl process: its own SIGINT handlers, its own exit.
_FORKER = """
import os, sys
import wfctl.__main__ as entry
tries, db_dir, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
sys.stdout = open(os.devnull, "w")
entry.main(["--db", os.path.join(db_dir, "warm.db"), *args, "--input", "1"])
sys.stdout = sys.__stdout__
import threading, time
for _ in range(1000):  # fork with one thread only: the warm-up's helpers have ended
    if threading.active_count() == 1:
        break
    time.sleep(0.01)
for i in range(tries):
    pid = os.fork()
    if pid == 0:
        os._exit(entry.main(["--db", os.path.join(db_dir, f"{i}.db"), *args]))
    os.write(1, f"PID {pid}\\n".encode())
    _, status = os.waitpid(pid, 0)
    os.write(1, f"EXIT {os.waitstatus_to_exitcode(status)}\\n".encode())
"""


class _Lines:
    """Lines read from a pipe, each awaited for at most ``timeout`` seconds (a hang fails)."""

    def __init__(self, fd: int, timeout: float) -> None:
        self.fd, self.timeout, self.buf = fd, timeout, b""

    def next(self) -> str:
        import select

        deadline = time.monotonic() + self.timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            ready = left > 0 and select.select([self.fd], [], [], left)[0]
            assert ready, f"nothing for {self.timeout} s: a hang"
            data = os.read(self.fd, 4096)
            assert data, "the process ended early"
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()


def test_ctrl_c_while_the_embedded_engine_drives_always_exits_130(tmp_path: Path) -> None:
    # Ctrl-C used to land between two steps of the engine's in-flight bookkeeping now and then
    # (an activity counted as in flight that no thread would finish): the loop then waited
    # for it until a second Ctrl-C. Sent at 40 moments of a run that is almost all steps
    # (fan_app: 4,000 activities one after another, seconds in all), each must end the process
    # with 130. The readiness signal is the instance ID `start` prints at once.
    app = Path(__file__).with_name("fan_app.py")
    # 4,000 steps: a run no quiet machine finishes in the 0.3 s before the last signal (400
    # once did, and its printed result was read as the next try's lines)
    args = ["--embedded", "--app", str(app), "start", "fan", "--input", "4000", "--wait"]
    proc = subprocess.Popen(
        [sys.executable, "-c", _FORKER, "40", str(tmp_path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        start_new_session=True,  # a hung try is killed with its forker (its process group)
    )
    assert proc.stdout is not None
    codes = []
    try:
        lines = _Lines(proc.stdout.fileno(), timeout=60)
        for i in range(40):
            pid = int(lines.next().removeprefix("PID "))
            assert lines.next()  # the instance ID: the engine drives from here on
            time.sleep(0.0075 * i)  # 0 to 0.3 s into a run of seconds
            os.kill(pid, signal.SIGINT)
            said = [lines.next()]
            while not said[-1].startswith("EXIT "):  # anything the try printed before its end
                said.append(lines.next())
            codes.append(" | ".join(said))
    finally:
        with contextlib.suppress(ProcessLookupError):  # gone already: all went well
            os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
    assert b"Traceback" not in err, err.decode()
    assert codes == ["EXIT 130"] * 40, err.decode()


def test_an_error_met_while_stopping_after_ctrl_c_still_exits_130(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wfctl.cli import errors
    from wfctl.model import StorageError

    monkeypatch.setattr(errors, "_interrupted", False)
    with pytest.raises(KeyboardInterrupt):
        errors.on_sigint(signal.SIGINT, None)
    # e.g. the engine handing back its leases as the interrupted command unwinds
    assert errors.handle(StorageError("cannot write the database x.db: disk I/O error")) == 130
