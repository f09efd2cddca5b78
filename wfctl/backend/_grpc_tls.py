"""Where a gRPC endpoint is (:func:`split_endpoint`) and the channel credentials for a
``grpcs://`` one: the system roots, a CA bundle, or none.

gRPC has no "skip verification" switch. ``--insecure`` is done the way a user would by hand:
fetch the certificate the server presents and trust exactly that one, under the name written
in it (``grpc.ssl_target_name_override``), so the handshake proceeds whoever signed it.
"""

from __future__ import annotations

import ssl
from typing import Any

from wfctl.model import UnreachableError, UsageError
from wfctl.protocol import load


def split_endpoint(endpoint: str) -> tuple[str, bool]:
    """``host:port`` / ``grpc://host:port`` / ``grpcs://host[:port]`` -> (gRPC target, tls)."""
    text = endpoint.strip()
    tls = False
    for scheme, secure in (("grpcs://", True), ("https://", True), ("grpc://", False)):
        if text.lower().startswith(scheme):
            text, tls = text[len(scheme) :], secure
            break
    else:
        if text.lower().startswith("http://"):
            text = text[len("http://") :]
    text = text.rstrip("/")
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or host.endswith(":"):  # no port (or a bare IPv6 address)
        text = f"{text}:{443 if tls else 50001}"
    return text, tls


def credentials(
    target: str, verify: bool | str, timeout: float
) -> tuple[Any, list[tuple[str, Any]]]:
    """(channel credentials, extra channel options) for ``target`` (``host:port``)."""
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
    host, _, port = target.rpartition(":")
    host = host.strip("[]")
    try:
        pem = ssl.get_server_certificate((host, int(port)), timeout=timeout)
    except (OSError, ValueError) as exc:
        raise UnreachableError(f"cannot fetch the TLS certificate of {target}: {exc}") from None
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
        for kind, value in cert.get("subjectAltName", ()):
            if kind == "DNS":
                return str(value)
        for rdn in cert.get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    return str(value)
    return None
