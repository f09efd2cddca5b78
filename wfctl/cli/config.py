"""``wfctl config``: show the resolved settings; write the config file (init, set-profile, use).

The file is the one :mod:`wfctl.settings` reads: ``--config``, ``WFCTL_CONFIG``, else
``$XDG_CONFIG_HOME/wfctl/config.yaml``. ``init`` writes a commented starting file;
``set-profile`` and ``use`` rewrite it from its parsed content (PyYAML keeps no comments, so
the rewritten file carries a fixed header instead of the user's own comments).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from wfctl.cli import declare
from wfctl.cli.common import emit, output_format, state_of
from wfctl.cli.errors import print_note
from wfctl.cli.parsing import PlainGroup
from wfctl.model import UsageError
from wfctl.options.commands import COMMAND_OPTIONS

config_app = typer.Typer(
    name="config",
    help="Inspect and write wfctl's settings.\n\nExample: wfctl --profile prod config show",
    cls=PlainGroup,
    no_args_is_help=True,
    add_completion=False,
)

HEADER = """\
# wfctl configuration (see docs/cli.md, "Settings and profiles").
# Each setting comes from the first of: a command-line flag, the profile chosen with
# --profile or WFCTL_PROFILE, the environment (DAPR_HTTP_ENDPOINT, DAPR_API_TOKEN,
# WFCTL_EMBEDDED, ...), the default profile below, the built-in default.
"""

TEMPLATE = (
    HEADER
    + """
# The profile used when none is chosen:
default-profile: local

profiles:
  local:
    url: http://127.0.0.1:3500          # a Dapr sidecar, or `wfctl serve`
  # prod:
  #   url: https://dapr.example.com:3500
  #   api-token-file: ~/.config/wfctl/prod-token   # never the token itself
  #   ca-cert: /etc/ssl/dapr-ca.pem
  #   api-version: v1.0
  #   request-timeout: 10s
  # embedded:
  #   embedded: true
  #   db: ~/wf/work.db
  #   app: ~/wf/app.py
"""
)


def _path(ctx: typer.Context) -> Path:
    """The config file to write: the one wfctl reads, existing or not."""
    st = state_of(ctx)
    flag = st.flags.get("config")
    if flag:
        return Path(str(flag)).expanduser()
    if os.environ.get("WFCTL_CONFIG"):
        return Path(os.environ["WFCTL_CONFIG"]).expanduser()
    from wfctl import paths

    return paths.config_dir() / "config.yaml"


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)  # whole or not at all
    except OSError as exc:
        raise UsageError(f"cannot write config file {str(path)!r}: {exc.strerror or exc}") from None


def _load(path: Path) -> dict[str, Any]:
    from wfctl.settings import load_config

    return load_config(str(path)) if path.exists() else {}


def _dump(data: dict[str, Any]) -> str:
    import yaml

    return HEADER + "\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@config_app.command("show")
def config_show(ctx: typer.Context) -> None:
    """Print the resolved settings and where each came from (the token is masked).

    Example: wfctl --profile prod config show
    """
    st = state_of(ctx)
    fmt = output_format(st)
    rows = st.settings.shown()
    if fmt in ("json", "yaml"):
        emit(st, fmt, {k: {"value": v, "source": src} for k, v, src in rows})
    else:
        st.out().table(["SETTING", "VALUE", "SOURCE"], [list(r) for r in rows])
    for conflict in st.settings.conflicts:
        print_note(conflict)


@config_app.command("init")
def config_init(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a commented config file with a 'local' profile (an existing one is kept).

    Example: wfctl config init && wfctl config set-profile prod --url https://dapr:3500
    """
    path = _path(ctx)
    if path.exists() and not force:
        raise UsageError(f"{str(path)!r} exists: edit it, or pass --force to replace it")
    _write(path, TEMPLATE)
    state_of(ctx).out().line(f"wrote {path}")


def config_set_profile(ctx: typer.Context, name: str, default: bool, **settings: Any) -> None:
    """Create or update a profile in the config file (keys not given are kept).

    The token itself is never written: give --api-token-file.

    Example: wfctl config set-profile prod --url https://dapr.example.com:3500 --default

    Example: wfctl config set-profile k8s --grpc-endpoint 127.0.0.1:50001
    """
    from wfctl.settings import PROFILE_KEYS, coerce

    if not name.strip() or any(c in name for c in ":\n#"):
        raise UsageError(f"profile name {name!r}: use letters, digits, '-' or '_'")
    given = {k: v for k, v in settings.items() if v is not None}  # the spec's setting options
    if "grpc_endpoint" in given and "transport" not in given:  # as on the command line
        given["transport"] = "grpc"
    if not given and not default:
        raise UsageError("give at least one setting, e.g. --url URL (see --help)")
    for key, value in given.items():
        assert key in PROFILE_KEYS
        coerce(key, value, f"--{key.replace('_', '-')}")  # the same checks as when read
    path = _path(ctx)
    data = _load(path)
    profiles = data.setdefault("profiles", {}) or {}
    data["profiles"] = profiles
    profile = profiles.get(name) or {}
    for key, value in given.items():
        profile[key.replace("_", "-")] = value
    profiles[name] = profile
    if default:
        data.pop("default_profile", None)
        data["default-profile"] = name
    _write(path, _dump(data))
    state_of(ctx).out().line(f"profile {name} saved in {path}")


# Its options are the spec's (wfctl/options/commands.py), declared from there.
config_app.command("set-profile")(
    declare.from_spec(COMMAND_OPTIONS["config set-profile"], config_set_profile)
)


@config_app.command("use")
def config_use(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Profile name.", metavar="NAME")],
) -> None:
    """Make a profile the default one.

    Example: wfctl config use prod
    """
    path = _path(ctx)
    data = _load(path)
    profiles = data.get("profiles") or {}
    if name not in profiles:
        known = ", ".join(sorted(map(str, profiles))) or "none"
        raise UsageError(f"no profile {name!r} in {str(path)!r} (profiles: {known})")
    data.pop("default_profile", None)
    data["default-profile"] = name
    _write(path, _dump(data))
    state_of(ctx).out().line(f"default profile: {name}")
