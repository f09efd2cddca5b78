"""A deadline for a whole HTTP request, not for each socket operation.

httpx's timeouts bound each connect, read and write: a server that sends one byte every half
second never trips a 2 s read timeout, and a "2 s" request takes minutes. :class:`Deadline`
wraps httpcore's network backend (the layer that owns the sockets) so that every socket
operation's timeout is cut to what is left before the deadline of the request in progress,
and an operation that starts after it fails at once with httpcore's own timeout error (which
httpx turns into ``httpx.ReadTimeout`` and friends, as for any other timeout).

:func:`install` puts it under every transport of an ``httpx.Client`` (the direct one and any
proxy one from the environment); the HTTP client then sets the deadline around each request
with :meth:`Deadline.until`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpcore

_CHUNK = 64 * 1024  # a large body is written in pieces, each with what is left of the time


class Deadline:
    """The deadline of the request in progress on this thread (none outside a request)."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def until(self, deadline: float | None) -> Iterator[None]:
        """Socket operations in this block end by ``deadline`` (``time.monotonic()``)."""
        previous = getattr(self._local, "deadline", None)
        self._local.deadline = deadline
        try:
            yield
        finally:
            self._local.deadline = previous

    def clamp(self, timeout: float | None, error: type[Exception]) -> float | None:
        """``timeout`` cut to the time left; ``error`` when none is left."""
        deadline = getattr(self._local, "deadline", None)
        if deadline is None:
            return timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise error("the request's deadline passed")
        return left if timeout is None else min(timeout, left)


class _Backend(httpcore.NetworkBackend):
    """A network backend whose streams never block past the current request's deadline."""

    def __init__(self, inner: Any, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host,
            port,
            timeout=self._deadline.clamp(timeout, httpcore.ConnectTimeout),
            local_address=local_address,
            socket_options=socket_options,
        )
        return _Stream(stream, self._deadline)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:  # pragma: no cover - wfctl never uses a Unix socket
        stream = self._inner.connect_unix_socket(
            path,
            timeout=self._deadline.clamp(timeout, httpcore.ConnectTimeout),
            socket_options=socket_options,
        )
        return _Stream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: Any, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data: bytes = self._inner.read(
            max_bytes, timeout=self._deadline.clamp(timeout, httpcore.ReadTimeout)
        )
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        for start in range(0, len(buffer), _CHUNK):
            self._inner.write(
                buffer[start : start + _CHUNK],
                timeout=self._deadline.clamp(timeout, httpcore.WriteTimeout),
            )

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        stream = self._inner.start_tls(
            ssl_context,
            server_hostname=server_hostname,
            timeout=self._deadline.clamp(timeout, httpcore.ConnectTimeout),
        )
        return _Stream(stream, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def install(client: Any) -> Deadline:
    """Put one :class:`Deadline` under every transport of ``client`` (an ``httpx.Client``):
    each ``httpx.HTTPTransport``'s connection pool hands its network backend to every
    connection it opens (reached through :mod:`wfctl._adapters.httpx_compat`, the one place
    that touches httpx's internals). A transport built otherwise (a test's ``MockTransport``)
    has no sockets to bound and is left as it is."""
    from wfctl._adapters.httpx_compat import wrap_network_backends

    deadline = Deadline()

    def wrap(inner: httpcore.NetworkBackend) -> httpcore.NetworkBackend:
        return inner if isinstance(inner, _Backend) else _Backend(inner, deadline)

    wrap_network_backends(client, wrap)
    return deadline
