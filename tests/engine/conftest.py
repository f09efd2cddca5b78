"""Fixtures.

Helpers: tests/engine/support.py."""

from __future__ import annotations

import pytest

from tests.engine.support import make_engine
from wfctl.engine.store import Store


@pytest.fixture
def db(tmp_path):
    return tmp_path / "wf.db"


@pytest.fixture
def store(db):
    s = Store(db)
    yield s
    s.close()


@pytest.fixture
def engine(db):
    e = make_engine(db)
    yield e
    e.close()
