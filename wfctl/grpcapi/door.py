"""The gRPC server's door: one interceptor in front of every RPC, in this order.

1. The API token (when serve has one): exactly one ``dapr-api-token`` metadata entry, equal
   to it (constant-time), else UNAUTHENTICATED — before the request is even decoded, so a
   caller without the token learns nothing about the request's shape. Two entries are
   refused (gRPC would read one, a proxy another).
2. Decoding: a request that is not the RPC's protobuf message is INVALID_ARGUMENT with a
   plain message (not the decoder's exception text).
3. The handler; a UsageError it raises (e.g. one of :mod:`wfctl.limits`) becomes
   INVALID_ARGUMENT (RESOURCE_EXHAUSTED for :class:`wfctl.limits.TooLarge`) with its
   message; any other exception INTERNAL "internal error", the traceback logged on serve's
   side only. No Python exception text reaches a client as UNKNOWN.
"""

from __future__ import annotations

import hmac
import inspect
import logging
from typing import Any

from wfctl.limits import TooLarge
from wfctl.model import UsageError

log = logging.getLogger("wfctl.grpc")
TOKEN_KEY = "dapr-api-token"


def token_refusal(metadata: Any, want: bytes | None) -> str | None:
    """Why the call's metadata does not carry the token ``want`` (None: it does, or serve
    has no token)."""
    if want is None:
        return None
    got = [v for k, v in metadata or () if k == TOKEN_KEY]
    if len(got) > 1:
        return f"authentication error: {TOKEN_KEY} is given {len(got)} times: send it once"
    value = got[0] if got else ""
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(raw, want):
        return "authentication error: api token"
    return None


def door(grpc: Any, token: str | None) -> Any:
    """The interceptor (grpc.aio); see the module docstring."""
    want = None if token is None else token.encode("utf-8")
    abort_error = grpc.aio.AbortError

    async def decode(deserialize: Any, raw: bytes, context: Any, refusal: str | None) -> Any:
        if refusal is not None:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, refusal)
        if deserialize is None:
            return raw
        try:
            return deserialize(raw)
        except Exception:  # protobuf's DecodeError, or anything a decoder raises
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"the request is not a valid message for this method ({len(raw)} bytes)",
            )

    async def fail(exc: Exception, context: Any, method: str) -> None:
        if context.cancelled():  # the caller went (a stream's last write fails): no answer
            return
        if isinstance(exc, TooLarge):
            await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, str(exc))
        if isinstance(exc, UsageError):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        log.error("wfctl serve: %s failed", method, exc_info=exc)
        await context.abort(
            grpc.StatusCode.INTERNAL, f"internal error ({type(exc).__name__}); see serve's log"
        )

    def unary(handler: Any, method: str, refusal: str | None) -> Any:
        inner, deserialize = handler.unary_unary, handler.request_deserializer

        async def call(raw: bytes, context: Any) -> Any:
            request = await decode(deserialize, raw, context, refusal)
            try:
                return await inner(request, context)
            except abort_error:
                raise
            except Exception as exc:
                await fail(exc, context, method)

        return grpc.unary_unary_rpc_method_handler(
            call, request_deserializer=None, response_serializer=handler.response_serializer
        )

    def stream(handler: Any, method: str, refusal: str | None) -> Any:
        inner, deserialize = handler.unary_stream, handler.request_deserializer

        async def call(raw: bytes, context: Any) -> None:
            request = await decode(deserialize, raw, context, refusal)
            try:
                out = inner(request, context)
                if inspect.isasyncgen(out):
                    async for item in out:
                        await context.write(item)
                else:  # the handler writes itself (context.write)
                    await out
            except abort_error:
                raise
            except Exception as exc:
                await fail(exc, context, method)

        return grpc.unary_stream_rpc_method_handler(
            call, request_deserializer=None, response_serializer=handler.response_serializer
        )

    class Door(grpc.aio.ServerInterceptor):
        async def intercept_service(self, continuation: Any, details: Any) -> Any:
            handler = await continuation(details)
            if handler is None:
                return None  # an unknown method: gRPC answers UNIMPLEMENTED
            refusal = token_refusal(details.invocation_metadata, want)
            if handler.unary_unary is not None:
                return unary(handler, details.method, refusal)
            if handler.unary_stream is not None:
                return stream(handler, details.method, refusal)
            return handler  # pragma: no cover - the service has no other kind

    return Door()
