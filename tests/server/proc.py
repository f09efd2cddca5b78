"""A real `python -m wfctl.server` subprocess on a free loopback port (see tests/harness.py)."""

from __future__ import annotations

from pathlib import Path

from tests.harness import BETA, Serve, read_banner, serve_module

__all__ = ["BETA", "ServerProc", "read_banner"]


def ServerProc(db: Path, token: str | None = None, extra: list[str] | None = None) -> Serve:  # noqa: N802
    """`python -m wfctl.server --port 0 --db DB [extra]`, the token in DAPR_API_TOKEN."""
    return serve_module(db, token=token, extra=extra or (), module="wfctl.server")
