"""Resolved settings: where to send requests, how to authenticate, how to print.

Precedence, highest first (each value remembers where it came from, for `wfctl config show`):

1. a command-line flag — and a flag naming a remote backend (``--url``; see
   :data:`REMOTE_FLAGS`) also turns off an ``embedded`` that came from anywhere but a flag;
2. the explicitly chosen profile (``--profile`` or ``WFCTL_PROFILE``) — so a profile beats the
   ``DAPR_HTTP_PORT`` that ``dapr run`` puts in the environment;
3. the environment (``DAPR_HTTP_ENDPOINT``, ``DAPR_RUNTIME_HOST``/``DAPR_HTTP_PORT``,
   ``DAPR_GRPC_ENDPOINT``, ``DAPR_RUNTIME_HOST``/``DAPR_GRPC_PORT``, ``WFCTL_TRANSPORT``,
   ``DAPR_API_TOKEN``, ``WFCTL_EMBEDDED``, ``WFCTL_DB``, ``WFCTL_APP``, ``NO_COLOR``);
4. the config file's default profile;
5. built-in defaults.

The config file is YAML, read only from ``--config PATH``, ``WFCTL_CONFIG`` or
``$XDG_CONFIG_HOME/wfctl/config.yaml`` — never from the working directory::

    default-profile: local
    profiles:
      local:
        url: http://127.0.0.1:3500
      grpc:
        transport: grpc
        grpc-endpoint: 127.0.0.1:50001
      prod:
        url: https://dapr.example.com:3500
        api-token-file: ~/.config/wfctl/prod-token
        ca-cert: /etc/ssl/dapr-ca.pem

Nothing here imports Typer, rich or httpx; PyYAML is imported only when a config file exists.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wfctl import paths
from wfctl.durations import check_duration, format_duration, parse_duration
from wfctl.model import UsageError
from wfctl.options import API_VERSIONS, OUTPUTS, TRANSPORTS, settings_options
from wfctl.textsafe import MAX_JSON_DEPTH, redact_url

#: Each setting's built-in default, in the order `wfctl config show` lists them: from the one
#: option spec (wfctl.options.GLOBAL_OPTIONS), as the keys, types and env variables below.
DEFAULTS: dict[str, Any] = {o.name: o.default for o in settings_options()}

#: Settings whose flag names a remote backend: given on the command line, it beats an
#: ``embedded`` from the environment, a profile or the config file (the flag is more specific).
REMOTE_FLAGS = ("url", "transport", "grpc_endpoint")

#: Keys a profile may set (spelled with ``-`` or ``_``).
PROFILE_KEYS = frozenset(o.name for o in settings_options() if o.profile)

_BOOL_KEYS = {o.name for o in settings_options() if o.type == "flag"}
_DURATION_KEYS = {o.name for o in settings_options() if o.type == "duration"}
_PATH_KEYS = {o.name for o in settings_options() if o.type == "path"}
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


@dataclass
class Settings:
    """Every setting's value and, in ``sources``, a short phrase saying where it came from."""

    transport: str = DEFAULTS["transport"]
    url: str = DEFAULTS["url"]
    grpc_endpoint: str = DEFAULTS["grpc_endpoint"]
    api_version: str = DEFAULTS["api_version"]
    component: str = DEFAULTS["component"]
    api_token: str | None = None
    api_token_file: str | None = None
    ca_cert: str | None = None
    insecure: bool = False
    request_timeout: float = DEFAULTS["request_timeout"]
    output: str = "table"
    quiet: bool = False
    no_color: bool = False
    verbose: bool = False
    embedded: bool = False
    db: str | None = None
    app: str | None = None
    drive: float = DEFAULTS["drive"]
    detach: bool = False
    profile: str | None = None
    config_path: str | None = None
    sources: dict[str, str] = field(default_factory=dict)
    #: Settings that disagree, one sentence each (shown by `wfctl config show`).
    conflicts: list[str] = field(default_factory=list)

    @property
    def db_path(self) -> Path:
        """The SQLite file for --embedded: the setting, else ``wfctl.paths.default_db_path()``."""
        return Path(self.db).expanduser() if self.db else paths.default_db_path()

    @property
    def grpc(self) -> bool:
        """True when commands go over gRPC (and not to the embedded engine)."""
        return self.transport == "grpc" and not self.embedded

    @property
    def server_key(self) -> str:
        """The server as the private record of recent instances names it (wfctl.recent)."""
        if not self.grpc:
            return self.url
        ep = self.grpc_endpoint
        return ep if "://" in ep else "grpc://" + ep

    @property
    def verify(self) -> bool | str:
        """What to check a TLS server against: False (--insecure), a CA file, or True."""
        if self.insecure:
            return False
        return self.ca_cert or True

    def token(self) -> str | None:
        """The API token: the token setting, else the contents of the token file (both checked
        by :func:`check_token`)."""
        if self.api_token:
            return self.api_token
        if self.api_token_file:
            return read_token_file(self.api_token_file)
        return None

    def shown(self) -> list[tuple[str, str, str]]:
        """(key, value, source) rows for `wfctl config show`; the token is masked."""
        rows = []
        for key in DEFAULTS:
            value = getattr(self, key)
            if key == "api_token":
                text = "****" if value else ""
            elif key == "url":
                text = redact_url(value)
            elif key == "db" and not value:
                text = str(self.db_path)
            elif value is None:
                text = ""
            elif key in _DURATION_KEYS:
                text = format_duration(value)
            else:
                text = str(value).lower() if isinstance(value, bool) else str(value)
            rows.append((key.replace("_", "-"), text, self.sources.get(key, "default")))
        rows.append(("profile", self.profile or "", self.sources.get("profile", "")))
        rows.append(("config", self.config_path or "", self.sources.get("config", "")))
        return rows


def _coerce(key: str, value: Any, where: str) -> Any:
    """Turn a raw value (flag, env text or YAML value) into the setting's type."""
    if value is None:
        return None
    if key in _BOOL_KEYS:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise UsageError(f"{where}: {key.replace('_', '-')} must be true or false, not {value!r}")
    if key in _DURATION_KEYS:
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
    if key in _PATH_KEYS:
        return str(Path(str(value)).expanduser())
    return str(value)


def _grpc_endpoint(value: str, where: str) -> str:
    """``host:port``, ``grpc://host:port`` or ``grpcs://host[:port]`` (TLS), as the Dapr SDKs
    read DAPR_GRPC_ENDPOINT; kept as written but for the scheme's case and a trailing ``/``."""
    text = value.strip().rstrip("/")
    scheme, sep, rest = text.partition("://")
    if sep and scheme.lower() not in ("grpc", "grpcs", "http", "https"):
        raise UsageError(f"{where}: gRPC endpoint {value!r} must be HOST:PORT or grpcs://HOST:PORT")
    rest = rest if sep else text
    host, colon, port = rest.rpartition(":")
    if not colon:
        host, port = rest, ""
    bad_port = port and (not port.isdigit() or not 0 < int(port) < 65536)
    if not host or "/" in rest or (not port and not scheme.lower().endswith("s")) or bad_port:
        raise UsageError(
            f"{where}: gRPC endpoint {value!r} must be HOST:PORT (e.g. 127.0.0.1:50001) "
            "or grpcs://HOST[:PORT]"
        )
    return f"{scheme.lower()}://{rest}" if sep else rest


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
    if not _valid_host(host, bracketed=parts.netloc.rpartition("@")[2].startswith("[")):
        raise UsageError(
            f"{where}: URL {shown!r} has an invalid host {host!r}: use a name such as "
            "dapr.example.com, an address such as 127.0.0.1, or [::1]"
        )
    return text


def _valid_host(host: str, *, bracketed: bool) -> bool:
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


def _env_values(env: Mapping[str, str]) -> dict[str, tuple[Any, str]]:
    out: dict[str, tuple[Any, str]] = {}
    if env.get("DAPR_HTTP_ENDPOINT"):
        out["url"] = (env["DAPR_HTTP_ENDPOINT"], "env DAPR_HTTP_ENDPOINT")
    elif env.get("DAPR_RUNTIME_HOST") or env.get("DAPR_HTTP_PORT"):
        host = env.get("DAPR_RUNTIME_HOST") or "127.0.0.1"
        port = env.get("DAPR_HTTP_PORT") or "3500"
        names = [n for n in ("DAPR_RUNTIME_HOST", "DAPR_HTTP_PORT") if env.get(n)]
        out["url"] = (f"http://{host}:{port}", "env " + "+".join(names))
    if env.get("DAPR_GRPC_ENDPOINT"):
        out["grpc_endpoint"] = (env["DAPR_GRPC_ENDPOINT"], "env DAPR_GRPC_ENDPOINT")
    elif env.get("DAPR_RUNTIME_HOST") or env.get("DAPR_GRPC_PORT"):
        host = env.get("DAPR_RUNTIME_HOST") or "127.0.0.1"
        port = env.get("DAPR_GRPC_PORT") or "50001"
        names = [n for n in ("DAPR_RUNTIME_HOST", "DAPR_GRPC_PORT") if env.get(n)]
        out["grpc_endpoint"] = (f"{host}:{port}", "env " + "+".join(names))
    for key, var in (
        ("transport", "WFCTL_TRANSPORT"),
        ("api_token", "DAPR_API_TOKEN"),
        ("embedded", "WFCTL_EMBEDDED"),
        ("db", "WFCTL_DB"),
        ("app", "WFCTL_APP"),
    ):
        if env.get(var):
            out[key] = (env[var], f"env {var}")
    if "NO_COLOR" in env and env["NO_COLOR"] != "":
        out["no_color"] = (True, "env NO_COLOR")
    return out


def config_file(flag: str | None, env: Mapping[str, str]) -> tuple[Path | None, str]:
    """The config file to read and why: --config, WFCTL_CONFIG, else the user's config dir."""
    if flag:
        return Path(flag).expanduser(), "flag --config"
    if env.get("WFCTL_CONFIG"):
        return Path(env["WFCTL_CONFIG"]).expanduser(), "env WFCTL_CONFIG"
    path = paths.config_dir() / "config.yaml"
    return (path, "user config dir") if path.is_file() else (None, "")


def load_config(path: Path) -> dict[str, Any]:
    """Parse the YAML config file; UsageError (one line) when it is missing or malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read config file {str(path)!r}: {exc.strerror or exc}") from None
    import yaml  # only when there is a file to read

    try:
        data = yaml.load(text, Loader=_bounded_loader())  # noqa: S506 - a SafeLoader
    except _TooDeep:
        raise UsageError(
            f"config file {str(path)!r} nests more than {MAX_JSON_DEPTH} levels deep"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise UsageError(f"config file {str(path)!r} is not valid YAML{where}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"config file {str(path)!r} must be a mapping with 'profiles'")
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict) or not all(
        isinstance(p, dict) or p is None for p in profiles.values()
    ):
        raise UsageError(f"config file {str(path)!r}: 'profiles' must map names to mappings")
    return data


class _TooDeep(Exception):
    pass


def _bounded_loader() -> Any:
    """PyYAML's SafeLoader, refusing nesting deeper than MAX_JSON_DEPTH before its recursive
    composer meets it (a RecursionError otherwise, at a few hundred levels)."""
    import yaml

    class Loader(yaml.SafeLoader):
        _depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self._depth += 1
            if self._depth > MAX_JSON_DEPTH:
                raise _TooDeep
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    return Loader


def _profile_values(
    data: dict[str, Any], name: str, path: Path, source: str
) -> dict[str, tuple[Any, str]]:
    profiles = data.get("profiles") or {}
    if name not in profiles:
        known = ", ".join(sorted(map(str, profiles))) or "none"
        raise UsageError(f"no profile {name!r} in {str(path)!r} (profiles: {known})")
    out = {}
    for raw_key, value in (profiles[name] or {}).items():
        key = str(raw_key).replace("-", "_")
        if key not in PROFILE_KEYS:
            raise UsageError(f"profile {name!r} in {str(path)!r}: unknown key {raw_key!r}")
        out[key] = (value, f"{source} {name}")
    return out


def resolve(flags: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Settings:
    """Combine flags (only the ones given, keyed like DEFAULTS plus ``profile``/``config``),
    the environment, the config file and defaults into one Settings.

    Raises UsageError for a bad value, a missing profile or an unreadable config file.
    """
    env = os.environ if env is None else env
    layers: list[dict[str, tuple[Any, str]]] = []
    flag_layer = {
        k: (v, "flag --" + k.replace("_", "-"))
        for k, v in flags.items()
        if v is not None and k in DEFAULTS
    }
    layers.append(flag_layer)

    profile_name = flags.get("profile") or env.get("WFCTL_PROFILE") or None
    profile_source = (
        "flag --profile" if flags.get("profile") else "env WFCTL_PROFILE" if profile_name else ""
    )
    path, path_source = config_file(flags.get("config"), env)
    data: dict[str, Any] = {}
    if path is not None:
        data = load_config(path)
    elif profile_name:
        raise UsageError(
            f"profile {profile_name!r} was asked for but there is no config file "
            f"(looked for {str(paths.config_dir() / 'config.yaml')!r}; see --config)"
        )
    explicit: dict[str, tuple[Any, str]] = {}
    default_layer: dict[str, tuple[Any, str]] = {}
    if profile_name and path is not None:
        explicit = _profile_values(data, profile_name, path, "profile")
    elif path is not None:
        default_name = data.get("default-profile") or data.get("default_profile")
        if not default_name and "default" in (data.get("profiles") or {}):
            default_name = "default"
        if default_name:
            profile_name = str(default_name)
            profile_source = "config default-profile"
            default_layer = _profile_values(data, profile_name, path, "default profile")
    layers += [explicit, _env_values(env), default_layer]

    s = Settings()
    for key, default in DEFAULTS.items():
        for layer in layers:
            if key in layer:
                raw, source = layer[key]
                setattr(s, key, _coerce(key, raw, source))
                s.sources[key] = source
                break
        else:
            setattr(s, key, default)
            s.sources[key] = "default"
    # A token from one layer must not be shadowed by a token file from a lower one.
    tok_src = s.sources.get("api_token", "default")
    file_src = s.sources.get("api_token_file", "default")
    if s.api_token and s.api_token_file:
        if _rank(file_src, layers) < _rank(tok_src, layers):
            s.api_token = None
            s.sources["api_token"] = "default"
        else:
            s.api_token_file = None
            s.sources["api_token_file"] = "default"
    # An explicit --grpc-endpoint means gRPC, unless --transport says otherwise.
    if "grpc_endpoint" in flag_layer and "transport" not in flag_layer:
        s.transport = "grpc"
        s.sources["transport"] = "implied by flag --grpc-endpoint"
    _remote_beats_embedded(s, flag_layer)
    s.profile = profile_name
    s.sources["profile"] = profile_source
    s.config_path = str(path) if path is not None else None
    s.sources["config"] = path_source
    return s


def _remote_beats_embedded(s: Settings, flag_layer: dict[str, tuple[Any, str]]) -> None:
    """An explicit remote flag turns off a non-flag ``embedded``; note what else disagrees."""
    remote = [k for k in REMOTE_FLAGS if k in flag_layer]
    if s.embedded and remote and "embedded" not in flag_layer:
        was = s.sources["embedded"]
        flag = "--" + remote[0].replace("_", "-")
        s.embedded = False
        s.sources["embedded"] = f"flag {flag} (beats {was})"
        s.conflicts.append(f"{was} asks for the embedded engine; flag {flag} wins")
    elif s.embedded:
        for key in REMOTE_FLAGS:
            if s.sources.get(key, "default") != "default":
                s.conflicts.append(
                    f"{key.replace('_', '-')} from {s.sources[key]} is ignored: "
                    f"embedded is on ({s.sources['embedded']}); --no-embedded turns it off"
                )


def _rank(source: str, layers: list[dict[str, tuple[Any, str]]]) -> int:
    for i, layer in enumerate(layers):
        if any(src == source for _, src in layer.values()):
            return i
    return len(layers)
