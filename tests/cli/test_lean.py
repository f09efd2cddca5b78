"""The lean start-up path (wfctl/cli/_lean.py): ``status ID... -o json|yaml`` without Typer.

It must be invisible: for every command line it takes, the exit code, stdout and stderr are
those of the Typer app on the same command line, against real servers on 127.0.0.1 (the
recording fake daprd, the recording gRPC servicer) and an embedded database; every other
command line goes to the Typer app."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.grpcclient.servicer import MemoryServicer, serving
from tests.http.fakedaprd import FakeDaprd
from wfctl.cli import _lean
from wfctl.cli.app import run as typer_run


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[dict[str, str]]:
    sv = MemoryServicer()
    sv.add("g-done", name="order", status=1)
    sv.add("g-run", name="order", status=0)
    with FakeDaprd() as d, serving(sv) as endpoint:
        d.add("h-done", name="order", status="COMPLETED", input='"x"')
        d.add("h-run", name="order", status="RUNNING")
        d.add("h-fail", name="order", status="FAILED")
        yield {"URL": d.url, "EP": endpoint, "DB": str(tmp_path / "wf.db")}


LEAN = [
    ["--url", "URL", "status", "h-done", "-o", "json"],
    ["-o", "yaml", "--url", "URL", "status", "h-done", "h-run"],
    ["--url=URL", "status", "h-fail", "nope", "-ojson"],
    ["status", "nope", "--url", "URL", "--output=json"],
    ["--url", "URL", "status", "bad\x01id", "-o", "json"],
    ["--url", "URL", "-q", "status", "h-run", "-o", "json", "--no-color", "--verbose"],
    ["--url", "URL", "--api-token", "sekrit-token", "status", "nope", "-o", "json"],
    ["--url", "URL", "--api-token", "bad\ntoken", "status", "h-done", "-o", "json"],
    ["--url", "not a url", "status", "h-done", "-o", "json"],
    ["--url", "http://127.0.0.1:1", "status", "h-done", "-o", "json"],
    ["--url", "URL", "--request-timeout", "forever", "status", "h-done", "-o", "json"],
    ["--grpc-endpoint", "EP", "status", "g-done", "-o", "json"],
    ["--transport", "grpc", "--grpc-endpoint", "EP", "status", "g-done", "g-run", "-o", "yaml"],
    ["--grpc-endpoint", "EP", "status", "nope", "-o", "json"],
    ["--grpc-endpoint", "EP", "status", "g-run", "nope", "-o", "json"],
    ["--transport", "carrier-pigeon", "status", "g-done", "-o", "json"],
    ["--embedded", "--db", "DB", "status", "nope", "-o", "json"],
    ["--profile", "nosuch", "status", "h-done", "-o", "json"],
]

FALLBACK = [
    ["status", "h-done"],
    ["status", "h-done", "-o", "table"],
    ["status", "-w", "h-done", "-o", "json"],
    ["status", "h-done", "-o", "json", "--watch"],
    ["status", "h-done", "-o", "json", "--interval", "1s"],
    ["--help"],
    ["status", "--help"],
    ["status", "h-done", "-qo", "json"],
    ["list", "-o", "json"],
    ["status", "h-done", "-o", "json", "--"],
    ["--url", "--x", "status", "h-done", "-o", "json"],
    ["status", "-o", "json"],
    ["--insecure=1", "status", "h-done", "-o", "json"],
    ["status", "h-done", "-o"],
    ["--bogus", "status", "h-done", "-o", "json"],
    ["--version"],
    ["stat", "h-done", "-o", "json"],
]


def _fill(argv: list[str], servers: dict[str, str]) -> list[str]:
    out = []
    for a in argv:
        for k, v in servers.items():
            a = a.replace(k, v) if a in (k, f"--url={k}") else a
        out.append(a)
    return out


def _untimed(text: str) -> str:
    """--verbose request lines carry how long each request took: the one thing that may
    differ between two runs."""
    return re.sub(r"\(\d+ ms\)", "(N ms)", text)


@pytest.mark.parametrize("argv", LEAN, ids=[" ".join(a) for a in LEAN])
def test_lean_path_prints_what_typer_prints(argv, servers, capsys) -> None:
    args = _fill(argv, servers)
    assert _lean.parse(args) is not None
    code = _lean.run(args)
    lean = (code, *map(_untimed, capsys.readouterr()))
    full = (typer_run(args), *map(_untimed, capsys.readouterr()))
    assert lean == full
    if "sekrit-token" in args:
        assert "sekrit-token" not in lean[1] + lean[2]


def test_lean_cases_cover_success_and_every_failure_kind(servers, capsys) -> None:
    codes = set()
    for argv in LEAN:
        codes.add(_lean.run(_fill(argv, servers)))
        capsys.readouterr()
    assert {0, 2, 3, 5} <= codes  # ok, usage, not found, unreachable


@pytest.mark.parametrize("argv", FALLBACK, ids=[" ".join(a) for a in FALLBACK])
def test_anything_else_goes_to_typer(argv) -> None:
    assert _lean.parse(argv) is None
    assert _lean.run(argv) is None


def test_the_lean_path_does_not_import_typer(servers) -> None:
    def imported(*args: str) -> str:
        p = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "wfctl", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        return p.stderr

    lean = imported("--grpc-endpoint", servers["EP"], "status", "g-done", "-o", "json")
    assert "| typer" not in lean and "| rich" not in lean
    full = imported("--grpc-endpoint", servers["EP"], "status", "g-done")  # a table
    assert "| typer" in full
