"""wfctl's side of the Durable Task gRPC protocol (daprd's ``TaskHubSidecarService``).

Nothing here is imported unless gRPC is chosen: ``import wfctl`` and every HTTP or embedded
command stay free of grpc and protobuf. :mod:`wfctl.grpcapi.stubs` loads the generated
messages and service stubs.
"""
