"""Fixtures shared by tests/http and tests/cli: a clean environment and a fake daprd."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.http.fakedaprd import FakeDaprd

CLEARED = ("DAPR_", "WFCTL_", "NO_COLOR", "XDG_", "FORCE_COLOR", "COLUMNS", "LINES")


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No DAPR_*/WFCTL_* variables, a private HOME and XDG dirs, a pinned terminal width."""
    for name in list(os.environ):
        if name.startswith(CLEARED):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("COLUMNS", "100")
    return home


@pytest.fixture
def daprd() -> Iterator[FakeDaprd]:
    with FakeDaprd() as server:
        yield server


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run_wfctl(
    *args: str, env: dict[str, str] | None = None, input: bytes | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[bytes]:
    """Run the real `wfctl` console script (falling back to ``python -m wfctl``)."""
    script = Path(sys.executable).with_name("wfctl")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "wfctl"]
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [*cmd, *args], env=full_env, input=input, capture_output=True, timeout=timeout
    )
