"""The channel credentials for a TLS gRPC endpoint (where it is: :mod:`wfctl.endpoints`): the
system roots, a CA bundle, or none.

gRPC has no "skip verification" switch. ``--insecure`` is done the way a user would by hand:
fetch the certificate the server presents and trust exactly that one, under the name written
in it (``grpc.ssl_target_name_override``), so the handshake proceeds whoever signed it.
"""

from __future__ import annotations

import ssl
from typing import Any

from wfctl.model import UnreachableError, UsageError
from wfctl.protocol import load


def credentials(
    host: str | None, port: int | None, verify: bool | str, timeout: float
) -> tuple[Any, list[tuple[str, Any]]]:
    """(channel credentials, extra channel options) for the server at ``host``:``port``
    (None for a socket endpoint, whose certificate ``--insecure`` cannot fetch)."""
    grpc = load().grpc
    if verify is True:
        return grpc.ssl_channel_credentials(), []
    if isinstance(verify, str):
        try:
            with open(verify, "rb") as f:
                roots = f.read()
        except OSError as exc:
            raise UsageError(
                f"cannot load CA certificate {verify!r}: {exc.strerror or exc}"
            ) from None
        return grpc.ssl_channel_credentials(root_certificates=roots), []
    if host is None or port is None:
        raise UsageError(
            "--insecure fetches the certificate from a HOST:PORT, and this endpoint is a "
            "socket: give the server's CA with --ca-cert instead"
        )
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        pem = ssl.get_server_certificate((host, port), timeout=timeout)
    except (OSError, ValueError) as exc:
        raise UnreachableError(f"cannot fetch the TLS certificate of {where}: {exc}") from None
    return grpc.ssl_channel_credentials(root_certificates=pem.encode()), [
        ("grpc.ssl_target_name_override", _name_in(pem) or host)
    ]


def _name_in(pem: str) -> str | None:
    """The first DNS name (else the common name) of a PEM certificate, read with ssl alone."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        ctx.load_verify_locations(cadata=pem)
    except ssl.SSLError:
        return None
    for cert in ctx.get_ca_certs():
        alt: Any = cert.get("subjectAltName", ())  # pairs (kind, value); typeshed says less
        for kind, value in alt:
            if kind == "DNS":
                return str(value)
        subject: Any = cert.get("subject", ())  # tuples of (key, value) pairs
        for rdn in subject:
            for key, value in rdn:
                if key == "commonName":
                    return str(value)
    return None
