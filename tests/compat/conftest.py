"""Running a Dapr-style app the way a user does: ``python -m wfctl --embedded --db F exec``.

Helpers: tests/compat/support.py."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wf.db"
