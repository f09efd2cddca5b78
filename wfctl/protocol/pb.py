"""The Durable Task messages and enums (generated from ``durabletask.proto``) and the
well-known protobuf types they use, as one namespace: ``from wfctl.protocol import pb``,
then ``pb.CreateInstanceRequest(...)``, ``pb.StringValue(value=...)``,
``pb.ORCHESTRATION_STATUS_COMPLETED``.
"""

from __future__ import annotations

from wfctl.model import UsageError
from wfctl.protocol import INSTALL_HINT

try:
    from google.protobuf import __version__ as _protobuf_version
    from google.protobuf import runtime_version as _runtime_version
    from google.protobuf.empty_pb2 import Empty as Empty
    from google.protobuf.timestamp_pb2 import Timestamp as Timestamp
    from google.protobuf.wrappers_pb2 import BoolValue as BoolValue
    from google.protobuf.wrappers_pb2 import Int32Value as Int32Value
    from google.protobuf.wrappers_pb2 import StringValue as StringValue
except ImportError:  # no protobuf (or one from before the generated code's version check)
    raise UsageError(INSTALL_HINT) from None

try:
    from wfctl.protocol.durabletask_pb2 import *  # noqa: F403
except _runtime_version.VersionError:
    raise UsageError(
        f"protobuf {_protobuf_version} is older than wfctl's gRPC stubs need: "
        "pip install 'wfctl[grpc]'"
    ) from None
