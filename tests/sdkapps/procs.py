"""Processes for the SDK-app tests and bench/grpc_*.py: a real ``wfctl serve --grpc-port``
subprocess on a SQLite file (loopback only), and unmodified Dapr SDK apps that learn where
their sidecar is from DAPR_GRPC_PORT alone, as under daprd. No pytest here: the bench
scripts use it too."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from tests import harness

APPS = Path(__file__).resolve().parent / "apps"
SDK_APP = APPS / "sdk_app.py"
WFCTL = shutil.which("wfctl", path=str(Path(sys.executable).parent)) or "wfctl"
#: The Python that runs the SDK apps: this venv's (dapr 1.19.0) unless bench/grpc_matrix.py
#: points it at a venv with another SDK release.
SDK_PYTHON = os.environ.get("WFCTL_SDK_PYTHON") or sys.executable


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """This environment without Dapr/wfctl settings (config dirs in ``home``), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAPR_", "WFCTL_"))}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[var] = str(home / var.lower())
    env["PYTHONUNBUFFERED"] = "1"
    env["NO_COLOR"] = "1"
    return {**env, **extra}


class Lines:
    """A subprocess's output pipe drained by a thread (so it never blocks on a full pipe)."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._t = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self._t.start()

    def _drain(self, stream) -> None:
        for line in stream:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        stream.close()

    def wait_for(self, pred, timeout: float, what: str) -> str:
        """The first line for which ``pred`` holds, waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines:
                    if pred(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or not self._t.is_alive():
                    raise AssertionError(f"no {what} in: {self.text()}")
                self._cond.wait(min(left, 0.5))

    def join(self) -> None:
        self._t.join(30)

    def text(self) -> str:
        return "\n".join(self.lines)


class GrpcServe(harness.Serve):
    """``wfctl serve --grpc-port`` (no --app: every turn and activity goes to the workers) on
    ``db``; ``grpc_port`` 0 picks one, read back from the banner (tests/harness.py)."""

    def __init__(self, home: Path, db: Path, grpc_port: int = 0, extra: Sequence[str] = ()) -> None:
        self.home = home
        args = [WFCTL, "serve", "--host", "127.0.0.1", "--port", "0"]
        args += ["--grpc-port", str(grpc_port), "--db", str(db), *extra]
        super().__init__(args, env=clean_env(home), grpc=True, db=db)

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        self.stop(signal.SIGKILL)

    def log(self) -> str:
        return self.output()


class App:
    """An SDK app process pointed at a sidecar by DAPR_GRPC_PORT."""

    def __init__(self, cmd: Sequence[str], home: Path, port: int, **env: str) -> None:
        self.cmd = list(cmd)
        self.proc = subprocess.Popen(
            self.cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(home, DAPR_GRPC_PORT=str(port), **env),
            cwd=home,
        )
        self.out, self.err = Lines(self.proc.stdout), Lines(self.proc.stderr)

    def finish(self, timeout: float = 240) -> int:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(30)
            self.out.join()
            self.err.join()
            raise AssertionError(f"app did not finish in {timeout} s:\n{self.report()}") from None
        self.out.join()
        self.err.join()
        return code

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(60)
        self.out.join()
        self.err.join()

    def report(self) -> str:
        return f"{' '.join(self.cmd)}\nstdout:\n{self.out.text()}\nstderr:\n{self.err.text()}"


def kill_9_serve_under(
    home: Path, db: Path, gate: Path, start: Callable[[int], App], begun: Callable[[App], None]
) -> App:
    """The crash case every SDK shares: serve on ``db``, the app ``start(port)``; once
    ``begun(app)`` returns, kill -9 of serve, a new serve on the same port and file, the
    ``gate`` file made (the app goes on past it), and the app must finish with 0. serve must
    stop cleanly and print no traceback. Returns the finished app, for its lines."""
    serve = GrpcServe(home, db)
    port = serve.grpc_port
    app = start(port)
    try:
        begun(app)
        serve.kill()
        assert serve.proc.returncode == -9
        serve = GrpcServe(home, db, grpc_port=port)
        gate.touch()
        assert app.finish() == 0, app.report() + serve.log()
    finally:
        if app.proc.poll() is None:
            app.kill()
        assert serve.stop() == 0, serve.log()
    assert "Traceback" not in serve.log(), serve.log()
    return app


def python_app(python: str, home: Path, port: int, *args: str) -> App:
    return App([python, str(SDK_APP), *args], home, port)


def side_effects(path: Path) -> Counter[tuple[str, str, int]]:
    """``(begin|done, instance, step)`` -> how often the activity's side effect happened."""
    if not path.exists():
        return Counter()
    rows = (line.split() for line in path.read_text().splitlines() if line.strip())
    return Counter((kind, iid, int(step)) for kind, iid, step in rows)


def expected(x: int) -> int:
    return (x + 1) * 2 + 3  # sdk_app.chain3


def wfctl(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WFCTL, *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=clean_env(home),
        timeout=timeout,
    )


def status_json(home: Path, *args: str) -> list[dict]:
    """``wfctl ARGS status ... -o json`` as a list of objects."""
    r = wfctl(home, *args, "-o", "json")
    assert r.returncode == 0, r
    data = json.loads(r.stdout)
    return data if isinstance(data, list) else [data]
