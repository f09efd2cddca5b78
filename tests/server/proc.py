"""A real `python -m wfctl.server` subprocess on a free loopback port, for end-to-end tests."""

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

BETA = "/v1.0-beta1/workflows/dapr"


class ServerProc:
    """`python -m wfctl.server --port 0` on ``db``; its stderr (the access log) is collected."""

    def __init__(self, db: Path, token: str | None = None, extra: list[str] | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if k != "DAPR_API_TOKEN"}
        if token:
            env["DAPR_API_TOKEN"] = token
        self.db = db
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "wfctl.server", "--port", "0", "--db", str(db), *(extra or [])],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.banner: list[str] = []
        self.stderr: list[str] = []
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self.threads = [threading.Thread(target=self._drain, args=(self.proc.stderr,), daemon=True)]
        self.threads[0].start()
        self.url = read_banner(self.proc.stdout, self.banner)
        if not self.url:
            self.proc.kill()
            self.proc.wait()
            self._close_pipes()
            raise AssertionError(f"server did not start: {self.banner} {self.stderr}")
        self.threads.append(
            threading.Thread(target=self._drain, args=(self.proc.stdout,), daemon=True)
        )
        self.threads[1].start()
        headers = {"dapr-api-token": token} if token else {}
        self.client = httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def _drain(self, stream) -> None:
        for line in stream:
            (self.stderr if stream is self.proc.stderr else self.banner).append(line)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.client.close()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(60)
        for t in self.threads:
            t.join(10)
        self._close_pipes()
        return code

    def _close_pipes(self) -> None:
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()

    def wait_status(self, instance_id: str, want: set[str], timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        body: dict = {}
        while time.monotonic() < deadline:
            r = self.client.get(f"{BETA}/{instance_id}")
            if r.status_code == 200:
                body = r.json()
                if body["runtimeStatus"] in want:
                    return body
            time.sleep(0.05)
        raise AssertionError(f"{instance_id} never reached {want}: {body}")


def read_banner(stdout: IO[str], banner: list[str], timeout: float = 30) -> str:
    """Read `wfctl serve`'s start-up banner into ``banner``; return the URL it listens on
    ("" when the server ended or said nothing of it in time)."""
    url = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stdout.readline()
        if not line:
            break
        banner.append(line)
        if line.startswith("wfctl serve: listening on "):  # not "gRPC listening on"
            url = line.split("listening on ", 1)[1].split()[0]
        if line.startswith("wfctl serve: workflows:"):
            break
    return url
