"""wfctl's own protocol stubs (wfctl/protocol/): the committed code is what scripts/gen-protos
makes, it runs on the lowest protobuf the grpc extra allows, its wire contract is Dapr
1.19's field for field, and it lives beside the SDK's own stubs in one process."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import descriptor_pb2

from wfctl.protocol import pb, rpc

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "wfctl.durabletask.v1"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def protobuf_floor() -> str:
    """The lowest protobuf the grpc extra allows (pyproject.toml)."""
    text = (REPO / "pyproject.toml").read_text()
    grpc_extra = re.search(r"^grpc = \[(.*?)^\]", text, re.S | re.M)
    assert grpc_extra, "no grpc extra in pyproject.toml"
    found = re.search(r'"protobuf>=([\d.]+)', grpc_extra.group(1))
    assert found, grpc_extra.group(1)
    return found.group(1)


def test_committed_stubs_are_what_gen_protos_makes() -> None:
    p = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen-protos"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr + "\n(run scripts/gen-protos and commit the result)"


def test_the_stubs_run_on_the_lowest_protobuf_the_grpc_extra_allows() -> None:
    code = (REPO / "wfctl" / "protocol" / "durabletask_pb2.py").read_text()
    made_for = re.search(r"^# Protobuf Python Version: ([\d.]+)$", code, re.M)
    assert made_for, "no gencode version in durabletask_pb2.py"
    gen, floor = _version(made_for.group(1)), _version(protobuf_floor())
    # The generated code refuses a runtime older than itself; one major behind is the only
    # other mismatch protobuf tolerates, so the floor must sit in the same major.
    assert gen <= floor and gen[0] == floor[0], (made_for.group(1), protobuf_floor())


def _file(module: Any) -> descriptor_pb2.FileDescriptorProto:
    return descriptor_pb2.FileDescriptorProto.FromString(module.DESCRIPTOR.serialized_pb)


def _short(type_name: str) -> str:
    return type_name.removeprefix(f".{PACKAGE}.").removeprefix(".")


def _messages(msgs: Any, prefix: str = "") -> dict[str, dict[int, tuple[Any, ...]]]:
    """Every message (nested ones as Outer.Inner) -> field number -> what the wire and the
    generated API depend on."""
    out: dict[str, dict[int, tuple[Any, ...]]] = {}
    for m in msgs:
        name = prefix + m.name
        oneofs = [o.name for o in m.oneof_decl]
        out[name] = {
            f.number: (
                f.name,
                f.label,
                f.type,
                _short(f.type_name),
                f.proto3_optional,
                oneofs[f.oneof_index] if f.HasField("oneof_index") else None,
                f.options.deprecated,
            )
            for f in m.field
        }
        out[f"{name} (map entry)"] = {0: (m.options.map_entry,)}
        out.update(_messages(m.nested_type, f"{name}."))
    return out


def _enums(files: list[descriptor_pb2.FileDescriptorProto]) -> dict[str, dict[str, int]]:
    return {e.name: {v.name: v.number for v in e.value} for f in files for e in f.enum_type}


SDK_SIDE = Path(__file__).with_name("sdk119_side.py")


@pytest.fixture(scope="module")
def sdk119() -> dict[str, Any]:
    """What the dapr 1.19 wheel's stubs say, read in a process that imports wfctl's too."""
    p = subprocess.run([sys.executable, str(SDK_SIDE)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    got = json.loads(p.stdout)
    got["files"] = [
        descriptor_pb2.FileDescriptorProto.FromString(base64.b64decode(b)) for b in got["files"]
    ]
    got["work_item"] = base64.b64decode(got["work_item"])
    return dict(got)


def test_every_message_and_enum_is_dapr_119s_field_for_field(sdk119: dict[str, Any]) -> None:
    sdk, mine = sdk119["files"], _file(pb)
    assert mine.package == PACKAGE and all(f.package == "" for f in sdk)
    theirs = {k: v for f in sdk for k, v in _messages(f.message_type).items()}
    ours = _messages(mine.message_type)
    assert set(ours) == set(theirs)
    for name, fields in theirs.items():
        assert ours[name] == fields, name
    assert _enums([mine]) == _enums(sdk)


def test_the_rpcs_are_dapr_119s_and_rpc_py_serves_them_all(sdk119: dict[str, Any]) -> None:
    def methods(f: descriptor_pb2.FileDescriptorProto) -> list[tuple[str, str, str, bool]]:
        (service,) = f.service
        assert service.name == rpc.SERVICE
        return [
            (m.name, _short(m.input_type), _short(m.output_type), m.server_streaming)
            for m in service.method
        ]

    ours = methods(_file(pb))
    assert ours == methods(sdk119["files"][-1])
    table = [
        (m.name, m.request.DESCRIPTOR.full_name, m.response.DESCRIPTOR.full_name, m.stream)
        for m in rpc.METHODS
    ]
    assert [(n, _short(f".{i}"), _short(f".{o}"), s) for n, i, o, s in table] == ours
    assert rpc.METHODS[0].path == "/TaskHubSidecarService/Hello"  # daprd's path: no package


def test_a_work_item_from_the_sdk_survives_a_round_trip_through_wfctl(
    sdk119: dict[str, Any],
) -> None:
    """Every field a 1.19 sidecar or worker sends is known here (nothing is dropped or
    reshaped on the way through), and a field from a newer peer is kept as it came."""
    wire = sdk119["work_item"]
    item = pb.WorkItem.FromString(wire)
    assert item.SerializeToString(deterministic=True) == wire
    past = item.workflowRequest.pastEvents
    assert past[0].executionStarted.parentTraceContext.traceState.value == "k=v"
    assert past[0].router.targetAppID == "billing" and past[1].taskCompleted.signerCertificate
    assert past[2].timerCreated.WhichOneof("origin") == "externalEvent"
    assert item.workflowRequest.cachedHistory.eventCount == 3
    newer = wire + b"\x98\x06\x01"  # field 99, varint 1: something a later release may add
    assert pb.WorkItem.FromString(newer).SerializeToString() == newer
    assert sdk119["ping"] == "healthPing"  # wfctl's HealthPing is the SDK's (field 6)


def test_importing_the_package_loads_neither_grpc_nor_protobuf() -> None:
    code = (
        "import sys, wfctl.protocol\n"
        "print(sorted(m for m in ('grpc', 'google.protobuf') if m in sys.modules))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.stdout.strip() == "[]", p.stderr
