"""gRPC endpoints as the Dapr SDKs read them (``DAPR_GRPC_ENDPOINT``, ``--grpc-endpoint``).

:func:`parse_grpc_endpoint` accepts the grammar the Dapr Python and Go SDKs share, so that the
value an app's environment carries means the same to wfctl as to the app, plus wfctl's own
``grpc://``/``grpcs://``:

==================================================  ==========================================
``HOST:PORT``, ``HOST``, ``:PORT``                   TCP; no port: 443; no host: localhost;
                                                     IPv6 in brackets, ``[::1]:50001``
``…?tls=true`` / ``…?tls=false``                     TLS or not (the only query parameter)
``http://HOST[:PORT]``, ``https://HOST[:PORT]``      no TLS / TLS (no ``?tls=`` with these)
``grpc://HOST[:PORT]``, ``grpcs://HOST[:PORT]``      wfctl's spelling of the same
``dns:HOST[:PORT]``, ``dns://SERVER/HOST[:PORT]``    gRPC's DNS resolver (SERVER: a DNS server)
``unix:PATH``, ``unix:///ABSOLUTE/PATH``             a Unix domain socket
``unix-abstract:NAME``                               a Linux abstract socket
``vsock:CID:PORT``                                   a virtual machine socket
==================================================  ==========================================

A ``user:password@`` is refused (gRPC has no such thing: the token goes as metadata), as are
paths after a host, other query parameters and other schemes. Errors name the problem, never
the value: the caller shows it through :func:`wfctl.textsafe.redact_url`.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PORT = 443  # the SDKs' port for an endpoint that names none
_SOCKETS = ("unix", "unix-abstract", "vsock")
_SCHEMES = ("dns", *_SOCKETS, "http", "https", "grpc", "grpcs")
_TLS_SCHEMES = ("https", "grpcs")


class EndpointError(ValueError):
    """What is wrong with an endpoint, as the end of a sentence ("has no port")."""


@dataclass(frozen=True)
class GrpcEndpoint:
    """A parsed endpoint: ``target`` is what gRPC's channel takes, ``tls`` whether to use TLS;
    ``host``/``port`` are set for TCP endpoints (None for sockets)."""

    target: str
    tls: bool
    host: str | None = None
    port: int | None = None

    @property
    def location(self) -> str:
        """How messages name the server: ``host:port`` (``grpcs://host:port`` with TLS), or
        the target (``unix:/run/dapr.sock``, with `` (TLS)`` when it is)."""
        if self.host is None or self.target.startswith("dns:"):
            return self.target + (" (TLS)" if self.tls else "")
        return ("grpcs://" if self.tls else "") + self.target


def parse_grpc_endpoint(value: str) -> GrpcEndpoint:
    """``value`` read as the Dapr SDKs read an endpoint (see the module docstring);
    EndpointError when they would refuse it, or wfctl cannot use it."""
    text = value.strip()
    if not text:
        raise EndpointError("is empty")
    if any(c.isspace() or not c.isprintable() for c in text):
        raise EndpointError("has a space or a control character")
    if "#" in text:
        raise EndpointError("has a fragment (#...)")
    base, _, query = text.partition("?")
    tls_asked = _tls_query(query)
    scheme, slashes, rest = _split_scheme(base)
    if scheme in _SOCKETS:
        return GrpcEndpoint(_socket_target(scheme, slashes, rest), bool(tls_asked))
    if tls_asked is not None and scheme in ("http", "https", "grpc", "grpcs"):
        raise EndpointError(f"has ?tls= and {scheme}://, which says it already: give one")
    prefix = ""
    if scheme == "dns" and slashes:
        server, slash, rest = rest.partition("/")
        if not slash or not server:
            raise EndpointError("has dns:// without a DNS server: write dns://SERVER/HOST:PORT")
        prefix = f"dns://{server}/"
    elif scheme == "dns":
        prefix = "dns:"
    elif scheme:
        rest = rest.rstrip("/")
    host, port = _host_port(rest)
    tls = scheme in _TLS_SCHEMES or bool(tls_asked)
    shown = f"[{host}]" if ":" in host else host
    return GrpcEndpoint(f"{prefix}{shown}:{port}", tls, host, port)


def _tls_query(query: str) -> bool | None:
    if not query:
        return None
    tls = None
    for item in query.split("&"):
        key, _, val = item.partition("=")
        if key != "tls":
            raise EndpointError(f"has the query parameter {key!r}: only ?tls=true|false is read")
        if val not in ("true", "false"):
            raise EndpointError("has ?tls= other than true or false")
        tls = val == "true"
    return tls


def _split_scheme(base: str) -> tuple[str, bool, str]:
    """(scheme lower-cased or "", whether written ``scheme://``, the rest)."""
    scheme, sep, rest = base.partition("://")
    if sep:
        if scheme.lower() not in _SCHEMES:
            raise EndpointError(f"has the unknown scheme {scheme!r}: {_KNOWN}")
        return scheme.lower(), True, rest
    head, colon, rest = base.partition(":")
    if colon and head.lower() in ("dns", *_SOCKETS):
        return head.lower(), False, rest
    if colon and rest.count(":") == 1 and not base.startswith("[") and "@" not in base:
        # "x:host:port", as the SDKs read it: a scheme they do not know
        raise EndpointError(f"has the unknown scheme {head!r}: {_KNOWN}")
    return "", False, base


_KNOWN = "use HOST:PORT, dns:, unix:, unix-abstract:, vsock:, http(s):// or grpc(s)://"


def _socket_target(scheme: str, slashes: bool, rest: str) -> str:
    if scheme == "unix":
        if slashes and not rest.startswith("/"):
            raise EndpointError("has unix:// with a relative path: write unix:///ABSOLUTE/PATH")
        if not rest.strip("/"):
            raise EndpointError("has no socket path after unix:")
        return f"unix://{rest}" if slashes else f"unix:{rest}"
    if slashes:
        form = "vsock:CID:PORT" if scheme == "vsock" else "unix-abstract:NAME"
        raise EndpointError(f"has {scheme}://: write {form}")
    if scheme == "vsock":
        cid, _, port = rest.partition(":")
        if not (cid.isdigit() and port.isdigit() and 0 < int(port) < 65536):
            raise EndpointError("must be vsock:CID:PORT, both numbers")
    elif not rest:
        raise EndpointError("has no name after unix-abstract:")
    return f"{scheme}:{rest}"


def _host_port(text: str) -> tuple[str, int]:
    """(host, port) of ``HOST[:PORT]``; IPv6 in brackets; defaults localhost and 443."""
    if "@" in text:
        raise EndpointError(
            "has a user:password@, which gRPC cannot send: give the API token with "
            "--api-token, --api-token-file or DAPR_API_TOKEN"
        )
    if "/" in text:
        raise EndpointError("has a path: give only HOST:PORT")
    if text.startswith("["):
        host, bracket, after = text[1:].partition("]")
        if not bracket or (after and not after.startswith(":")):
            raise EndpointError("has an unclosed or misplaced [IPv6] bracket")
        port_text = after[1:] if after else ""
        if not valid_host(host, bracketed=True):
            raise EndpointError(f"has an invalid IPv6 address {host!r}")
    else:
        host, colon, port_text = text.rpartition(":")
        if not colon:
            host, port_text = text, ""
        elif ":" in host:
            raise EndpointError("has an IPv6 address without brackets: write [::1]:50001")
        host = host or "localhost"
        if not valid_host(host, bracketed=False):
            raise EndpointError(f"has an invalid host {host!r}: e.g. 127.0.0.1:50001")
    if port_text and (not port_text.isdigit() or not 0 < int(port_text) < 65536):
        raise EndpointError(f"has the invalid port {port_text!r}: a number from 1 to 65535")
    return host, int(port_text) if port_text else DEFAULT_PORT


def valid_host(host: str, *, bracketed: bool) -> bool:
    """A host name (letters, digits, ``-``, ``_`` in dot-separated labels), an IPv4 address,
    or — ``bracketed`` — an IPv6 address (with an optional ``%zone``)."""
    if bracketed:
        import ipaddress

        try:
            ipaddress.IPv6Address(host.partition("%")[0])
        except ValueError:
            return False
        return True
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    return all(
        label and len(label) <= 63 and all(c.isalnum() or c in "-_" for c in label)
        for label in labels
    )
