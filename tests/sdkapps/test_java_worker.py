"""A workflow app on the Java SDK, io.dapr:dapr-sdk-workflows 1.17.1 (apps/java_worker, a small
Maven project), against ``wfctl serve --grpc-port``: chain, fan-out, event vs timer, child,
retry, continue-as-new, terminate, purge; and kill -9 of serve with the Java worker
reconnecting by itself.

The app is compiled once per session into a temp dir with ``mvn -q -o`` (seconds, about 15 s
of them Maven's start on the shared 2-core box); when the local repository lacks the SDK or
Maven's plugins, one online ``mvn`` resolves them from Maven Central first (about 20 s, about
20 MB). JDK 17+ and Maven 3.8+. The tests skip, saying why, without them or when the build
fails."""

from __future__ import annotations

import pytest

from tests.sdkapps.builds import CASES, build_java, passed_cases
from tests.sdkapps.procs import App, GrpcServe, kill_9_serve_under, status_json

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def java_worker(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return build_java(tmp_path_factory.mktemp("java"))


@pytest.mark.timeout(700)  # the session's first build may resolve from Maven Central
def test_java_worker_scenarios_on_serve(serve: GrpcServe, tmp_path, java_worker):
    app = App([*java_worker, "scenarios", "java"], tmp_path, serve.grpc_port)
    assert app.finish() == 0, app.report() + serve.log()
    assert passed_cases(app.out.lines) == CASES, app.report()
    states = status_json(tmp_path, "--url", serve.url, "status", "java-chain", "java-parent-child")
    assert [s["runtimeStatus"] for s in states] == ["COMPLETED", "COMPLETED"]


@pytest.mark.timeout(700)
def test_java_worker_reconnects_after_kill_9_of_serve(tmp_path, java_worker):
    gate = tmp_path / "gate"
    app = kill_9_serve_under(
        tmp_path,
        tmp_path / "wf.db",
        gate,
        lambda port: App([*java_worker, "crash", "jk", str(gate)], tmp_path, port),
        lambda app: app.out.wait_for(lambda s: s == "WAITING jk-crash", 120, "WAITING line"),
    )
    assert 'DONE jk-crash COMPLETED "approved by after restart"' in app.out.lines, app.report()
