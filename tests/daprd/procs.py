"""A real Dapr sidecar for the tests and the benchmarks: ``placement``, ``scheduler`` and
``daprd`` (built by ``scripts/install-daprd``) on free 127.0.0.1 ports in a temporary
directory, with a SQLite state store as the actor state store. No pytest here: bench scripts
and ``scripts/run-daprd`` use it too.

    with Daprd(tmp_dir, app_id="myapp", token=None) as d:
        d.http_url, d.grpc_endpoint     # where wfctl and the SDK app connect
        d.wait_for_worker()             # after starting an SDK app with DAPR_GRPC_PORT
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

#: The release the tier runs against, and the older one whose refusals it checks; both as
#: scripts/install-daprd names them.
VERSION = "1.17.5"
OLD_VERSION = "1.16.5"
BINARIES = ("daprd", "placement", "scheduler")
INSTALL = "scripts/install-daprd"
#: The SQLite state store's busy timeout: serve's own (60 s), not the component's default of
#: 2 s, with which 32 concurrent starts on a loaded 2-core machine left instances stuck
#: RUNNING or FAILED on SQLITE_BUSY (bench/daprd.md).
BUSY_TIMEOUT = "60s"

_COMPONENT = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: statestore
spec:
  type: state.sqlite
  version: v1
  metadata:
  - name: connectionString
    value: "{db}"
  - name: actorStateStore
    value: "true"
  - name: busyTimeout
    value: "{busy}"
"""


def cache_root() -> Path:
    """Where scripts/install-daprd puts its builds (``WFCTL_DAPRD_CACHE`` moves it)."""
    env = os.environ.get("WFCTL_DAPRD_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "wfctl" / "daprd"


def bin_dir(version: str = VERSION) -> Path | None:
    """The directory holding the three binaries of ``version``, or None when not built."""
    d = cache_root() / version
    ok = all(os.access(d / b, os.X_OK) for b in BINARIES)
    return d if ok else None


def missing_reason(version: str = VERSION) -> str:
    return (
        f"daprd {version} is not built: run `{INSTALL} {version}` "
        f"(it caches daprd, placement and scheduler under {cache_root() / version})"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Proc:
    """One of the three binaries, its output drained into a log file by a thread."""

    def __init__(self, name: str, argv: list[str], log: Path, env: dict[str, str]) -> None:
        self.name, self.log = name, log
        self._out = log.open("w", encoding="utf-8")
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        self._t = threading.Thread(target=self._drain, args=(self.proc.stdout,), daemon=True)
        self._t.start()

    def _drain(self, stream: IO[str]) -> None:
        for line in stream:
            self._out.write(line)
            self._out.flush()
        stream.close()

    def tail(self, n: int = 30) -> str:
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(lines[-n:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        self._t.join(10)
        self._out.close()


_ATTEMPTS = 3


class _ExitedEarly(RuntimeError):
    """One of the three processes ended while starting (or while waited on)."""


def _get(url: str, token: str | None = None, timeout: float = 5) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"dapr-api-token": token} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 (loopback)
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


class Daprd:
    """placement + scheduler + daprd of ``version`` in ``home`` (a fresh directory).

    ``http_port`` and ``grpc_port`` are daprd's; ``token`` becomes its DAPR_API_TOKEN;
    ``busy_timeout`` is the SQLite state store's (a Go duration).
    :meth:`stop` ends all three (the context manager does it on exit)."""

    def __init__(
        self,
        home: Path,
        *,
        version: str = VERSION,
        app_id: str = "wfctl-tests",
        token: str | None = None,
        log_level: str = "info",
        timeout: float = 120,
        busy_timeout: str = BUSY_TIMEOUT,
    ) -> None:
        found = bin_dir(version)
        if found is None:
            raise RuntimeError(missing_reason(version))
        self.home, self.version, self.app_id, self.token = home, version, app_id, token
        home.mkdir(parents=True, exist_ok=True)
        (home / "components").mkdir(exist_ok=True)
        (home / "components" / "statestore.yaml").write_text(
            _COMPONENT.format(db=home / "state.db", busy=busy_timeout), encoding="utf-8"
        )
        self.procs: list[_Proc] = []
        env = {k: v for k, v in os.environ.items() if not k.startswith("DAPR_")}
        for attempt in range(1, _ATTEMPTS + 1):
            # Free ports are picked, then released, then bound by the binaries: on a busy
            # machine another process may take one first. A process exiting at start-up gets
            # a fresh set of ports, up to _ATTEMPTS times.
            self.http_port, self.grpc_port = free_port(), free_port()
            try:
                self._start(found, env, log_level)
                self.wait_healthy(timeout)
                return
            except _ExitedEarly:
                self.stop()
                if attempt == _ATTEMPTS:
                    raise
                self.procs = []
            except BaseException:
                self.stop()
                raise

    def _start(self, bindir: Path, env: dict[str, str], log_level: str) -> None:
        lo = "127.0.0.1"
        place, sched = free_port(), free_port()
        common = ["--log-level", log_level, "--enable-metrics=false"]
        self._spawn(
            "placement",
            [str(bindir / "placement"), "--port", str(place), "--listen-address", lo,
             "--healthz-port", str(free_port()), "--healthz-listen-address", lo,
             "--initial-cluster", f"dapr-placement-0={lo}:{free_port()}", *common],
            env,
        )  # fmt: skip
        self._spawn(
            "scheduler",
            [str(bindir / "scheduler"), "--port", str(sched), "--listen-address", lo,
             "--healthz-port", str(free_port()), "--healthz-listen-address", lo,
             "--etcd-data-dir", str(self.home / "etcd"), "--etcd-client-port", str(free_port()),
             "--etcd-client-listen-address", lo,
             "--etcd-initial-cluster", f"dapr-scheduler-server-0=http://{lo}:{free_port()}",
             "--identity-directory-write", str(self.home / "identity"), *common],
            env,
        )  # fmt: skip
        daprd_env = dict(env)
        if self.token:
            daprd_env["DAPR_API_TOKEN"] = self.token
        self._spawn(
            "daprd",
            [str(bindir / "daprd"), "--app-id", self.app_id,
             "--dapr-http-port", str(self.http_port), "--dapr-grpc-port", str(self.grpc_port),
             "--dapr-internal-grpc-port", str(free_port()), "--dapr-listen-addresses", lo,
             "--placement-host-address", f"{lo}:{place}",
             "--scheduler-host-address", f"{lo}:{sched}",
             "--resources-path", str(self.home / "components"), *common],
            daprd_env,
        )  # fmt: skip

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.procs.append(_Proc(name, argv, self.home / f"{name}.log", env))

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def grpc_endpoint(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def pids(self) -> list[int]:
        return [p.proc.pid for p in self.procs]

    def logs(self, n: int = 30) -> str:
        return "\n".join(f"--- {p.name} ({p.log}):\n{p.tail(n)}" for p in self.procs)

    def _check_alive(self) -> None:
        for p in self.procs:
            if p.proc.poll() is not None:
                raise _ExitedEarly(f"{p.name} exited with {p.proc.returncode}:\n{self.logs()}")

    def wait_healthy(self, timeout: float = 120) -> None:
        """Until daprd's ``/v1.0/healthz/outbound`` answers 204 (components loaded)."""
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive()
            code, _ = _get(f"{self.http_url}/v1.0/healthz/outbound")
            if code == 204:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"daprd not healthy after {timeout:.0f}s:\n{self.logs()}")
            time.sleep(0.2)

    def metadata(self) -> dict:
        code, body = _get(f"{self.http_url}/v1.0/metadata", self.token)
        return json.loads(body) if code == 200 else {}

    def wait_for_worker(self, timeout: float = 120) -> None:
        """Until a workflow worker (an SDK app on ``grpc_port``) has registered daprd's
        workflow actors and placement has placed them: only then does a start succeed."""
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive()
            meta = self.metadata()
            actors = meta.get("actorRuntime") or {}
            types = {a.get("type", "") for a in actors.get("activeActors") or []}
            placed = "connected" in str(actors.get("placement", ""))
            if placed and actors.get("hostReady") and any("workflow" in t for t in types):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"no workflow worker after {timeout:.0f}s: {meta}\n{self.logs()}"
                )
            time.sleep(0.2)

    def rss_kib(self) -> int:
        """The three processes' resident memory (VmRSS) together, in KiB."""
        total = 0
        for pid in self.pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total

    def stop(self) -> None:
        for p in reversed(self.procs):  # daprd first, then scheduler, then placement
            p.stop()

    def __enter__(self) -> Daprd:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
