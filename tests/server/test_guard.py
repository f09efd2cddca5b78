"""wfctl.server.guard's rules, one by one (the real-process and browser tests are
test_web_threats.py and tests/webui/test_cross_site.py)."""

from __future__ import annotations

import pytest

from wfctl.server.guard import Guard, check_allowed_host, parse_authority
from wfctl.server.request import HttpError


def _check(guard: Guard, method: str = "POST", **headers: str) -> str | None:
    """None when allowed, else the refusal's errorCode."""
    pairs = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    try:
        guard.check(method, pairs)
    except HttpError as err:
        assert err.status == 403
        return err.error_code
    return None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("localhost", ("localhost", None)),
        ("LocalHost.:3500", ("localhost", 3500)),
        ("[::1]:80", ("::1", 80)),
        ("[::1]", ("::1", None)),
        ("127.0.0.1:65535", ("127.0.0.1", 65535)),
        ("a:0", None),
        ("a:65536", None),
        ("a:b", None),
        ("::1", None),
        ("[nope]:1", None),
        ("a b", None),
        ("a/b", None),
        ("user@a", None),
        ("", None),
        (":80", None),
    ],
)
def test_parse_authority(text: str, want: object) -> None:
    assert parse_authority(text) == want


def test_check_allowed_host() -> None:
    assert check_allowed_host(" wf.example.com ") == "wf.example.com"
    assert check_allowed_host("*") == "*"
    for bad in ("http://x", "x/y", "a:b", ""):
        with pytest.raises(ValueError, match="is not a host name"):
            check_allowed_host(bad)


def test_host_names_by_default() -> None:
    g = Guard()
    for host in ("localhost", "localhost:1", "127.0.0.1:3500", "[::1]:3500"):
        assert _check(g, "GET", host=host) is None, host
    for host in ("evil.example", "127.0.0.2", "[::2]", "0.0.0.0", "localhost.evil.example"):
        assert _check(g, "GET", host=host) == "ERR_HOST_NOT_ALLOWED", host
    assert _check(g, "GET", host="a b") == "ERR_HOST_NOT_ALLOWED"
    assert _check(g, "GET") is None  # HTTP/1.0 without Host: no browser sends that
    try:
        g.check("GET", [(b"host", b"localhost"), (b"host", b"evil.example")])
    except HttpError as err:
        assert "several Host headers" in err.message
    else:
        raise AssertionError("two Host headers were accepted")


def test_bound_address_and_wildcards() -> None:
    assert _check(Guard(bound_host="192.168.1.5"), "GET", host="192.168.1.5:3500") is None
    assert _check(Guard(bound_host="myhost"), "GET", host="MyHost:3500") is None
    wild = Guard(bound_host="0.0.0.0")
    for host in ("192.168.1.5:3500", "[fe80::1]:3500", "localhost"):
        assert _check(wild, "GET", host=host) is None, host
    assert _check(wild, "GET", host="rebound.example:3500") == "ERR_HOST_NOT_ALLOWED"
    assert _check(Guard(bound_host="::"), "GET", host="10.0.0.1") is None
    anything = Guard(allowed_hosts=["*"])
    assert _check(anything, "GET", host="whatever.example") is None
    assert _check(anything, host="x.example", origin="http://y.example") is None


def test_allowed_host_ports() -> None:
    g = Guard(allowed_hosts=["any.example", "fixed.example:8443"])
    assert _check(g, "GET", host="any.example:1234") is None
    assert _check(g, "GET", host="fixed.example:8443") is None
    assert _check(g, "GET", host="fixed.example:8444") == "ERR_HOST_NOT_ALLOWED"
    # As origins: NAME alone is its scheme's default port; NAME:PORT that port.
    local = {"host": "127.0.0.1:3500"}
    assert _check(g, origin="https://any.example", **local) is None
    assert _check(g, origin="http://any.example:80", **local) is None
    assert _check(g, origin="http://any.example:8080", **local) == "ERR_CROSS_ORIGIN"
    assert _check(g, origin="https://fixed.example:8443", **local) is None
    assert _check(g, origin="https://fixed.example", **local) == "ERR_CROSS_ORIGIN"
    # A page the operator vouched for is served elsewhere: the browser says cross-site.
    site = {"sec_fetch_site": "cross-site", **local}
    assert _check(g, origin="https://fixed.example:8443", **site) is None
    assert _check(g, origin="http://127.0.0.1:3500", **site) == "ERR_CROSS_ORIGIN"
    assert _check(g, **site) == "ERR_CROSS_ORIGIN"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "PURGE"])
def test_origin_rules_for_state_changing_methods(method: str) -> None:
    g = Guard()
    host = "127.0.0.1:3500"
    ok = [
        {},
        {"origin": "http://127.0.0.1:3500"},
        {"origin": "https://127.0.0.1:3500"},
        {"origin": "http://127.0.0.1:3500", "sec_fetch_site": "same-origin"},
        {"sec_fetch_site": "none"},
    ]
    refused = [
        {"origin": "http://evil.example"},
        {"origin": "null"},
        {"origin": "http://127.0.0.1:3501"},
        {"origin": "http://localhost:3500"},  # another origin, even if the same machine
        {"origin": "http://127.0.0.1:3500/path"},
        {"origin": "ftp://127.0.0.1:3500"},
        {"origin": "http://127.0.0.1:3500", "sec_fetch_site": "cross-site"},
        {"sec_fetch_site": "cross-site"},
        {"sec_fetch_site": "same-site"},
    ]
    for headers in ok:
        assert _check(g, method, host=host, **headers) is None, headers
    for headers in refused:
        assert _check(g, method, host=host, **headers) == "ERR_CROSS_ORIGIN", headers
    for headers in refused:
        assert _check(g, "GET", host=host, **headers) is None, headers  # reads stay open
    # The default ports: no port in Host is 80 for an http Origin.
    assert _check(g, method, host="localhost", origin="http://localhost") is None
    assert _check(g, method, host="localhost:80", origin="http://localhost") is None
    assert _check(g, method, host="localhost", origin="http://localhost:81") == "ERR_CROSS_ORIGIN"
    two = [(b"host", b"localhost"), (b"origin", b"http://localhost"), (b"origin", b"null")]
    with pytest.raises(HttpError, match="several Origin headers"):
        g.check(method, two)


def test_a_cross_origin_write_without_host_is_refused_not_crashed() -> None:
    """HTTP/1.0 may leave Host out: a foreign Origin is then refused with a 403 naming it."""
    g = Guard()
    with pytest.raises(HttpError, match="no Host given") as caught:
        g.check("POST", [(b"origin", b"http://evil.example")])
    assert caught.value.status == 403
