"""In-process cost of serve's HTTP layer per request: the ASGI app called directly (no sockets,
no threads' queueing), over a backend that answers at once, so what is left is routing, parsing
and answering. Prints microseconds per request for each kind of request.

    python bench/serve_dispatch.py [--n 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from wfctl.model import RuntimeStatus, WorkflowState
from wfctl.server.app import WorkflowServerApp

PATHS = {
    "healthz": ("GET", b"/v1.0/healthz"),
    "get": ("GET", b"/v1.0-beta1/workflows/dapr/abc"),
    "raiseEvent": ("POST", b"/v1.0-beta1/workflows/dapr/abc/raiseEvent/go"),
    "history": ("GET", b"/wfctl/v1/instances/abc/history"),
    "404": ("GET", b"/nope/nope"),
}


class Instant:
    """A backend whose every call returns at once."""

    def get(self, instance_id: str) -> WorkflowState:
        return WorkflowState(
            instance_id=instance_id, name="wf", runtime_status=RuntimeStatus.RUNNING
        )

    def raise_event(self, *args: object) -> None:
        return None

    def history_with_waits(self, instance_id: str) -> tuple[list, list]:
        return [], []

    def pending_reason(self, instance_id: str) -> None:
        return None


async def one(app: WorkflowServerApp, method: str, path: bytes) -> None:
    scope = {
        "type": "http",
        "method": method,
        "path": path.decode(),
        "raw_path": path,
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:3500")],
        "client": ("127.0.0.1", 1),
    }

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        return None

    await app(scope, receive, send)


async def main(n: int) -> dict[str, float]:
    app = WorkflowServerApp(Instant(), log=lambda line: None)

    async def direct(fn, *args, **kw):  # no thread pool: measure the HTTP layer alone
        return fn(*args, **kw)

    app.call = direct  # type: ignore[method-assign]
    app.handlers.call = direct
    out = {}
    for name, (method, path) in PATHS.items():
        for _ in range(200):
            await one(app, method, path)
        began = time.perf_counter()
        for _ in range(n):
            await one(app, method, path)
        out[name] = round((time.perf_counter() - began) / n * 1e6, 1)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    print(json.dumps(asyncio.run(main(parser.parse_args().n))))
