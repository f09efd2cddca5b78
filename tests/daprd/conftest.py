"""The daprd tier: wfctl against a real Dapr sidecar built by scripts/install-daprd.

Every test here carries the ``daprd`` marker and skips, naming scripts/install-daprd, when the
binaries are not in the cache. A module shares one sidecar (placement + scheduler + daprd on
free ports, SQLite actor state store) and one unmodified Dapr SDK worker app.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.daprd.procs import OLD_VERSION, VERSION, Daprd, bin_dir, missing_reason

CONTRACT_APP = Path(__file__).resolve().parent.parent / "contract" / "contract_app.py"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.daprd)


@contextmanager
def sidecar_with_worker(
    home: Path, app: Path, version: str = VERSION, token: str | None = None
) -> Iterator[Daprd]:
    """A daprd of ``version`` with ``app`` (an SDK app printing READY) as its worker, ready
    for starts; stopped on exit. Skips the test when that release is not built."""
    if bin_dir(version) is None:
        pytest.skip(missing_reason(version))
    from tests.grpc.proc import App

    with Daprd(home, version=version, token=token) as d:
        worker = App(app, d.grpc_port, token=token)
        try:
            worker.wait_line("READY")
            d.wait_for_worker()
            yield d
        finally:
            worker.stop()


@pytest.fixture(scope="module")
def daprd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daprd]:
    """daprd (the pinned 1.17 release) with tests/contract/contract_app.py as its worker."""
    with sidecar_with_worker(tmp_path_factory.mktemp("daprd"), CONTRACT_APP) as d:
        yield d


@pytest.fixture(scope="module")
def old_daprd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daprd]:
    """daprd of the older release (1.16), whose gRPC API lacks list, history and rerun."""
    with sidecar_with_worker(tmp_path_factory.mktemp("old"), CONTRACT_APP, OLD_VERSION) as d:
        yield d
