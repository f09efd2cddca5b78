"""Checking and typing a setting's raw value (a flag, an environment variable, a YAML value).

:func:`coerce` turns a raw value into the setting's type (its type is the option spec's:
:data:`wfctl.options.GLOBAL_OPTIONS`) or raises a UsageError that names where the value came
from. The checks of the values with rules of their own — a URL, a gRPC endpoint, an API token
(from a flag or a file) — are public here, for ``wfctl config set-profile`` and the servers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wfctl.durations import check_duration, parse_duration
from wfctl.endpoints import valid_host
from wfctl.model import UsageError
from wfctl.options import API_VERSIONS, GLOBALS, OUTPUTS, TRANSPORTS
from wfctl.textsafe import redact_url

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

#: A token file larger than this is not a token file (``/dev/zero``, a log file).
MAX_TOKEN_FILE_BYTES = 64 * 1024
_CONTROL_NAMES = {
    "\r": "a carriage return (CR)",
    "\n": "a line feed (LF)",
    "\0": "a NUL byte",
    "\t": "a tab",
}


def check_token(token: str, source: str) -> str:
    """``token`` if an HTTP header can carry it as it is; else a UsageError that says what is
    wrong and where the token came from (``source``, e.g. "env DAPR_API_TOKEN") — never the
    token itself. Refused: control characters (CR, LF, NUL, tab, ...), a byte-order mark,
    any other non-ASCII character, and leading or trailing spaces, which a server would strip.
    """
    if not token:
        raise UsageError(f"the API token from {source} is empty")
    for pos, c in enumerate(token, start=1):
        o = ord(c)
        if c == "\ufeff":
            what = "a byte-order mark (U+FEFF): save the file without one"
        elif o < 0x20 or o == 0x7F:
            name = _CONTROL_NAMES.get(c, f"a control character (U+{o:04X})")
            what = f"{name}: an HTTP header cannot carry it"
            if c in "\r\n":
                what += " (a file with Windows line endings, or several lines, leaves one)"
        elif o > 0x7E:
            what = "a non-ASCII character: an HTTP header carries ASCII only"
        elif c == " " and (pos == 1 or pos == len(token)):
            what = "a space at one end, which an HTTP server strips"
        else:
            continue
        raise UsageError(f"the API token from {source} has {what} (at position {pos})")
    return token


def read_token_file(path: str | Path) -> str:
    """The API token in the file at ``path``: UTF-8 text, surrounding whitespace (a trailing
    newline) removed, checked by :func:`check_token`. UsageError when it cannot be used."""
    path = Path(path).expanduser()
    where = f"the API token file {str(path)!r}"
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_TOKEN_FILE_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {where}: {exc.strerror or exc}") from None
    if len(data) > MAX_TOKEN_FILE_BYTES:
        raise UsageError(f"{where} is over {MAX_TOKEN_FILE_BYTES // 1024} KiB: not a token file")
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise UsageError(f"{where} is not UTF-8 text") from None
    if not text:
        raise UsageError(f"{where} is empty")
    return check_token(text, f"file {str(path)!r}")


def coerce(key: str, value: Any, where: str) -> Any:
    """Turn a raw value (flag, env text or YAML value) into the setting's type."""
    if value is None:
        return None
    kind = GLOBALS[key].type
    if kind == "flag":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise UsageError(f"{where}: {key.replace('_', '-')} must be true or false, not {value!r}")
    if kind == "duration":
        try:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                seconds = check_duration(float(value), value)
            else:
                seconds = parse_duration(str(value))
        except (UsageError, OverflowError) as exc:
            raise UsageError(f"{where}: {exc}") from None
        if key == "request_timeout" and seconds <= 0:
            raise UsageError(f"{where}: request-timeout must be more than 0, e.g. 10s")
        return seconds
    if key == "api_version":
        text = str(value).strip()
        if not text.startswith("v"):
            text = "v" + text
        if text not in API_VERSIONS:
            raise UsageError(
                f"{where}: api-version {value!r} is not one of {', '.join(API_VERSIONS)}"
            )
        return text
    if key == "output":
        text = str(value).strip().lower()
        if text not in OUTPUTS:
            raise UsageError(f"{where}: output {value!r} is not one of {', '.join(OUTPUTS)}")
        return text
    if key == "url":
        return check_url(str(value), where)
    if key == "api_token":
        return check_token(str(value), where)
    if key == "transport":
        text = str(value).strip().lower()
        if text not in TRANSPORTS:
            raise UsageError(f"{where}: transport {value!r} is not one of {', '.join(TRANSPORTS)}")
        return text
    if key == "grpc_endpoint":
        return _grpc_endpoint(str(value), where)
    if key == "component":
        text = str(value).strip()
        if not text or "/" in text:
            raise UsageError(f"{where}: component {value!r} must be a non-empty name without '/'")
        return text
    if key == "db":
        text = str(value).strip()
        if not text or text == ":memory:":
            raise UsageError(
                f"{where}: db {str(value)!r} is not a file: wfctl keeps workflows in a file "
                "that every wfctl process shares (give a path such as ./wfctl.db)"
            )
    if kind == "path":
        return str(Path(str(value)).expanduser())
    return str(value)


def _grpc_endpoint(value: str, where: str) -> str:
    """``value`` (surrounding spaces removed) if it is an endpoint the Dapr SDKs accept
    (:mod:`wfctl.endpoints`); else a UsageError naming the problem, the value redacted."""
    from wfctl.endpoints import EndpointError, parse_grpc_endpoint

    text = value.strip()
    try:
        parse_grpc_endpoint(text)
    except EndpointError as exc:
        raise UsageError(f"{where}: gRPC endpoint {redact_url(text)!r} {exc}") from None
    return text


def check_url(value: str, where: str) -> str:
    """``value`` (surrounding spaces and trailing ``/`` removed) if it is a usable base URL:
    ``http(s)://[user:password@]host[:port][/path]``, the host a name, an IPv4 address or a
    bracketed IPv6 one. Else a UsageError that names the problem (the password hidden)."""
    text = value.strip().rstrip("/")
    shown = redact_url(text)
    if not text.startswith(("http://", "https://")):
        raise UsageError(f"{where}: URL {shown!r} must start with http:// or https://")
    for pos, c in enumerate(text, start=1):
        if c.isspace() or not c.isprintable():
            what = "a space" if c == " " else f"U+{ord(c):04X}"
            raise UsageError(
                f"{where}: URL {shown!r} has {what} at position {pos}: remove it (a URL has no "
                "spaces or control characters)"
            )
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError for a port that is not a number 0-65535
    except ValueError as exc:
        raise UsageError(f"{where}: URL {shown!r} is not valid ({exc})") from None
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise UsageError(f"{where}: URL {shown!r} has a query or fragment: give only the base URL")
    if port == 0:
        raise UsageError(f"{where}: URL {shown!r} has port 0: give the server's port")
    host = parts.hostname or ""
    if not host:
        raise UsageError(f"{where}: URL {shown!r} has no host, e.g. http://127.0.0.1:3500")
    if not valid_host(host, bracketed=parts.netloc.rpartition("@")[2].startswith("[")):
        raise UsageError(
            f"{where}: URL {shown!r} has an invalid host {host!r}: use a name such as "
            "dapr.example.com, an address such as 127.0.0.1, or [::1]"
        )
    return text
