"""Fixtures for the end-to-end suite: real ``wfctl serve`` subprocesses on free loopback ports
over tmp SQLite files, driven by real ``wfctl`` subprocesses (the venv's console script)."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.server.proc import read_banner

HERE = Path(__file__).resolve().parent
APP = HERE / "e2e_app.py"
TOKEN = "e2e-S3cr3t-Tok3n-7f1c"
WFCTL = shutil.which("wfctl", path=str(Path(sys.executable).parent)) or "wfctl"
_SCRUB = ("DAPR_", "WFCTL_")
_ids = itertools.count(1)


def uid(prefix: str) -> str:
    """A fresh instance ID (the servers are shared by every test of a module)."""
    return f"{prefix}-{os.getpid()}-{next(_ids)}"


@dataclass
class Result:
    """A finished ``wfctl`` subprocess."""

    args: list[str]
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return f"wfctl {' '.join(self.args)} -> {self.code}\nstdout: {self.out}\nstderr: {self.err}"


class Serve:
    """``wfctl serve`` on ``home/wf.db`` with the e2e app on ``port`` (0: a free one); the
    access log is collected."""

    def __init__(self, home: Path, token: str | None, port: int = 0) -> None:
        self.home = home
        self.db = home / "wf.db"
        self.token = token
        self.env = clean_env(home)
        args = [WFCTL, "serve", "--host", "127.0.0.1", "--port", str(port), "--db", str(self.db)]
        args += ["--app", str(APP)]
        if token:
            args += ["--api-token", token]
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env
        )
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self.log: list[str] = []
        self.banner: list[str] = []
        self.url = read_banner(self.proc.stdout, self.banner)
        if not self.url:
            self.proc.kill()
            raise AssertionError(f"wfctl serve did not start: {self.banner}")
        self._threads = [
            threading.Thread(target=self._drain, args=(s, b), daemon=True)
            for s, b in ((self.proc.stdout, self.banner), (self.proc.stderr, self.log))
        ]
        for t in self._threads:
            t.start()
        headers = {"dapr-api-token": token} if token else {}
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=10)

    @staticmethod
    def _drain(stream, sink: list[str]) -> None:
        for line in stream:
            sink.append(line)

    def requests_for(self, instance_id: str) -> list[str]:
        """The access-log lines naming ``instance_id`` (``"METHOD /path" STATUS``)."""
        return [line for line in list(self.log) if f"/{instance_id}" in line]

    def stop(self, kill: bool = False) -> int:
        """SIGTERM (or SIGKILL) the server; its exit code."""
        self.http.close()
        if kill:
            self.proc.kill()
        else:
            self.proc.terminate()
        code = self.proc.wait(60)
        for t in self._threads:
            t.join(10)
        self.proc.stdout.close()  # type: ignore[union-attr]
        self.proc.stderr.close()  # type: ignore[union-attr]
        return code

    def wfctl(
        self,
        *args: str,
        url: bool = True,
        token: bool = True,
        env: dict[str, str] | None = None,
        stdin: str | None = None,
        timeout: float = 30,
    ) -> Result:
        """Run ``wfctl [--url URL] [--api-token T] ARGS`` (the flags only when asked)."""
        return run(self.cli_args(args, url=url, token=token), self.home, env, stdin, timeout)

    def cli_args(self, args: Sequence[str], *, url: bool = True, token: bool = True) -> list[str]:
        pre = ["--url", self.url] if url else []
        if token and self.token:
            pre += ["--api-token", self.token]
        return [*pre, *args]


def clean_env(home: Path) -> dict[str, str]:
    """The environment without Dapr/wfctl settings, with config/data dirs inside ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUB)}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[var] = str(home / var.lower())
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"
    return env


def run(
    args: Sequence[str],
    home: Path,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 30,
) -> Result:
    """One ``wfctl ARGS`` subprocess (stdin not a terminal)."""
    full_env = {**clean_env(home), **(env or {})}
    p = subprocess.run(
        [WFCTL, *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )
    return Result(list(args), p.returncode, p.stdout, p.stderr)


def run_many(
    jobs: Sequence[tuple[Sequence[str], dict[str, str] | None]], home: Path
) -> list[Result]:
    """Several ``wfctl`` subprocesses at once (independent commands; saves wall time)."""
    procs = [
        (
            list(args),
            subprocess.Popen(
                [WFCTL, *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**clean_env(home), **(env or {})},
            ),
        )
        for args, env in jobs
    ]
    results = []
    for args, p in procs:
        out, err = p.communicate(timeout=60)
        results.append(Result(args, p.returncode, out, err))
    return results


def _server(tmp_path_factory: pytest.TempPathFactory, name: str, token: str | None):
    s = Serve(tmp_path_factory.mktemp(name), token)
    yield s
    assert s.stop() == 0
    log = "".join(s.log) + "".join(s.banner)
    assert "Traceback" not in log, log
    assert TOKEN not in log


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    """A ``wfctl serve`` without a token."""
    yield from _server(tmp_path_factory, "open", None)


@pytest.fixture(scope="module")
def token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    """A ``wfctl serve`` that wants ``TOKEN`` in every request."""
    yield from _server(tmp_path_factory, "token", TOKEN)


@pytest.fixture(params=["open", "token"])
def server(request: pytest.FixtureRequest) -> Serve:
    """Each server in turn (both stay up for the whole module)."""
    return request.getfixturevalue(f"{request.param}_server")
