"""serve's defences against a web browser: which ``Host`` names it answers, and which requests
may change state.

The threat: serve binds 127.0.0.1 and needs no token by default, so the attacker is a page the
developer opens in a browser. Such a page cannot read serve's answers (no CORS header is ever
sent), but it can *send* "simple" requests: a form or a ``fetch`` POST with ``text/plain`` or a
form type, which reach serve without a preflight. And a page whose own DNS name is re-pointed at
127.0.0.1 (DNS rebinding) becomes same-origin with serve, reads and writes included: its
requests still carry the attacker's name in ``Host``.

So, before any route or the token is looked at:

- the ``Host`` header must name this server: ``localhost``, ``127.0.0.1``, ``[::1]``, the bound
  address (any IP literal when bound to ``0.0.0.0`` or ``::``: a literal address cannot be
  re-pointed), or an ``--allowed-host`` (``NAME`` matches any port, ``NAME:PORT`` that port
  only, ``*`` any Host at all);
- a state-changing request (any method but GET, HEAD and OPTIONS) that a browser marks as coming
  from elsewhere is refused: an ``Origin`` other than this server's own (its scheme's host and
  port equal to the ``Host`` header's, or to an ``--allowed-host`` entry), ``Origin: null``
  (sandboxed frames, ``file:`` pages), or ``Sec-Fetch-Site: cross-site`` / ``same-site`` (a
  sibling port of the same host is same-*site* but another origin), unless its Origin is an
  ``--allowed-host`` entry (the operator vouched for that page).

A request with neither ``Origin`` nor ``Sec-Fetch-Site`` (curl, the Dapr SDKs, wfctl) passes,
whatever its content type, as it would against daprd. Both refusals are 403 with daprd's error
body, naming what was refused and how to allow it. Plain data in, an :class:`HttpError` out:
no I/O, no framework, so this module moves with whatever dispatches the requests.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from wfctl.server.request import HttpError

#: Methods that never change state; every other method is checked against the Origin.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Host names always answered (with any port).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
WILDCARD_BINDS = ("0.0.0.0", "::", "")
ANY_HOST = "*"
_DEFAULT_PORTS = {"http": 80, "https": 443}

Headers = Iterable[tuple[bytes, bytes]]
Authority = tuple[str, int | None]


def parse_authority(text: str) -> Authority | None:
    """``host[:port]`` (IPv6 in brackets) as (lowercase host without brackets or final dot,
    port or None); None when it is not one."""
    text = text.strip()
    if not text or any(c.isspace() or c in "/?#@\\" for c in text):
        return None
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        host, rest = text[1:end], text[end + 1 :]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return None
    else:
        host, sep, port_text = text.partition(":")
        rest = sep + port_text
        if ":" in port_text:
            return None
    port: int | None = None
    if rest:
        if not rest.startswith(":") or not rest[1:].isdigit() or len(rest) > 6:
            return None
        port = int(rest[1:])
        if not 0 < port <= 65535:
            return None
    host = host.lower().rstrip(".")
    return (host, port) if host else None


def check_allowed_host(entry: str) -> str:
    """An ``--allowed-host`` value, checked: ``*``, ``NAME`` or ``NAME:PORT`` (IPv6 in
    brackets). Raises ValueError with the reason."""
    if entry.strip() == ANY_HOST:
        return ANY_HOST
    if parse_authority(entry) is None:
        raise ValueError(
            f"--allowed-host {entry!r} is not a host name: give NAME or NAME:PORT "
            "(e.g. wf.example.com or [::1]:8080), or * for any"
        )
    return entry.strip()


def _show(raw: bytes, limit: int = 100) -> str:
    text = raw.decode("latin-1")
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return text if len(text) <= limit else text[:limit] + "..."


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class Guard:
    """The Host and Origin checks for one server; :meth:`check` is called on every request.

    ``bound_host`` is the address serve listens on; ``allowed_hosts`` are the
    ``--allowed-host`` values (see :func:`check_allowed_host`).
    """

    def __init__(self, *, bound_host: str = "127.0.0.1", allowed_hosts: Sequence[str] = ()):
        self.any_host = ANY_HOST in allowed_hosts
        bound = bound_host.strip("[]").lower()
        self.any_ip = bound in WILDCARD_BINDS
        self.names = set(LOOPBACK_HOSTS)
        if not self.any_ip:
            self.names.add(bound.rstrip("."))
        # The operator's names: (host, port or None = any port).
        self.extra: list[Authority] = []
        for entry in allowed_hosts:
            parsed = parse_authority(entry) if entry != ANY_HOST else None
            if parsed is not None:
                self.extra.append(parsed)

    def describe(self) -> str:
        """The names answered, for messages."""
        names = sorted(_bracketed(n) for n in self.names)
        if self.any_ip:
            names.append("any IP address")
        names += [_bracketed(h) + (f":{p}" if p else "") for h, p in self.extra]
        return ", ".join(names)

    def check(self, method: str, headers: Headers) -> None:
        """Raise a 403 :class:`HttpError` for a foreign Host, or for a state-changing request
        a browser sent from another origin."""
        hosts, origins, fetch_sites = [], [], []
        for key, value in headers:
            key = key.lower()
            if key == b"host":
                hosts.append(value)
            elif key == b"origin":
                origins.append(value)
            elif key == b"sec-fetch-site":
                fetch_sites.append(value)
        host = self._check_host(hosts)
        if method.upper() in SAFE_METHODS:
            return
        if len(origins) > 1:
            raise _cross_origin("the request carries several Origin headers")
        if origins and self._check_origin(origins[0], host):
            return  # an origin the operator vouched for: a page served elsewhere, by design
        for site in fetch_sites:
            if site.strip().lower() in (b"cross-site", b"same-site"):
                raise _cross_origin(
                    f"the browser marks it as sent from another site "
                    f"(Sec-Fetch-Site: {_show(site)})"
                )

    def _check_host(self, values: list[bytes]) -> Authority | None:
        if not values:
            return None  # HTTP/1.0 without Host: no browser sends that
        if len(values) > 1:
            raise _host_refused("the request carries several Host headers")
        parsed = parse_authority(values[0].decode("latin-1"))
        if parsed is None:
            raise _host_refused(f"Host {_show(values[0])!r} is not a host name")
        if self.any_host or self._answers(parsed):
            return parsed
        raise _host_refused(
            f"Host {_show(values[0])!r} is not a name of this server (it answers "
            f"{self.describe()}); a web page may be reaching it by DNS rebinding. To serve "
            f"this name (behind a proxy), start wfctl serve with --allowed-host "
            f"{_bracketed(parsed[0])}"
        )

    def _answers(self, authority: Authority) -> bool:
        host, port = authority
        if host in self.names or any(
            name == host and want in (None, port) for name, want in self.extra
        ):
            return True
        if self.any_ip:
            try:
                ipaddress.ip_address(host)
            except ValueError:
                return False
            return True
        return False

    def _check_origin(self, raw: bytes, host: Authority | None) -> bool:
        """Refuse an origin that is not this server's; True when an ``--allowed-host`` entry
        (not the request's own Host) vouched for it."""
        text = raw.decode("latin-1").strip()
        if text.lower() == "null":
            raise _cross_origin(
                "Origin: null (a sandboxed frame or a file: page) may not change workflows"
            )
        parts = urlsplit(text) if text.isascii() else None
        scheme = parts.scheme.lower() if parts else ""
        authority = parse_authority(parts.netloc) if parts and scheme in _DEFAULT_PORTS else None
        if parts is None or authority is None or parts.path or parts.query:
            raise _cross_origin(f"Origin {_show(raw)!r} is not an origin")
        default = _DEFAULT_PORTS[scheme]
        name, port = authority[0], authority[1] or default
        if host is not None and name == host[0] and port == (host[1] or default):
            return False  # same origin as the Host this request was sent to
        if self.any_host or any(n == name and (p or default) == port for n, p in self.extra):
            return True  # a name the operator vouched for (NAME alone: the default port)
        mine = "no Host given"
        if host is not None:
            mine = f"http://{_bracketed(host[0])}" + (f":{host[1]}" if host[1] else "")
        raise _cross_origin(
            f"Origin {_show(raw)!r} is not this server's ({mine}): "
            "a page of another site (or another port) may not change workflows"
        )


def _host_refused(reason: str) -> HttpError:
    return HttpError(403, "ERR_HOST_NOT_ALLOWED", f"request refused: {reason}")


def _cross_origin(reason: str) -> HttpError:
    return HttpError(
        403,
        "ERR_CROSS_ORIGIN",
        f"cross-origin request refused: {reason}. Send it from the web view itself, or "
        "without an Origin header (curl, the Dapr SDKs, wfctl); a proxy's name goes in "
        "--allowed-host",
    )
