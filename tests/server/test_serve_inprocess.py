"""serve() itself, in-process: the banner, the exposure warning, shutting down when the
engine worker dies, and cleaning up in every case."""

from __future__ import annotations

import io
import socket
import threading

import httpx
import pytest

from wfctl.backend.embedded import EmbeddedBackend
from wfctl.server import run as run_mod


class DeadWorker:
    """A worker handle that reports itself dead after ``after`` seconds."""

    def __init__(self, after: float) -> None:
        self.timer = threading.Event()
        threading.Timer(after, self.timer.set).start()
        self.stopped = False

    @property
    def running(self) -> bool:
        return not self.timer.is_set()

    def stop(self, timeout: float | None = None) -> None:
        self.stopped = True


def test_warns_when_exposed_without_token(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_bind = run_mod.bind_socket
    bound: list[socket.socket] = []

    def loopback_bind(host: str, port: int) -> socket.socket:
        sock = real_bind("127.0.0.1", 0)  # tests never listen beyond loopback
        bound.append(sock)
        return sock

    class NoServer:
        worker_died = False

        def run(self, sockets):
            assert sockets == bound

    monkeypatch.setattr(run_mod, "bind_socket", loopback_bind)
    monkeypatch.setattr(run_mod, "_make_server", lambda *a: NoServer())
    closed: list[bool] = []
    monkeypatch.setattr(EmbeddedBackend, "close", lambda self: closed.append(True))
    out = io.StringIO()
    assert run_mod.serve(host="0.0.0.0", port=3500, db_path=tmp_path / "w.db", out=out) == 0
    err = capsys.readouterr().err
    assert "WARNING" in err and "WITHOUT an API token" in err
    text = out.getvalue()
    assert "listening on http://127.0.0.1:" in text and "hello_world_wf" in text
    assert text.rstrip().endswith("wfctl serve: stopped")
    assert closed == [True, True] and bound[0].fileno() == -1  # reader and writer


def test_no_warning_with_a_token(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class NoServer:
        worker_died = False

        def run(self, sockets):
            pass

    monkeypatch.setattr(run_mod, "_make_server", lambda *a: NoServer())
    out = io.StringIO()
    assert run_mod.serve(port=0, db_path=tmp_path / "w.db", api_token="t0ken", out=out) == 0
    assert "WARNING" not in capsys.readouterr().err
    assert "dapr-api-token" in out.getvalue() and "t0ken" not in out.getvalue()


def test_a_dead_engine_worker_stops_the_server(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    worker = DeadWorker(after=0.5)
    monkeypatch.setattr(EmbeddedBackend, "start_worker", lambda self, concurrency=8: worker)
    out = io.StringIO()
    result: list[int] = []
    t = threading.Thread(
        target=lambda: result.append(run_mod.serve(port=0, db_path=tmp_path / "d.db", out=out))
    )
    t.start()
    t.join(20)
    assert not t.is_alive()
    assert result == [1]
    assert worker.stopped
    assert "engine worker stopped unexpectedly" in capsys.readouterr().err


def test_serves_in_a_thread_until_the_worker_goes(tmp_path, monkeypatch) -> None:
    worker = DeadWorker(after=1.5)
    monkeypatch.setattr(EmbeddedBackend, "start_worker", lambda self, concurrency=8: worker)
    out = io.StringIO()
    t = threading.Thread(
        target=run_mod.serve, kwargs={"port": 0, "db_path": tmp_path / "s.db", "out": out}
    )
    t.start()
    import time

    deadline = time.monotonic() + 10
    while "listening on" not in out.getvalue():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    url = out.getvalue().split("listening on ", 1)[1].split()[0]
    r = httpx.post(f"{url}/v1.0/workflows/dapr/hello_world_wf/start?instanceID=th")
    assert r.status_code == 202
    assert httpx.get(f"{url}/v1.0/workflows/dapr/th").json()["runtimeStatus"] == "PENDING"
    t.join(20)
    assert not t.is_alive()
