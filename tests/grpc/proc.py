"""`wfctl serve --grpc-port 0` and unmodified Dapr SDK apps as real subprocesses (the one
harness: tests/harness.py)."""

from __future__ import annotations

from pathlib import Path

from tests.harness import GRPC_BANNER, Serve, sdk_env, serve_module
from tests.harness import WorkerApp as App

__all__ = ["GRPC_BANNER", "App", "GrpcServe", "Serve", "sdk_env"]


def GrpcServe(  # noqa: N802 - was a class; every caller reads it as one
    db: Path,
    extra: list[str] | None = None,
    token: str | None = None,
    pre: list[str] | None = None,
    module: str = "wfctl",  # or "wfctl.server": the same serve without the word
) -> Serve:
    """`python -m wfctl --db DB [pre] serve --port 0 --grpc-port 0 [extra]`; ``url`` and
    ``grpc_port`` from its banner; stdout and stderr collected."""
    return serve_module(db, token=token, extra=extra or (), pre=pre or (), grpc=True, module=module)
