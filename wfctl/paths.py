"""Where wfctl keeps its files by default (never the working directory)."""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/wfctl`` (default ``~/.config/wfctl``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "wfctl"


def data_dir() -> Path:
    """``$XDG_DATA_HOME/wfctl`` (default ``~/.local/share/wfctl``)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return Path(base) / "wfctl"


def default_db_path() -> Path:
    """The embedded engine's SQLite file: ``$WFCTL_DB``, else ``data_dir()/wfctl.db``."""
    explicit = os.environ.get("WFCTL_DB")
    if explicit:
        return Path(explicit)
    return data_dir() / "wfctl.db"
