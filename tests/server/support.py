"""Helpers of the tests in tests/server (their fixtures are in conftest.py; import these
from here, never from a conftest module)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import uvicorn

from tests.server.fake_backend import FakeBackend
from wfctl.server import create_app
from wfctl.server.app import WorkflowServerApp
from wfctl.server.run import bind_socket

TOKEN = "s3cret-token"


class AsgiClient:
    """A synchronous face over httpx.AsyncClient + ASGITransport (one loop per request)."""

    def __init__(self, app: WorkflowServerApp, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.headers = headers or {}

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        content = kw.get("content")
        if content is not None and not isinstance(content, (bytes, str)):
            chunks = list(content)

            async def agen() -> Any:
                for chunk in chunks:
                    yield chunk

            kw["content"] = agen()

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://localhost", headers=self.headers
            ) as client:
                return await client.request(method, url, **kw)

        return asyncio.run(go())

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)


class ThreadServer:
    """uvicorn serving ``app`` from a background thread on a free loopback port."""

    def __init__(self, app: WorkflowServerApp) -> None:
        self.sock = bind_socket("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


class Served:
    """One app under test plus the log lines it wrote."""

    def __init__(self, api_token: str | None) -> None:
        self.lines: list[str] = []
        self.fake = FakeBackend()
        self.app = create_app(self.fake, api_token=api_token, log=self.lines.append)
        self.server: ThreadServer | None = None
        self.client: Any = None  # no token
        self.authed: Any = None  # the right token (token-protected app only)

    def reset(self) -> FakeBackend:
        self.fake = FakeBackend()
        self.app.backend = self.fake
        self.app.handlers.backend = self.fake
        self.lines.clear()
        return self.fake


def make_client(served: Served, transport: str, headers: dict[str, str] | None = None) -> Any:
    if transport == "asgi":
        return AsgiClient(served.app, headers)
    assert served.server is not None
    return httpx.Client(base_url=served.server.url, headers=headers or {}, timeout=10)
