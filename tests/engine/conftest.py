from __future__ import annotations

import pytest

from wfctl.engine.store import Store


@pytest.fixture
def db(tmp_path):
    return tmp_path / "wf.db"


@pytest.fixture
def store(db):
    s = Store(db)
    yield s
    s.close()


def make_engine(path, registry=None, **kw):
    from tests.engine import sample_app
    from wfctl.engine.worker import Engine

    registry = registry or sample_app.registry
    return Engine(path, registry, **kw)


@pytest.fixture
def engine(db):
    e = make_engine(db)
    yield e
    e.close()
