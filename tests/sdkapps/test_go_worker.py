"""A workflow app on github.com/dapr/durabletask-go (apps/go_worker, its own go.mod) against
``wfctl serve --grpc-port``: chain, fan-out, event vs timer, child, retry, continue-as-new,
terminate, purge; and kill -9 of serve with the Go worker reconnecting by itself. The scenarios
run twice: on durabletask-go 0.11.3 (go.mod; the patch daprd 1.17 embeds; it completes a turn
with CompleteOrchestratorTask) and on 0.12.1 (go012.mod; CompleteWorkflowTask).

The app is built once per session into a temp dir with the machine's ``go`` (on PATH or
/usr/local/go/bin; .ci/run has it for the daprd tier). A build with Go's caches warm takes
seconds; the first one downloads the modules (proxy.golang.org) and took about 4 minutes on
the shared 2-core box, hence ``slow``. The tests skip, saying why, when Go or a module is
unavailable."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.sdkapps.builds import CASES, build_go, passed_cases
from tests.sdkapps.procs import App, GrpcServe, kill_9_serve_under, status_json

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def go_build(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], list[str]]:
    """Builds the app with a go.mod (once per session each): the command that runs it."""
    built: dict[str, list[str]] = {}

    def build(modfile: str) -> list[str]:
        if modfile not in built:
            built[modfile] = build_go(tmp_path_factory.mktemp("go"), modfile)
        return built[modfile]

    return build


@pytest.fixture
def go_worker(go_build: Callable[[str], list[str]]) -> list[str]:
    return go_build("go.mod")


@pytest.mark.timeout(1000)  # the session's first go build may download modules
@pytest.mark.parametrize("modfile", ["go.mod", "go012.mod"])
def test_go_worker_scenarios_on_serve(serve: GrpcServe, tmp_path, go_build, modfile):
    app = App([*go_build(modfile), "scenarios", "go"], tmp_path, serve.grpc_port)
    code = app.finish()
    assert code == 0, app.report() + serve.log()
    assert passed_cases(app.out.lines) == CASES, app.report()
    states = status_json(tmp_path, "--url", serve.url, "status", "go-chain", "go-parent-child")
    assert [s["runtimeStatus"] for s in states] == ["COMPLETED", "COMPLETED"]


@pytest.mark.timeout(1000)
def test_go_worker_reconnects_after_kill_9_of_serve(tmp_path, go_worker):
    gate = tmp_path / "gate"
    app = kill_9_serve_under(
        tmp_path,
        tmp_path / "wf.db",
        gate,
        lambda port: App([*go_worker, "crash", "gk", str(gate)], tmp_path, port),
        lambda app: app.out.wait_for(lambda s: s == "WAITING gk-crash", 120, "WAITING line"),
    )
    assert 'DONE gk-crash COMPLETED "\\"approved by after restart\\""' in app.out.lines, (
        app.report()
    )
