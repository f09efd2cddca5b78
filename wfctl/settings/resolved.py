"""The resolved settings of one invocation: :class:`Settings` and :func:`resolve`.

:func:`resolve` takes the layers of raw values from :mod:`wfctl.settings.sources` (flags >
chosen profile > environment > the config file's default profile > defaults), checks and
types each value with :func:`wfctl.settings.values.coerce`, and applies the rules between
settings: a token beats a token file of a lower layer, ``--grpc-endpoint`` implies gRPC, and
a remote flag turns off an ``embedded`` that came from anywhere else.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wfctl import paths
from wfctl.durations import format_duration
from wfctl.options import GLOBALS, settings_options
from wfctl.settings.sources import REMOTE_FLAGS, gather
from wfctl.settings.values import coerce, read_token_file
from wfctl.textsafe import redact_url

if TYPE_CHECKING:
    from wfctl.settings.sources import Layer

#: Each setting's built-in default, in the order `wfctl config show` lists them (the spec's).
DEFAULTS: dict[str, Any] = {o.name: o.default for o in settings_options()}

#: Keys a profile may set (spelled with ``-`` or ``_``).
PROFILE_KEYS = frozenset(o.name for o in settings_options() if o.profile)


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
        by :func:`wfctl.settings.values.check_token`)."""
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
            elif key in ("url", "grpc_endpoint"):
                text = redact_url(value)
            elif key == "db" and not value:
                text = str(self.db_path)
            elif value is None:
                text = ""
            elif GLOBALS[key].type == "duration":
                text = format_duration(value)
            else:
                text = str(value).lower() if isinstance(value, bool) else str(value)
            rows.append((key.replace("_", "-"), text, self.sources.get(key, "default")))
        rows.append(("profile", self.profile or "", self.sources.get("profile", "")))
        rows.append(("config", self.config_path or "", self.sources.get("config", "")))
        return rows


def resolve(
    flags: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
    *,
    keys: Collection[str] | None = None,
) -> Settings:
    """Combine flags (only the ones given, keyed like DEFAULTS plus ``profile``/``config``),
    the environment, the config file and defaults into one Settings. With ``keys``, only those
    settings are read; the others keep their defaults, unread and unchecked — for a command
    that uses settings of its own alone (``serve``, ``worker``, ``exec``), which a client's
    setting (a ``DAPR_GRPC_PORT`` in an app's environment) must not stop.

    Raises UsageError for a bad value, a missing profile or an unreadable config file.
    """
    src = gather(flags, os.environ if env is None else env)
    s = Settings()
    for key, default in DEFAULTS.items():
        found = src.pick(key) if keys is None or key in keys else None
        if found is None:
            setattr(s, key, default)
            s.sources[key] = "default"
        else:
            setattr(s, key, coerce(key, found[0], found[1]))
            s.sources[key] = found[1]
    _token_beats_lower_file(s, src.layers)
    _remote_beats_embedded(s, src.flags)
    s.profile = src.profile
    s.sources["profile"] = src.profile_source
    s.config_path = src.config
    s.sources["config"] = src.config_source
    return s


def _token_beats_lower_file(s: Settings, layers: list[Layer]) -> None:
    """A token from one layer must not be shadowed by a token file from a lower one."""
    if not (s.api_token and s.api_token_file):
        return
    if _rank(s.sources["api_token_file"], layers) < _rank(s.sources["api_token"], layers):
        s.api_token = None
        s.sources["api_token"] = "default"
    else:
        s.api_token_file = None
        s.sources["api_token_file"] = "default"


def _remote_beats_embedded(s: Settings, flag_layer: Layer) -> None:
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


def _rank(source: str, layers: list[Layer]) -> int:
    for i, layer in enumerate(layers):
        if any(src == source for _, src in layer.values()):
            return i
    return len(layers)
