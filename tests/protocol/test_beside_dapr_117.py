"""wfctl[grpc] in a user's venv that keeps dapr 1.17.5 (dapr-ext-workflow 1.17.5 and its
durabletask fork, whose protos have no package either): the requirements agree, and one
process runs the SDK's worker and client and wfctl's gRPC client against a real
`wfctl serve --grpc-port`, with protobuf at the lowest version the grpc extra allows.

The SDK's packages go into a target directory (``pip install --no-deps``, seconds); the
processes run with ``python -S`` on that directory, then this test venv's packages less its
own dapr (dapr 1.19 is a regular package: it would win over 1.17.5's namespace package), then
the repository. grpcio, aiohttp, httpx and the rest are shared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.grpc.proc import GrpcServe, sdk_env
from tests.protocol.test_stubs import protobuf_floor

# The first test also downloads the SDK (pip: seconds here, longer on a slow index).
pytestmark = pytest.mark.timeout(300)

USER_SDK = ("dapr==1.17.5", "dapr-ext-workflow==1.17.5", "durabletask-dapr==0.17.4")

# Every requirement the SDK side and wfctl[grpc] state about a distribution both use must be
# met by the one version present (what pip's resolver needs), and wfctl must not want dapr.
AGREE = """
import json, sys
from importlib import metadata
from packaging.requirements import Requirement

def reqs(dist, extra=""):
    out = []
    for text in metadata.requires(dist) or []:
        r = Requirement(text)
        if r.marker is None or r.marker.evaluate({"extra": extra}):
            out.append(r)
    return out

ours = reqs("wfctl", "grpc")
theirs = [r for d in ("dapr", "dapr-ext-workflow", "durabletask-dapr") for r in reqs(d)]
shared = {r.name.lower() for r in ours} & {r.name.lower() for r in theirs}
clashes = [
    f"{r} (have {metadata.version(r.name)})"
    for r in ours + theirs
    if r.name.lower() in shared and not r.specifier.contains(metadata.version(r.name), True)
]
print(json.dumps({
    "dapr": metadata.version("dapr"),
    "protobuf": metadata.version("protobuf"),
    "shared": sorted(shared),
    "clashes": clashes,
    "wfctl wants dapr": any(r.name.lower().startswith("dapr") for r in ours),
}))
"""

# A user's app (the SDK's public API only) plus wfctl's client, in one process.
APP = """
import json, sys
import dapr.ext.workflow as wf
from wfctl.backend.grpc import GrpcBackend

wfr = wf.WorkflowRuntime()

@wfr.activity(name="hello")
def hello(ctx, name):
    return f"hello {name}"

@wfr.workflow(name="greet")
def greet(ctx, name):
    return (yield ctx.call_activity(hello, input=name))

wfr.start()
try:
    client = wf.DaprWorkflowClient()
    iid = client.schedule_new_workflow(greet, input="proto", instance_id="beside-117")
    sdk_state = client.wait_for_workflow_completion(iid, timeout_in_seconds=120)
    with GrpcBackend(sys.argv[1]) as backend:
        ours = backend.get(iid)
finally:
    wfr.shutdown()
print(json.dumps({
    "sdk": sdk_state.runtime_status.name,
    "wfctl": ours.runtime_status.value,
    "output": ours.serialized_output,
    "stubs": sorted(m for m in sys.modules if m.endswith("orchestrator_service_pb2")
                    or m == "wfctl.protocol.durabletask_pb2"),
}))
"""


@pytest.fixture(scope="module")
def user_sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding dapr 1.17.5's SDK and protobuf at the grpc extra's floor."""
    target = tmp_path_factory.mktemp("dapr-1.17.5")
    pinned = (*USER_SDK, f"protobuf=={protobuf_floor()}")
    p = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target)]
        + list(pinned),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert p.returncode == 0, p.stderr
    return target


@pytest.fixture(scope="module")
def user_path(user_sdk: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """PYTHONPATH of the user's venv: their SDK, this venv's packages but its dapr, wfctl."""
    view = tmp_path_factory.mktemp("site")
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.lower().startswith(("dapr", "flask_dapr", "durabletask")):
            (view / entry.name).symlink_to(entry)
    return os.pathsep.join([str(user_sdk), str(view), str(Path(__file__).parents[2])])


def _run(code: str, env: dict[str, str], *args: str) -> dict[str, object]:
    p = subprocess.run(
        [sys.executable, "-S", "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert p.returncode == 0, p.stderr
    return dict(json.loads(p.stdout.strip().splitlines()[-1]))


def test_the_requirements_of_wfctl_grpc_and_dapr_117_agree(user_path: str) -> None:
    env = {**sdk_env(0), "PYTHONPATH": user_path}
    got = _run(AGREE, env)
    assert got["dapr"] == "1.17.5" and got["protobuf"] == protobuf_floor(), got
    assert "protobuf" in got["shared"] and "grpcio" in got["shared"], got
    assert got["clashes"] == [] and got["wfctl wants dapr"] is False, got


def test_sdk_117_and_wfctl_client_share_one_process(user_path: str, tmp_path: Path) -> None:
    serve = GrpcServe(tmp_path / "wf.db")
    try:
        env = {**sdk_env(serve.grpc_port), "PYTHONPATH": user_path}
        got = _run(APP, env, f"127.0.0.1:{serve.grpc_port}")
    finally:
        assert serve.stop() == 0, serve.stderr
    assert got["sdk"] == "COMPLETED" and got["wfctl"] == "COMPLETED", got
    assert got["output"] == '"hello proto"', got
    assert got["stubs"] == [
        "durabletask.internal.orchestrator_service_pb2",
        "wfctl.protocol.durabletask_pb2",
    ], got
