"""`wfctl serve --grpc-port 0` and unmodified Dapr SDK apps as real subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import httpx

from tests.server.proc import read_banner

GRPC_BANNER = "wfctl serve: gRPC listening on "


def sdk_env(port: int, token: str | None = None) -> dict[str, str]:
    """The environment of an SDK app pointed at ``port`` (and nothing else of Dapr)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAPR_") and k != "WFCTL_DB"}
    env["DAPR_GRPC_PORT"] = str(port)
    env["DAPR_RUNTIME_HOST"] = "127.0.0.1"
    if token:
        env["DAPR_API_TOKEN"] = token
    return env


class GrpcServe:
    """`python -m wfctl --db DB [pre] serve --port 0 --grpc-port 0 [extra]`; ``url`` and
    ``grpc_port`` from its banner; stdout and stderr collected."""

    def __init__(
        self,
        db: Path,
        extra: list[str] | None = None,
        token: str | None = None,
        pre: list[str] | None = None,
        module: str = "wfctl",  # or "wfctl.server": the same serve without the word
    ):
        env = {k: v for k, v in os.environ.items() if k != "DAPR_API_TOKEN"}
        if token:
            env["DAPR_API_TOKEN"] = token
        self.db = db
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, "--db", str(db), *(pre or [])]
            + (["serve"] if module == "wfctl" else [])
            + ["--port", "0", "--grpc-port", "0", *(extra or [])],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self.banner: list[str] = []
        self.stderr: list[str] = []
        self._threads = [threading.Thread(target=self._drain, args=(self.proc.stderr,))]
        self._threads[0].daemon = True
        self._threads[0].start()
        self.url = read_banner(self.proc.stdout, self.banner)
        found = [ln for ln in self.banner if ln.startswith(GRPC_BANNER)]
        if not self.url or not found:
            self.proc.kill()
            self.proc.wait()
            self.proc.stdout.close()
            self.proc.stderr.close()
            raise AssertionError(f"serve did not start: {self.banner} {self.stderr}")
        self.grpc_port = int(found[0].rsplit(":", 1)[1])
        t = threading.Thread(target=self._drain, args=(self.proc.stdout,), daemon=True)
        t.start()
        self._threads.append(t)
        headers = {"dapr-api-token": token} if token else {}
        self.client = httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def _drain(self, stream: IO[str]) -> None:
        for line in stream:
            (self.stderr if stream is self.proc.stderr else self.banner).append(line)

    def status(self, instance_id: str) -> dict:
        r = self.client.get(f"/v1.0-beta1/workflows/dapr/{instance_id}")
        return r.json() if r.status_code == 200 else {}

    def wait_status(self, instance_id: str, want: set[str], timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        body: dict = {}
        while time.monotonic() < deadline:
            body = self.status(instance_id)
            if body.get("runtimeStatus") in want:
                return body
            time.sleep(0.05)
        raise AssertionError(f"{instance_id} never reached {want}: {body} {self.stderr[-20:]}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.client.close()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(60)
        for t in self._threads:
            t.join(10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        return code


class App:
    """An SDK app file run as a separate process against ``port``; output collected."""

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
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**sdk_env(port, token), **(env or {})},
            cwd=str(path.parent),
        )
        self.lines: list[str] = []
        self._t = threading.Thread(target=self._drain, daemon=True)
        self._t.start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_line(self, prefix: str, timeout: float = 60) -> str:
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
