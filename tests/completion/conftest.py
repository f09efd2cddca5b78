"""Fixtures for the completion tests: a wfctl database, a `wfctl` on PATH, the scripts.

Helpers: tests/completion/support.py."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from tests.completion.support import REPO, make_db


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return make_db(tmp_path / "wf.db")


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment with its own HOME/XDG dirs and no wfctl or Dapr settings."""
    for var in list(os.environ):
        if var.startswith(("WFCTL_", "DAPR_")) or var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
            monkeypatch.delenv(var, raising=False)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    return dict(os.environ)


@pytest.fixture
def shim_bin(tmp_path: Path) -> Path:
    """A directory with a `wfctl` that runs this tree's real entry point, wfctl.__main__."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "wfctl"
    exe.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from wfctl.__main__ import main\n"
        "sys.exit(main())\n"
    )
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return bin_dir
