"""serve()'s helpers: binding, loopback detection, the exposure warning, the token file."""

from __future__ import annotations

import io
import socket
import subprocess
import sys

import pytest

from wfctl.model import ExitCode, UsageError
from wfctl.server.run import _warn_exposed, bind_socket, is_loopback, url_of


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com", ""])
def test_other_hosts(host: str) -> None:
    assert not is_loopback(host)


def test_bind_free_port_and_url() -> None:
    sock = bind_socket("127.0.0.1", 0)
    try:
        assert url_of(sock).startswith("http://127.0.0.1:")
        assert sock.getsockname()[1] > 0
    finally:
        sock.close()


def test_port_in_use_is_a_usage_error() -> None:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        with pytest.raises(UsageError, match="already in use"):
            bind_socket("127.0.0.1", port)
    finally:
        busy.close()


@pytest.mark.parametrize("port", [-1, 70000])
def test_port_out_of_range(port: int) -> None:
    with pytest.raises(UsageError, match="out of range"):
        bind_socket("127.0.0.1", port)


def test_unresolvable_host() -> None:
    with pytest.raises(UsageError, match="cannot"):
        bind_socket("no-such-host.invalid", 0)


def test_exposure_warning_is_loud() -> None:
    buf = io.StringIO()
    _warn_exposed(buf, "http://0.0.0.0:3500")
    text = buf.getvalue()
    assert "WARNING" in text and "WITHOUT an API token" in text and "0.0.0.0:3500" in text


def test_main_reports_a_busy_port_in_one_line(tmp_path) -> None:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "wfctl.server",
                "--port",
                str(port),
                "--db",
                str(tmp_path / "x.db"),
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        busy.close()
    assert done.returncode == ExitCode.USAGE
    assert done.stderr.count("\n") == 1 and "already in use" in done.stderr
    assert "Traceback" not in done.stderr


def test_main_reports_an_unreadable_token_file(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wfctl.server", "--api-token-file", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == ExitCode.USAGE
    assert "cannot read the API token file" in done.stderr and "Traceback" not in done.stderr


def _run_main(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wfctl.server", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_main_refuses_a_corrupt_database_in_one_line(tmp_path) -> None:
    db = tmp_path / "corrupt.db"
    db.write_bytes(b"this is not an SQLite file at all, just text " * 20)
    done = _run_main("--db", str(db))
    assert done.returncode == ExitCode.STORAGE
    assert done.stderr.count("\n") == 1 and "corrupt" in done.stderr
    assert "listening" not in done.stdout


def test_main_reports_an_app_that_cannot_load(tmp_path) -> None:
    app = tmp_path / "broken_app.py"
    app.write_text("import no_such_module_here\n")
    done = _run_main("--db", str(tmp_path / "x.db"), "--app", str(app))
    assert done.returncode == ExitCode.APP
    assert "no_such_module_here" in done.stderr and "Traceback" not in done.stderr


def test_python_m_wfctl_server_becomes_wfctl_serve_with_the_interpreter_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wfctl.server.__main__ import serve_command

    monkeypatch.setattr(sys, "orig_argv", ["py", "-X", "dev", "-m", "wfctl.server", "--port", "0"])
    assert serve_command(["--port", "0"]) == [
        "py",
        "-X",
        "dev",
        "-m",
        "wfctl",
        "serve",
        "--port",
        "0",
    ]
    monkeypatch.setattr(sys, "orig_argv", ["py", "runner.py"])  # not started with -m
    assert serve_command(["-v"]) == [sys.executable, "-m", "wfctl", "serve", "-v"]
