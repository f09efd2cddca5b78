"""Every option of wfctl, declared once as data (as httpie's ParserSpec declares its own).

:data:`GLOBAL_OPTIONS` lists the global options: the ones accepted before and after any
command, which also name wfctl's settings. :data:`wfctl.options.commands.COMMAND_OPTIONS`
lists each command's own options and arguments. Everything that parses or describes a
command line reads them here:

* the Typer app (:mod:`wfctl.cli.declare` builds the global callback from
  :data:`GLOBAL_OPTIONS`, and ``config set-profile`` from its entry; every other command's
  declarations are checked against ``COMMAND_OPTIONS`` by ``tests/cli/test_options_spec.py``,
  which fails on any drift);
* the lean ``status -o json`` path (:mod:`wfctl.cli._lean`: :func:`lean_tables`);
* shell completion: the fast path (:mod:`wfctl._complete`: :func:`context_options`), and the
  generated scripts (:mod:`wfctl.completion.spec` takes each value's completion kind here);
* the settings resolver (:mod:`wfctl.settings`: the defaults, the environment variables, the
  profile keys and each setting's type).

Adding a global option is one :class:`Option` in :data:`GLOBAL_OPTIONS` (plus, where needed,
a typed field on ``Settings``, a check in :mod:`wfctl.settings.values` and a row in
docs/cli.md, which a test checks): see "Adding a global option" in docs/architecture.md.

This module imports nothing: shell completion and the lean path read it on every TAB and
every ``status -o json``.
"""

from __future__ import annotations

#: How a value completes in a shell (see :mod:`wfctl.completion.spec`).
KINDS = frozenset(
    {"none", "plain", "choice", "file", "dir", "duration", "instance", "workflow", "event"}
)
#: What a value is, for the settings resolver and for Typer: ``flag`` (a boolean, no value),
#: ``str``, ``int``, ``duration`` (text such as ``30s``, read by :mod:`wfctl.durations`),
#: ``path`` (``~`` expanded), ``list`` (repeatable text).
TYPES = frozenset({"flag", "str", "int", "float", "duration", "path", "list"})
_KIND_OF_TYPE = {"flag": "none", "duration": "duration", "path": "file"}


class Option:
    """One option (or, with ``argument=True``, one positional argument) as data.

    ``name`` is the Python parameter name (for a global: the settings key), ``flags`` its
    spellings (``--output``, ``-o``), ``off`` the spelling that sets a flag to False
    (``--no-embedded``); ``env`` the environment variables read as its value, in order;
    ``profile`` whether a config profile may set it (as ``name`` with ``-`` for ``_``);
    ``default`` the built-in default (for a global: the setting's); ``kind`` how a shell
    completes its value (default: from ``type``); ``choices`` its fixed values; ``context``
    whether the completion scripts hand it to ``wfctl __complete`` (it chooses where the
    candidates live); ``setting`` whether it is a setting (``--profile`` and ``--config``
    choose where settings come from; ``--version`` acts at once).
    """

    __slots__ = (
        "name",
        "flags",
        "off",
        "type",
        "default",
        "help",
        "metavar",
        "env",
        "profile",
        "kind",
        "choices",
        "context",
        "setting",
        "many",
        "argument",
    )

    def __init__(
        self,
        name: str,
        *flags: str,
        off: str | None = None,
        type: str = "str",  # noqa: A002 - the spec's own word
        default: object = None,
        help: str = "",  # noqa: A002
        metavar: str | None = None,
        env: tuple[str, ...] = (),
        profile: bool = True,
        kind: str | None = None,
        choices: tuple[str, ...] = (),
        context: bool = False,
        setting: bool = True,
        many: bool = False,
        argument: bool = False,
    ) -> None:
        self.name = name
        self.flags = flags
        self.off = off
        self.type = type
        self.default = default
        self.help = help
        self.metavar = metavar
        self.env = env
        self.profile = profile
        self.kind = kind or ("choice" if choices else _KIND_OF_TYPE.get(type, "plain"))
        self.choices = choices
        self.context = context
        self.setting = setting
        self.many = many
        self.argument = argument

    @property
    def takes_value(self) -> bool:
        return self.type != "flag"

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every word that names this option on a command line."""
        return (*self.flags, self.off) if self.off else self.flags

    def __repr__(self) -> str:
        return f"Option({self.name!r}, {', '.join(map(repr, self.flags))})"


def Arg(name: str, metavar: str, help: str, **kw: object) -> Option:  # noqa: A002, N802
    """A positional argument (``many``: it takes the rest of the words)."""
    return Option(name, metavar=metavar, help=help, argument=True, profile=False, **kw)  # type: ignore[arg-type]


API_VERSIONS = ("v1.0-beta1", "v1.0")
OUTPUTS = ("table", "wide", "json", "yaml", "ids")
TRANSPORTS = ("http", "grpc")
#: The runtime statuses a ``--status`` filter takes (as wfctl.model.RuntimeStatus spells them).
STATUSES = ("RUNNING", "COMPLETED", "CONTINUED_AS_NEW", "FAILED", "CANCELED", "TERMINATED",
            "PENDING", "SUSPENDED", "STALLED")  # fmt: skip

#: The global options, in the order ``wfctl --help`` lists them.
GLOBAL_OPTIONS: tuple[Option, ...] = (
    Option(
        "url",
        "--url",
        metavar="URL",
        env=("DAPR_HTTP_ENDPOINT",),  # else DAPR_RUNTIME_HOST/DAPR_HTTP_PORT (settings.sources)
        default="http://127.0.0.1:3500",
        context=True,
        help="Sidecar base URL [env DAPR_HTTP_ENDPOINT, DAPR_RUNTIME_HOST/DAPR_HTTP_PORT; "
        "default http://127.0.0.1:3500].",
    ),
    Option(
        "transport",
        "--transport",
        metavar="http|grpc",
        env=("WFCTL_TRANSPORT",),
        default="http",
        choices=TRANSPORTS,
        context=True,
        help="How to reach the sidecar [env WFCTL_TRANSPORT; default http].",
    ),
    Option(
        "grpc_endpoint",
        "--grpc-endpoint",
        metavar="HOST:PORT",
        env=("DAPR_GRPC_ENDPOINT",),  # else DAPR_RUNTIME_HOST/DAPR_GRPC_PORT
        default="127.0.0.1:50001",
        context=True,
        help="Sidecar gRPC endpoint; implies --transport grpc [env DAPR_GRPC_ENDPOINT, "
        "DAPR_RUNTIME_HOST/DAPR_GRPC_PORT; default 127.0.0.1:50001; grpcs:// for TLS].",
    ),
    Option(
        "api_version",
        "--api-version",
        metavar="V",
        default="v1.0-beta1",
        choices=API_VERSIONS,
        help="v1.0-beta1 (default, every daprd) or v1.0.",
    ),
    Option(
        "component",
        "--component",
        metavar="NAME",
        default="dapr",
        help="Workflow component [dapr].",
    ),
    Option(
        "api_token",
        "--api-token",
        metavar="TOKEN",
        env=("DAPR_API_TOKEN",),
        context=True,
        help="API token [env DAPR_API_TOKEN].",
    ),
    Option(
        "api_token_file",
        "--api-token-file",
        type="path",
        metavar="PATH",
        context=True,
        help="Read the API token here.",
    ),
    Option(
        "ca_cert",
        "--ca-cert",
        type="path",
        metavar="PATH",
        context=True,
        help="CA bundle for an https:// URL or grpcs:// endpoint.",
    ),
    Option(
        "insecure",
        "--insecure",
        type="flag",
        default=False,
        context=True,
        help="Do not verify the server's TLS certificate.",
    ),
    Option(
        "request_timeout",
        "--request-timeout",
        type="duration",
        metavar="D",
        default=30.0,
        help="Timeout of one request [30s].",
    ),
    Option(
        "output",
        "--output",
        "-o",
        metavar="FMT",
        default="table",
        choices=OUTPUTS,
        help="table, json or yaml (list: +wide, ids).",
    ),
    Option(
        "quiet",
        "--quiet",
        "-q",
        type="flag",
        default=False,
        profile=False,
        help="Print only IDs/statuses.",
    ),
    Option(
        "no_color",
        "--no-color",
        type="flag",
        default=False,
        env=("NO_COLOR",),  # set and not empty: on (https://no-color.org)
        help="No colour (also NO_COLOR).",
    ),
    Option(
        "verbose",
        "--verbose",
        type="flag",
        default=False,
        profile=False,
        help="Log requests; tracebacks for internal errors.",
    ),
    Option(
        "profile",
        "--profile",
        metavar="NAME",
        env=("WFCTL_PROFILE",),
        profile=False,
        setting=False,
        context=True,
        help="Config profile [env WFCTL_PROFILE].",
    ),
    Option(
        "config",
        "--config",
        type="path",
        metavar="PATH",
        env=("WFCTL_CONFIG",),
        profile=False,
        setting=False,
        context=True,
        help="Config file [env WFCTL_CONFIG; default $XDG_CONFIG_HOME/wfctl/config.yaml].",
    ),
    Option(
        "embedded",
        "--embedded",
        off="--no-embedded",
        type="flag",
        default=False,
        env=("WFCTL_EMBEDDED",),
        context=True,
        help="Use the embedded engine [env WFCTL_EMBEDDED=1; --url beats the env].",
    ),
    Option(
        "db",
        "--db",
        type="path",
        metavar="PATH",
        env=("WFCTL_DB",),
        context=True,
        help="Embedded database file [env WFCTL_DB].",
    ),
    Option(
        "app",
        "--app",
        kind="file",  # a file, or a module name: not expanded as a path
        metavar="MODULE_OR_FILE[:ATTR]",
        env=("WFCTL_APP",),
        help="Workflow app [env WFCTL_APP].",
    ),
    Option(
        "drive",
        "--drive",
        type="duration",
        metavar="D",
        default=30.0,
        help="Embedded: drive the engine at most D [30s].",
    ),
    Option(
        "detach",
        "--detach",
        type="flag",
        default=False,
        help="Embedded: record the change, do not drive.",
    ),
    Option(
        "version",
        "--version",
        type="flag",
        profile=False,
        setting=False,
        help="Print the version and exit.",
    ),
)

GLOBALS: dict[str, Option] = {o.name: o for o in GLOBAL_OPTIONS}
#: Global options that act at once and only before the command (``--version``).
FRONT_ONLY = frozenset({"version"})


def settings_options() -> tuple[Option, ...]:
    """The global options that are settings, in order (``wfctl config show`` lists them)."""
    return tuple(o for o in GLOBAL_OPTIONS if o.setting)


def flag_tables(
    options: tuple[Option, ...],
) -> tuple[dict[str, str], dict[str, tuple[str, bool]]]:
    """({spelling: name} of those ``options`` that take a value, {spelling: (name, value)} of
    the flags, their "no" forms with False) — what a parser without Typer needs."""
    valued: dict[str, str] = {}
    flags: dict[str, tuple[str, bool]] = {}
    for o in options:
        if o.takes_value:
            valued.update(dict.fromkeys(o.flags, o.name))
        else:
            flags.update(dict.fromkeys(o.flags, (o.name, True)))
            if o.off:
                flags[o.off] = (o.name, False)
    return valued, flags


def lean_tables() -> tuple[dict[str, str], dict[str, tuple[str, bool]]]:
    """:func:`flag_tables` of the global options that a parser reading globals without Typer
    (the lean path) takes: all but those that act only before the command."""
    return flag_tables(tuple(o for o in GLOBAL_OPTIONS if o.name not in FRONT_ONLY))


def context_options() -> tuple[Option, ...]:
    """The global options a completion script passes along to ``wfctl __complete``."""
    return tuple(o for o in GLOBAL_OPTIONS if o.context)
