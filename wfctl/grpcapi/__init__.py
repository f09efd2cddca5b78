"""wfctl's side of the Durable Task gRPC protocol (daprd's ``TaskHubSidecarService``).

Nothing here is imported unless gRPC is chosen: ``import wfctl`` and every HTTP or embedded
command stay free of grpc and protobuf. The messages and RPC paths come from
:mod:`wfctl.protocol` (wfctl's own stubs), which this package and the client backend share.
"""
