"""wfctl's own protocol stubs (wfctl/protocol/): the committed code is what scripts/gen-protos
makes, it runs on the lowest protobuf the grpc extra allows, its wire contract is Dapr
1.19's field for field, and it lives beside the SDK's own stubs in one process."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2

from wfctl.protocol import pb, rpc

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "wfctl.durabletask.v1"
# The dapr wheel's generated modules (test extra: dapr==1.19.0), read here only to compare.
SDK = "dapr.ext.workflow._durabletask.internal"
SDK_FILES = (
    "orchestration_pb2",
    "attestation_pb2",
    "history_events_pb2",
    "orchestrator_actions_pb2",
    "orchestrator_service_pb2",
)


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


def _sdk_files() -> list[descriptor_pb2.FileDescriptorProto]:
    import importlib

    return [_file(importlib.import_module(f"{SDK}.{name}")) for name in SDK_FILES]


def test_every_message_and_enum_is_dapr_119s_field_for_field() -> None:
    sdk, mine = _sdk_files(), _file(pb)
    assert mine.package == PACKAGE and all(f.package == "" for f in sdk)
    theirs = {k: v for f in sdk for k, v in _messages(f.message_type).items()}
    ours = _messages(mine.message_type)
    assert set(ours) == set(theirs)
    for name, fields in theirs.items():
        assert ours[name] == fields, name
    assert _enums([mine]) == _enums(sdk)


def test_the_rpcs_are_dapr_119s_and_rpc_py_serves_them_all() -> None:
    def methods(f: descriptor_pb2.FileDescriptorProto) -> list[tuple[str, str, str, bool]]:
        (service,) = f.service
        assert service.name == rpc.SERVICE
        return [
            (m.name, _short(m.input_type), _short(m.output_type), m.server_streaming)
            for m in service.method
        ]

    ours = methods(_file(pb))
    assert ours == methods(_sdk_files()[-1])
    table = [
        (m.name, m.request.DESCRIPTOR.full_name, m.response.DESCRIPTOR.full_name, m.stream)
        for m in rpc.METHODS
    ]
    assert [(n, _short(f".{i}"), _short(f".{o}"), s) for n, i, o, s in table] == ours
    assert rpc.METHODS[0].path == "/TaskHubSidecarService/Hello"  # daprd's path: no package


def test_a_work_item_from_the_sdk_survives_a_round_trip_through_wfctl() -> None:
    """Every field a 1.19 sidecar or worker sends is known here (nothing is dropped or
    reshaped on the way through), and a field from a newer peer is kept as it came."""
    import importlib
    from types import SimpleNamespace

    from google.protobuf.wrappers_pb2 import StringValue

    sdk = SimpleNamespace()
    for name in SDK_FILES:
        vars(sdk).update(vars(importlib.import_module(f"{SDK}.{name}")))
    started = sdk.HistoryEvent(
        eventId=-1,
        executionStarted=sdk.ExecutionStartedEvent(
            name="w",
            input=StringValue(value="1"),
            workflowInstance=sdk.WorkflowInstance(instanceId="i-1"),
            parentTraceContext=sdk.TraceContext(
                traceParent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                traceState=StringValue(value="k=v"),
            ),
            workflowSpanID=StringValue(value="b7ad6b7169203331"),
            tags={"team": "a"},
        ),
        router=sdk.TaskRouter(sourceAppID="orders", targetAppID="billing"),
    )
    done = sdk.HistoryEvent(
        eventId=-1,
        taskCompleted=sdk.TaskCompletedEvent(
            taskScheduledId=1,
            result=StringValue(value="2"),
            attestation=sdk.ActivityCompletionAttestation(payload=b"p", signature=b"s"),
            signerCertificate=b"c",
        ),
    )
    timer = sdk.HistoryEvent(
        eventId=2,
        timerCreated=sdk.TimerCreatedEvent(
            name="approval", externalEvent=sdk.TimerOriginExternalEvent(name="approval")
        ),
    )
    turn = sdk.WorkflowRequest(
        instanceId="i-1",
        pastEvents=[started, done, timer],
        newEvents=[sdk.HistoryEvent(workflowStarted=sdk.WorkflowStartedEvent())],
        router=sdk.TaskRouter(sourceAppID="orders"),
        cachedHistory=sdk.CachedHistory(eventCount=3),
        propagatedHistory=sdk.PropagatedHistory(
            scope=sdk.HISTORY_PROPAGATION_SCOPE_LINEAGE,
            chunks=[sdk.PropagatedHistoryChunk(rawEvents=[b"e"], appId="orders")],
        ),
    )
    wire = sdk.WorkItem(workflowRequest=turn, completionToken="t-1").SerializeToString(
        deterministic=True
    )
    item = pb.WorkItem.FromString(wire)
    assert item.SerializeToString(deterministic=True) == wire
    past = item.workflowRequest.pastEvents
    assert past[0].executionStarted.parentTraceContext.traceState.value == "k=v"
    assert past[0].router.targetAppID == "billing" and past[1].taskCompleted.signerCertificate
    assert past[2].timerCreated.WhichOneof("origin") == "externalEvent"
    assert item.workflowRequest.cachedHistory.eventCount == 3
    newer = wire + b"\x98\x06\x01"  # field 99, varint 1: something a later release may add
    assert pb.WorkItem.FromString(newer).SerializeToString() == newer
    ping = pb.WorkItem(healthPing=pb.HealthPing()).SerializeToString()
    assert sdk.WorkItem.FromString(ping).WhichOneof("request") == "healthPing"


def test_importing_the_package_loads_neither_grpc_nor_protobuf() -> None:
    code = (
        "import sys, wfctl.protocol\n"
        "print(sorted(m for m in ('grpc', 'google.protobuf') if m in sys.modules))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.stdout.strip() == "[]", p.stderr
