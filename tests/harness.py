"""The one harness for a real `wfctl serve` process and the gRPC worker apps it serves.

:class:`Serve` starts serve (``python -m wfctl``, ``python -m wfctl.server`` or the venv's
``wfctl`` script) on free loopback ports (``--port 0``; ``--grpc-port 0`` with ``grpc=True``),
waits until its banner names the URL it listens on, gives an HTTP client on it, collects stdout
(``banner``) and stderr (``stderr``, the access log) on threads, and stops it with a signal,
returning its exit code. :class:`WorkerApp` runs an SDK app file against serve's gRPC port.
No pytest here: bench scripts use it too. Fixtures: tests/conftest.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import httpx

BETA = "/v1.0-beta1/workflows/dapr"
HTTP_BANNER = "wfctl serve: listening on "
GRPC_BANNER = "wfctl serve: gRPC listening on "


def read_banner(stdout: IO[str], banner: list[str], timeout: float = 60) -> str:
    """Read `wfctl serve`'s start-up banner into ``banner``; return the URL it listens on
    ("" when the server ended or said nothing of it in time)."""
    url = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stdout.readline()
        if not line:
            break
        banner.append(line)
        if line.startswith(HTTP_BANNER):  # not "gRPC listening on"
            url = line.split("listening on ", 1)[1].split()[0]
        if line.startswith("wfctl serve: workflows:"):
            break
    return url


def _port(address: str) -> int:
    return int(address.split()[0].rsplit(":", 1)[1])


def token_env(token: str | None, base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this environment) with DAPR_API_TOKEN set to ``token`` or removed."""
    env = {k: v for k, v in (base or os.environ).items() if k != "DAPR_API_TOKEN"}
    if token:
        env["DAPR_API_TOKEN"] = token
    return env


def sdk_env(port: int, token: str | None = None) -> dict[str, str]:
    """The environment of an SDK app pointed at ``port`` (and nothing else of Dapr)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAPR_") and k != "WFCTL_DB"}
    env["DAPR_GRPC_PORT"] = str(port)
    env["DAPR_RUNTIME_HOST"] = "127.0.0.1"
    if token:
        env["DAPR_API_TOKEN"] = token
    return env


class Serve:
    """A running `wfctl serve`: ``argv`` is its whole command line (with ``--port 0``, and
    ``--grpc-port 0`` when ``grpc``); ``token`` goes into the client's headers only (pass it
    to serve by ``env`` or a flag in ``argv``)."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str],
        token: str | None = None,
        grpc: bool = False,
        client_timeout: float = 30,
        db: Path | None = None,
    ) -> None:
        self.argv = list(argv)
        self.token = token
        self.db = db
        self.proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self.banner: list[str] = []
        self.stderr: list[str] = []
        self._threads = [self._drain_on_thread(self.proc.stderr, self.stderr)]
        self.url = read_banner(self.proc.stdout, self.banner)
        found = [ln for ln in self.banner if ln.startswith(GRPC_BANNER)]
        if not self.url or (grpc and not found):
            self._abort()
        self.grpc_port = _port(found[0][len(GRPC_BANNER) :]) if found else None
        self._threads.append(self._drain_on_thread(self.proc.stdout, self.banner))
        headers = {"dapr-api-token": token} if token else {}
        self.client = httpx.Client(base_url=self.url, headers=headers, timeout=client_timeout)

    @property
    def grpc_endpoint(self) -> str:
        """``127.0.0.1:PORT`` of the gRPC port (serve started with ``grpc=True``)."""
        assert self.grpc_port is not None, "serve was started without --grpc-port"
        return f"127.0.0.1:{self.grpc_port}"

    @staticmethod
    def _drain_on_thread(stream: IO[str], sink: list[str]) -> threading.Thread:
        def drain() -> None:
            for line in stream:
                sink.append(line)

        t = threading.Thread(target=drain, daemon=True)
        t.start()
        return t

    def _abort(self) -> None:
        self.proc.kill()
        self.proc.wait()
        for t in self._threads:
            t.join(10)
        self._close_pipes()
        raise AssertionError(f"serve did not start: {self.argv}\n{self.banner} {self.stderr}")

    def _close_pipes(self) -> None:
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()

    def output(self) -> str:
        """Everything serve wrote so far (banner, then the log)."""
        return "".join(self.banner) + "".join(self.stderr)

    def status(self, instance_id: str) -> dict:
        """The get shape of ``instance_id`` ({} when the answer is not 200)."""
        r = self.client.get(f"{BETA}/{instance_id}")
        return r.json() if r.status_code == 200 else {}

    def wait_status(self, instance_id: str, want: set[str], timeout: float = 60) -> dict:
        """Poll until ``instance_id``'s runtimeStatus is one of ``want``; its get shape."""
        deadline = time.monotonic() + timeout
        body: dict = {}
        while time.monotonic() < deadline:
            body = self.status(instance_id)
            if body.get("runtimeStatus") in want:
                return body
            time.sleep(0.05)
        raise AssertionError(f"{instance_id} never reached {want}: {body} {self.stderr[-20:]}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` (unless it already ended), wait, collect the output; the exit code."""
        self.client.close()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(60)
        for t in self._threads:
            t.join(10)
        self._close_pipes()
        return code


def serve_module(
    db: Path,
    *,
    token: str | None = None,
    extra: Sequence[str] = (),
    pre: Sequence[str] = (),
    grpc: bool = False,
    module: str = "wfctl",
) -> Serve:
    """``python -m wfctl --db DB [pre] serve --port 0 [--grpc-port 0] [extra]`` (``module``
    ``wfctl.server``: the same serve without the word), the token in DAPR_API_TOKEN."""
    argv = [sys.executable, "-m", module, "--db", str(db), *pre]
    argv += ["serve"] if module == "wfctl" else []
    argv += ["--port", "0", *(["--grpc-port", "0"] if grpc else []), *extra]
    return Serve(argv, env=token_env(token), token=token, grpc=grpc, db=db)


class WorkerApp:
    """An SDK app file run as a separate process against serve's gRPC ``port`` (``env``: more
    variables); its output (stdout and stderr, interleaved) collected in ``lines``."""

    def __init__(
        self,
        path: Path,
        port: int,
        *args: str,
        token: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(path), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**sdk_env(port, token), **(env or {})},
            cwd=str(path.parent),
        )
        assert self.proc.stdout is not None
        self.lines: list[str] = []
        self._t = Serve._drain_on_thread(self.proc.stdout, self.lines)

    def wait_line(self, prefix: str, timeout: float = 60) -> str:
        """The first output line starting with ``prefix``, waiting up to ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for ln in list(self.lines):
                if ln.startswith(prefix):
                    return ln.strip()
            if self.proc.poll() is not None and not self._t.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no line {prefix!r} from the app: {''.join(self.lines[-40:])}")

    def stop(self) -> int:
        """SIGTERM (SIGKILL after 30 s); the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(30)
        finally:
            self._t.join(10)
            if self.proc.stdout is not None:
                self.proc.stdout.close()
