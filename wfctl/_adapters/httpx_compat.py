"""What wfctl takes from httpx and httpcore beyond their public APIs (bounded in pyproject).

httpx offers no public way to give a client's connection pools another network backend (the
layer that owns the sockets), which the whole-request deadline of
:mod:`wfctl.backend._deadline` needs. :func:`wrap_network_backends` reaches it through three
private attributes: ``httpx.Client._transport`` and ``._mounts`` (the direct transport and
the proxy ones from the environment), ``httpx.HTTPTransport._pool`` (an
``httpcore.ConnectionPool``), and that pool's ``_network_backend``, which it hands to every
connection it opens. ``tests/test_adapters.py`` checks each assumption on the installed
versions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpcore
import httpx

__all__ = ["wrap_network_backends"]


def _pools(client: httpx.Client) -> list[Any]:
    transports = [client._transport, *client._mounts.values()]
    return [t._pool for t in transports if isinstance(t, httpx.HTTPTransport)]


def wrap_network_backends(
    client: httpx.Client,
    wrap: Callable[[httpcore.NetworkBackend], httpcore.NetworkBackend],
) -> int:
    """Replace the network backend of each of ``client``'s connection pools by
    ``wrap(backend)``; return how many pools there were. A transport that is not an
    ``httpx.HTTPTransport`` (a test's ``MockTransport``) has no sockets and is left alone."""
    pools = _pools(client)
    for pool in pools:
        pool._network_backend = wrap(pool._network_backend)
    return len(pools)
