"""Where a setting's raw value comes from, highest first — the precedence, in one place.

:func:`gather` returns the layers of raw values for one invocation:

1. the command-line flags (only the ones given);
2. the explicitly chosen profile (``--profile`` or ``WFCTL_PROFILE``) — so a profile beats the
   ``DAPR_HTTP_PORT`` that ``dapr run`` puts in the environment;
3. the environment (each setting's variables, as :data:`wfctl.options.GLOBAL_OPTIONS` names
   them, plus ``DAPR_RUNTIME_HOST`` with ``DAPR_HTTP_PORT``/``DAPR_GRPC_PORT``);
4. the config file's default profile;

and the built-in defaults are the spec's. Each raw value carries a short phrase saying where
it came from. :func:`wfctl.settings.resolve` checks and types the values (the CLI and the lean
path); shell completion (:mod:`wfctl._complete`) reads the same layers leniently, unchecked.

This module imports only ``os`` and the option spec (PyYAML when a config file is read, and
wfctl.model only to raise): a TAB reads it.
"""

from __future__ import annotations

import os

from wfctl.options import GLOBAL_OPTIONS, GLOBALS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    Layer = dict[str, tuple[Any, str]]


def _usage(message: str) -> Exception:
    from wfctl.model import UsageError

    return UsageError(message)


def _host_port(env: Mapping[str, str], port_var: str, default_port: str) -> tuple[str, str] | None:
    host, port = env.get("DAPR_RUNTIME_HOST"), env.get(port_var)
    if not (host or port):
        return None
    names = "+".join(n for n in ("DAPR_RUNTIME_HOST", port_var) if env.get(n))
    return f"{host or '127.0.0.1'}:{port or default_port}", "env " + names


def env_values(env: Mapping[str, str]) -> Layer:
    """The settings the environment gives, each as (raw value, source)."""
    out: Layer = {}
    for o in GLOBAL_OPTIONS:
        if not o.setting:
            continue
        for var in o.env:
            if var == "NO_COLOR":  # set and not empty means on (no-color.org), whatever it says
                if env.get(var, "") != "":
                    out[o.name] = (True, "env NO_COLOR")
            elif env.get(var):
                out[o.name] = (env[var], f"env {var}")
            else:
                continue
            break
    if "url" not in out:
        found = _host_port(env, "DAPR_HTTP_PORT", "3500")
        if found:
            out["url"] = ("http://" + found[0], found[1])
    if "grpc_endpoint" not in out:
        found = _host_port(env, "DAPR_GRPC_PORT", "50001")
        if found:
            out["grpc_endpoint"] = found
    return out


def config_dir() -> str:
    """``$XDG_CONFIG_HOME/wfctl`` (default ``~/.config/wfctl``): :func:`wfctl.paths.config_dir`
    without pathlib (the process's own environment, as the data directory)."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "wfctl")


def config_file(flag: str | None, env: Mapping[str, str]) -> tuple[str | None, str]:
    """The config file to read and why: --config, WFCTL_CONFIG, else the user's config dir
    (only if it is there) — never the working directory."""
    if flag:
        return os.path.expanduser(flag), "flag --config"
    if env.get("WFCTL_CONFIG"):
        return os.path.expanduser(env["WFCTL_CONFIG"]), "env WFCTL_CONFIG"
    path = os.path.join(config_dir(), "config.yaml")
    return (path, "user config dir") if os.path.isfile(path) else (None, "")


def load_config(path: str) -> dict[str, Any]:
    """Parse the YAML config file; UsageError (one line) when it is missing or malformed."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise _usage(f"cannot read config file {path!r}: {why}") from None
    import yaml  # only when there is a file to read

    try:
        data = yaml.load(text, Loader=_bounded_loader())  # noqa: S506 - a SafeLoader
    except _TooDeep as exc:
        raise _usage(f"config file {path!r} nests more than {exc.args[0]} levels deep") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise _usage(f"config file {path!r} is not valid YAML{where}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _usage(f"config file {path!r} must be a mapping with 'profiles'")
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict) or not all(
        isinstance(p, dict) or p is None for p in profiles.values()
    ):
        raise _usage(f"config file {path!r}: 'profiles' must map names to mappings")
    return data


class _TooDeep(Exception):
    pass


def _bounded_loader() -> Any:
    """PyYAML's SafeLoader, refusing nesting deeper than JSON may have before its recursive
    composer meets it (a RecursionError otherwise, at a few hundred levels)."""
    import yaml

    from wfctl.textsafe import MAX_JSON_DEPTH

    class Loader(yaml.SafeLoader):
        _depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self._depth += 1
            if self._depth > MAX_JSON_DEPTH:
                raise _TooDeep(MAX_JSON_DEPTH)
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    return Loader


def profile_values(data: dict[str, Any], name: str, path: str, source: str) -> Layer:
    """Profile ``name``'s settings as (raw value, source); UsageError for a missing profile
    or a key no profile may set."""
    profiles = data.get("profiles") or {}
    if name not in profiles:
        known = ", ".join(sorted(map(str, profiles))) or "none"
        raise _usage(f"no profile {name!r} in {path!r} (profiles: {known})")
    out = {}
    for raw_key, value in (profiles[name] or {}).items():
        key = str(raw_key).replace("-", "_")
        opt = GLOBALS.get(key)
        if opt is None or not (opt.setting and opt.profile):
            raise _usage(f"profile {name!r} in {path!r}: unknown key {raw_key!r}")
        out[key] = (value, f"{source} {name}")
    return out


def default_profile(data: dict[str, Any]) -> str | None:
    """The profile a config file uses when none is chosen: ``default-profile``, else one
    named ``default``."""
    name = data.get("default-profile") or data.get("default_profile")
    if not name and "default" in (data.get("profiles") or {}):
        name = "default"
    return str(name) if name else None


#: Settings whose flag names a remote backend: given on the command line, it beats an
#: ``embedded`` from the environment, a profile or the config file (the flag is more specific).
REMOTE_FLAGS = ("url", "transport", "grpc_endpoint")


def remote_flag(flags: Mapping[str, object]) -> str | None:
    """The first setting of :data:`REMOTE_FLAGS` given as a flag (it turns off an
    ``embedded`` that was not given as a flag), or None."""
    return next((k for k in REMOTE_FLAGS if k in flags), None)


class Sources:
    """The layers of one invocation, highest first, and where the profile and file came from."""

    __slots__ = ("layers", "flags", "profile", "profile_source", "config", "config_source")

    def __init__(self) -> None:
        self.layers: list[Layer] = []
        self.flags: Layer = {}
        self.profile: str | None = None
        self.profile_source = ""
        self.config: str | None = None
        self.config_source = ""

    def pick(self, key: str) -> tuple[Any, str] | None:
        """The highest layer's (raw value, source) for ``key``; None: the default applies."""
        for layer in self.layers:
            if key in layer:
                return layer[key]
        return None


def gather(
    flags: Mapping[str, Any],
    env: Mapping[str, str],
    *,
    strict: bool = True,
    read_config: bool = True,
) -> Sources:
    """The layers for ``flags`` (only the ones given, keyed like the settings, plus
    ``profile``/``config``) and ``env``: flags, what a flag implies (``--grpc-endpoint``:
    transport grpc, unless ``--transport`` is given), the chosen profile, the environment,
    the default profile.

    ``strict``: a missing or malformed config file, a missing profile or an unknown profile
    key raise UsageError. Otherwise (shell completion) they read as no profile at all.
    ``read_config=False``: no config file is looked for (the flags decide everything asked).
    """
    src = Sources()
    src.flags = {
        k: (v, "flag --" + k.replace("_", "-"))
        for k, v in flags.items()
        if v is not None and k in GLOBALS and GLOBALS[k].setting
    }
    implied: Layer = {}
    if "grpc_endpoint" in src.flags and "transport" not in src.flags:
        implied["transport"] = ("grpc", "implied by flag --grpc-endpoint")
    explicit: Layer = {}
    default: Layer = {}
    try:
        if read_config:
            explicit, default = _profiles(src, flags, env)
    except Exception:
        if strict:
            raise
    src.layers = [src.flags, implied, explicit, env_values(env), default]
    return src


def _profiles(
    src: Sources, flags: Mapping[str, Any], env: Mapping[str, str]
) -> tuple[Layer, Layer]:
    name = flags.get("profile") or env.get("WFCTL_PROFILE") or None
    src.profile = name
    src.profile_source = (
        "flag --profile" if flags.get("profile") else "env WFCTL_PROFILE" if name else ""
    )
    path, src.config_source = config_file(flags.get("config"), env)
    src.config = path
    if path is None:
        if name:
            where = os.path.join(config_dir(), "config.yaml")
            raise _usage(
                f"profile {name!r} was asked for but there is no config file "
                f"(looked for {where!r}; see --config)"
            )
        return {}, {}
    data = load_config(path)
    if name:
        return profile_values(data, name, path, "profile"), {}
    name = default_profile(data)
    if not name:
        return {}, {}
    src.profile, src.profile_source = name, "config default-profile"
    return {}, profile_values(data, name, path, "default profile")
