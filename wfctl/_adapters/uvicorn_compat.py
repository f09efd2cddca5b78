"""serve's connection deadlines: uvicorn's h11 protocol, plus a header timeout.

The one module that leans on uvicorn's internals (bounded in pyproject; checked by
``tests/test_adapters.py``): it subclasses ``uvicorn.protocols.http.h11_impl.H11Protocol``,
which uvicorn accepts as ``Config(http=...)``, and reads two of its attributes, ``conn`` (the
connection's ``h11.Connection``) and ``transport``. uvicorn has no public header timeout.

uvicorn closes a keep-alive connection that stays idle after a response
(``timeout_keep_alive``), but arms nothing while a request's headers are awaited: a client that
connects and sends nothing, or trickles a header a byte at a time (slowloris), would hold its
connection (and a file descriptor) forever. This protocol gives every request's headers
``header_timeout`` seconds from the moment the connection starts waiting for them (the
connection opened, or the previous response was sent and the next bytes arrived), then closes
the connection. A request whose headers arrived is bounded by the handlers (body size, the
backend's own deadlines), not by this timer.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: Default seconds a client has to send a request's headers (serve --header-timeout).
HEADER_TIMEOUT = 10.0
#: Seconds an idle keep-alive connection stays open after a response (uvicorn's setting).
KEEP_ALIVE_TIMEOUT = 5.0


def protocol_class(header_timeout: float) -> type[asyncio.Protocol]:
    """An ``asyncio.Protocol`` class for ``uvicorn.Config(http=...)`` that closes a connection
    whose request headers are not complete within ``header_timeout`` seconds."""

    class HeaderDeadlineProtocol(_HeaderDeadline):
        timeout = header_timeout

    return HeaderDeadlineProtocol


class _HeaderDeadline(H11Protocol):
    timeout = HEADER_TIMEOUT
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # h11 leaves the client's state IDLE until a request's headers are complete.
        if self.conn.their_state is h11.IDLE:
            self._arm()
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._header_timer is None and not self.transport.is_closing():
            self._header_timer = asyncio.get_running_loop().call_later(self.timeout, self._expired)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _expired(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()
