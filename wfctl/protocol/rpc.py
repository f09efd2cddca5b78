"""The RPCs of ``TaskHubSidecarService`` on the wire, for a client and for a server.

daprd's protos have no package, so every RPC's path is ``/TaskHubSidecarService/<Method>``.
wfctl's messages live in a package of their own (see ``durabletask.proto``), so nothing here
comes from generated service code: :data:`METHODS` names each RPC with its request and
response types, :class:`TaskHubClient` builds multi-callables on a channel with those paths,
and :func:`handler` serves an object's methods of the same names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wfctl.model import UsageError
from wfctl.protocol import INSTALL_HINT, pb

try:
    import grpc
except ImportError:
    raise UsageError(INSTALL_HINT) from None

if TYPE_CHECKING:
    from google.protobuf.message import Message

SERVICE = "TaskHubSidecarService"


@dataclass(frozen=True)
class Method:
    """One RPC: its name, request and response message types, and whether the server
    answers with a stream (GetWorkItems only)."""

    name: str
    request: type[Message]
    response: type[Message]
    stream: bool = False

    @property
    def path(self) -> str:
        return f"/{SERVICE}/{self.name}"


#: The 17 RPCs of Dapr 1.19, in the order of ``durabletask.proto``.
METHODS: tuple[Method, ...] = (
    Method("Hello", pb.Empty, pb.Empty),
    Method("StartInstance", pb.CreateInstanceRequest, pb.CreateInstanceResponse),
    Method("GetInstance", pb.GetInstanceRequest, pb.GetInstanceResponse),
    Method("WaitForInstanceStart", pb.GetInstanceRequest, pb.GetInstanceResponse),
    Method("WaitForInstanceCompletion", pb.GetInstanceRequest, pb.GetInstanceResponse),
    Method("RaiseEvent", pb.RaiseEventRequest, pb.RaiseEventResponse),
    Method("TerminateInstance", pb.TerminateRequest, pb.TerminateResponse),
    Method("SuspendInstance", pb.SuspendRequest, pb.SuspendResponse),
    Method("ResumeInstance", pb.ResumeRequest, pb.ResumeResponse),
    Method("PurgeInstances", pb.PurgeInstancesRequest, pb.PurgeInstancesResponse),
    Method("GetWorkItems", pb.GetWorkItemsRequest, pb.WorkItem, stream=True),
    Method("CompleteActivityTask", pb.ActivityResponse, pb.CompleteTaskResponse),
    Method("CompleteOrchestratorTask", pb.WorkflowResponse, pb.CompleteTaskResponse),
    Method("CompleteWorkflowTask", pb.WorkflowResponse, pb.CompleteTaskResponse),
    Method(
        "RerunWorkflowFromEvent",
        pb.RerunWorkflowFromEventRequest,
        pb.RerunWorkflowFromEventResponse,
    ),
    Method("ListInstanceIDs", pb.ListInstanceIDsRequest, pb.ListInstanceIDsResponse),
    Method("GetInstanceHistory", pb.GetInstanceHistoryRequest, pb.GetInstanceHistoryResponse),
)


class TaskHubClient:
    """The 17 RPCs as multi-callables on ``channel`` (a ``grpc.Channel`` or a
    ``grpc.aio.Channel``): ``client.GetInstance(request, timeout=…, metadata=…)``,
    ``.future(…)``/``.with_call(…)`` as grpc offers them; ``GetWorkItems`` returns the
    stream of work items."""

    Hello: Any
    StartInstance: Any
    GetInstance: Any
    WaitForInstanceStart: Any
    WaitForInstanceCompletion: Any
    RaiseEvent: Any
    TerminateInstance: Any
    SuspendInstance: Any
    ResumeInstance: Any
    PurgeInstances: Any
    GetWorkItems: Any
    CompleteActivityTask: Any
    CompleteOrchestratorTask: Any
    CompleteWorkflowTask: Any
    RerunWorkflowFromEvent: Any
    ListInstanceIDs: Any
    GetInstanceHistory: Any

    def __init__(self, channel: Any) -> None:
        for m in METHODS:
            make = channel.unary_stream if m.stream else channel.unary_unary
            call = make(
                m.path,
                request_serializer=m.request.SerializeToString,
                response_deserializer=m.response.FromString,
            )
            setattr(self, m.name, call)


def handler(servicer: object) -> grpc.GenericRpcHandler:
    """A handler that serves ``servicer``'s methods named as the RPCs (sync functions for a
    ``grpc.server``, coroutines and async generators for ``grpc.aio``), for
    ``server.add_generic_rpc_handlers((handler(servicer),))``. An RPC the servicer has no
    method for answers UNIMPLEMENTED, as daprd does for one it does not know."""
    handlers = {}
    for m in METHODS:
        behaviour = getattr(servicer, m.name, None)
        if behaviour is None:
            continue
        make = (
            grpc.unary_stream_rpc_method_handler
            if m.stream
            else grpc.unary_unary_rpc_method_handler
        )
        handlers[m.name] = make(
            behaviour,
            request_deserializer=m.request.FromString,
            response_serializer=m.response.SerializeToString,
        )
    return grpc.method_handlers_generic_handler(SERVICE, handlers)
