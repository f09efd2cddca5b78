"""The end-to-end suite's helpers: real ``wfctl serve`` subprocesses on free loopback ports
over tmp SQLite files (tests/harness.py), driven by real ``wfctl`` subprocesses (the venv's
console script). Its fixtures are in conftest.py."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests import harness

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


class Serve(harness.Serve):
    """``wfctl serve`` on ``home/wf.db`` with the e2e app on ``port`` (0: a free one); the
    access log is collected in ``log``."""

    def __init__(self, home: Path, token: str | None, port: int = 0) -> None:
        self.home = home
        self.env = clean_env(home)
        db = home / "wf.db"
        args = [WFCTL, "serve", "--host", "127.0.0.1", "--port", str(port), "--db", str(db)]
        args += ["--app", str(APP)]
        if token:
            args += ["--api-token", token]
        super().__init__(args, env=self.env, token=token, client_timeout=10, db=db)
        self.http = self.client
        self.log = self.stderr

    def requests_for(self, instance_id: str) -> list[str]:
        """The access-log lines naming ``instance_id`` (``"METHOD /path" STATUS``)."""
        return [line for line in list(self.log) if f"/{instance_id}" in line]

    def stop(self, kill: bool = False) -> int:  # type: ignore[override]
        """SIGTERM (or SIGKILL) the server; its exit code."""
        return super().stop(signal.SIGKILL if kill else signal.SIGTERM)

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
