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


def _fallback_runner(registry):
    """Until wfctl.engine.activities exists on this branch: run def activities directly."""
    import json

    from wfctl.engine.context import WorkflowActivityContext
    from wfctl.model import FailureDetails

    def run(name, inp, iid, tid):
        fn = registry.activities[name]
        try:
            out = fn(WorkflowActivityContext(iid, tid), None if inp is None else json.loads(inp))
            if hasattr(out, "__await__"):
                import asyncio

                out = asyncio.run(out)
            return (None if out is None else json.dumps(out)), None
        except Exception as exc:
            return None, FailureDetails(type(exc).__name__, str(exc), "")

    return run


def make_engine(path, registry=None, **kw):
    from tests.engine import sample_app
    from wfctl.engine.worker import Engine

    registry = registry or sample_app.registry
    try:
        import wfctl.engine.activities  # noqa: F401
    except ImportError:
        kw.setdefault("runner", _fallback_runner(registry))
    return Engine(path, registry, **kw)


@pytest.fixture
def engine(db):
    e = make_engine(db)
    yield e
    e.close()
