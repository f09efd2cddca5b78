"""Every assumption wfctl/_adapters makes about a dependency's internals, checked on the
installed versions: an upgrade that breaks one fails here, by name, instead of silently in a
user's shell (the behaviour each one serves is tested in tests/cli and tests/server)."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from importlib.metadata import version
from pathlib import Path

import httpcore
import httpx
import pytest
import typer
from typer.testing import CliRunner

from wfctl._adapters import httpx_compat, typer_compat, uvicorn_compat

PYPROJECT = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()


def _bounds(dist: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    m = re.search(rf'"{dist}>=([\d.]+),<([\d.]+)"', PYPROJECT)
    assert m, f"pyproject.toml must bound {dist} with >=X,<Y: its adapter uses internals"
    return tuple(map(int, m[1].split("."))), tuple(map(int, m[2].split(".")))


def _installed(dist: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version(dist))[:3])


@pytest.mark.parametrize("dist", ["typer", "httpx", "httpcore", "uvicorn"])
def test_each_adapted_dependency_is_bounded_and_installed_within_the_bounds(dist) -> None:
    low, high = _bounds(dist)
    assert low <= _installed(dist) < high


def test_typer_usage_errors_are_the_adapters_usage_problem() -> None:
    app = typer.Typer()

    @app.command()
    def one(n: int = 1) -> None:
        pass

    with pytest.raises(typer_compat.UsageProblem) as caught:
        typer.main.get_command(app).main(["--bogus"], standalone_mode=False)
    assert caught.value.exit_code == 2 and "--bogus" in caught.value.format_message()


def test_typer_current_context_is_the_running_commands() -> None:
    app = typer.Typer()
    seen = []

    @app.command()
    def one(ctx: typer.Context) -> None:
        seen.append(typer_compat.get_current_context() is ctx)

    assert CliRunner().invoke(app, []).exit_code == 0
    assert seen == [True]


def test_typer_fast_coercion_replaces_the_runtime_param_of_plain_parameters() -> None:
    app = typer.Typer(add_completion=False)

    @app.command()
    def one(n: int = typer.Option(1, max=5), name: str = "x", many: list[str] = []) -> None:  # noqa: B006
        typer.echo(f"{n} {name} {many}")

    command = typer.main.get_command(app)
    typer_compat.install(command, typer.Context(command))  # before parsing, as the app does
    kinds = {p.name: type(p._runtime_param).__name__ for p in command.params}
    assert kinds == {"n": "_Plain", "name": "_Plain", "many": "_Plain"}
    assert command.main(["--n", "3", "--many", "a"], standalone_mode=False) is None
    with pytest.raises(typer_compat.UsageProblem) as caught:  # our message, not pydantic's
        command.main(["--n", "9"], standalone_mode=False)
    assert "9 is not in the range x<=5" in caught.value.format_message()


def test_httpx_client_pools_are_reached_and_used_for_every_connection() -> None:
    opened = []

    class Counting(httpcore.NetworkBackend):
        def __init__(self, inner: httpcore.NetworkBackend) -> None:
            self.inner = inner

        def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
            opened.append((host, port))
            return self.inner.connect_tcp(host, port, timeout, local_address, socket_options)

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def answer() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")

    t = threading.Thread(target=answer, daemon=True)
    t.start()
    with httpx.Client(trust_env=False) as client:
        assert httpx_compat.wrap_network_backends(client, Counting) == 1
        assert client.get(f"http://127.0.0.1:{port}/").status_code == 204
    t.join(30)
    server.close()
    assert opened == [("127.0.0.1", port)]


def test_httpx_proxy_mounts_are_wrapped_too() -> None:
    client = httpx.Client(mounts={"http://": httpx.HTTPTransport(proxy="http://127.0.0.1:9")})
    with client:
        assert httpx_compat.wrap_network_backends(client, lambda inner: inner) == 2
        assert httpx_compat.wrap_network_backends(httpx.Client(transport=httpx.MockTransport(
            lambda r: httpx.Response(200))), lambda inner: inner) == 0  # fmt: skip


def test_uvicorn_h11_protocol_exposes_conn_and_transport() -> None:
    """The header deadline reads ``conn.their_state`` and ``transport`` of uvicorn's h11
    protocol, created as ``Config(http=cls)`` creates it."""
    import h11
    import uvicorn

    async def app(scope, receive, send):  # pragma: no cover - never called
        pass

    config = uvicorn.Config(app, http=uvicorn_compat.protocol_class(30.0), log_level="error")
    config.load()
    assert issubclass(config.http_protocol_class, uvicorn_compat._HeaderDeadline)

    async def made() -> tuple[object, bool]:
        loop = asyncio.get_running_loop()
        proto = config.http_protocol_class(
            config=config, server_state=uvicorn.server.ServerState(), app_state={}
        )

        class Transport(asyncio.Transport):
            def get_extra_info(self, name, default=None):
                return ("127.0.0.1", 1) if name in ("sockname", "peername") else default

            def is_closing(self) -> bool:
                return False

        proto.connection_made(Transport())
        state = proto.conn.their_state
        armed = proto._header_timer is not None
        proto._disarm()
        del loop
        return state, armed

    state, armed = asyncio.run(made())
    assert state is h11.IDLE and armed
