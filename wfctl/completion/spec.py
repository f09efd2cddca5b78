"""What the shell scripts complete, read from the click command tree of the Typer app.

:func:`build_spec` walks ``typer.main.get_command(app)`` (any ``click.Group``) and returns a
:class:`CommandSpec` tree; the shell writers (:mod:`.bash`, :mod:`.zsh`, :mod:`.fish`) only
read that tree. A value's *kind* says how a shell completes it — for wfctl's own tree, as the
option spec (:mod:`wfctl.options`) declares it; for any other app's, guessed from the
parameter's type, name or metavar:

==========  ======================================================================
``none``    the option is a flag: it takes no value
``plain``   a value with nothing to offer (free text, JSON, a new ID)
``choice``  one of ``choices`` (``click.Choice``, or the runtime statuses)
``file``    a path (``click.Path``/``click.File``, or a name in :data:`PATH_PARAMS`)
``dir``     a directory (``click.Path(file_okay=False)``)
``duration``  ``500ms``/``30s``/``5m``/``1h``... (a name in :data:`DURATION_PARAMS`)
``instance``  an instance ID, from ``wfctl __complete instances``
``workflow``  a workflow name, from ``wfctl __complete workflows``
``event``   an event name the instance before it waits for (``wfctl __complete events ID``)
==========  ======================================================================
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from wfctl.model import RuntimeStatus
from wfctl.options import (
    API_VERSIONS,
    GLOBAL_OPTIONS,
    GLOBALS,
    OUTPUTS,
    TRANSPORTS,
    Option,
)
from wfctl.options.commands import COMMAND_OPTIONS

# How plain-text parameters complete, by click's ``param.name`` or by metavar.
PATH_PARAMS = frozenset(
    {
        "input_file",
        "data_file",
        "api_token_file",
        "config",
        "db",
        "ca_cert",
        "app",
        "app_",
        "app_path",
    }
)
PATH_METAVARS = frozenset({"PATH", "FILE", "APP", "MODULE_OR_FILE[:ATTR]"})
DURATION_PARAMS = frozenset(
    {"timeout", "interval", "request_timeout", "max_age", "older_than", "drive", "in_"}
)
DURATION_METAVARS = frozenset({"D", "DURATION"})
INSTANCE_PARAMS = frozenset({"id", "ids", "instance_id", "instance_ids"})
WORKFLOW_PARAMS = frozenset({"name", "workflow", "workflow_name"})
EVENT_PARAMS = frozenset({"event", "event_name"})
STATUS_VALUES = tuple(s.value for s in RuntimeStatus if s is not RuntimeStatus.UNKNOWN)
#: Fixed values of options the CLI declares as plain text (it validates them itself).
OPTION_CHOICES: dict[str, tuple[str, ...]] = {
    "--output": OUTPUTS,
    "--api-version": API_VERSIONS,
    "--transport": TRANSPORTS,
    "--status": STATUS_VALUES,
}
#: Commands whose arguments after the first belong to another program (``exec APP ARGS``).
RAW_COMMANDS = {"exec": 1}
# Typer's own completion installers: superseded by ``wfctl completion SHELL``.
SKIP_OPTIONS = frozenset({"--install-completion", "--show-completion"})
DURATION_EXAMPLES = ("500ms", "30s", "5m", "1h", "1d")
DURATION_UNITS = ("ms", "s", "m", "h", "d")


@dataclass
class ParamSpec:
    """One option or positional argument of a command."""

    names: list[str]
    kind: str
    help: str = ""
    choices: list[str] = field(default_factory=list)
    many: bool = False  # a positional that takes the rest (nargs=-1)

    @property
    def takes_value(self) -> bool:
        return self.kind != "none"


@dataclass
class CommandSpec:
    """A command (the root group, a subcommand, or a nested group) and what it accepts."""

    path: tuple[str, ...]
    help: str
    options: list[ParamSpec]
    args: list[ParamSpec]
    commands: dict[str, CommandSpec] = field(default_factory=dict)
    #: after this many arguments, every word belongs to another program (``exec``)
    raw_after: int | None = None

    def walk(self) -> list[CommandSpec]:
        """This command and every command under it, parents first, in a stable order."""
        out = [self]
        for name in sorted(self.commands):
            out.extend(self.commands[name].walk())
        return out

    @property
    def key(self) -> str:
        return " ".join(self.path)


def _first_line(text: str | None, limit: int = 80) -> str:
    """The first sentence of a help text, on one line, cut at a word within ``limit``."""
    text = " ".join((text or "").strip().split("\n\n")[0].split())
    text = text.split(". ")[0].rstrip(".")
    if len(text) > limit:
        text = text[: limit - 3].rsplit(" ", 1)[0].rstrip(",;:(") + "..."
    if text.count("(") > text.count(")"):  # never leave a parenthesis open
        text = text[: text.rindex("(")].rstrip(" ,;:")
    return text


def _is_flag(param: Any) -> bool:
    return bool(getattr(param, "is_flag", False) or getattr(param, "count", False))


def _choice_text(value: object) -> str:
    return str(value.value) if isinstance(value, enum.Enum) else str(value)


def _type_kind(param: Any) -> tuple[str, list[str]] | None:
    """The kind a parameter's declared type implies, for Typer's and click's parameters."""
    desc = getattr(param, "type_descriptor", None)  # Typer >= 0.20 (its own click fork)
    if desc is not None:
        if getattr(desc, "is_choice", False) and desc.choices is not None:
            return "choice", [_choice_text(c) for c in desc.choices]
        if getattr(desc, "is_path", False):
            info = desc.parameter_info
            if getattr(info, "dir_okay", True) and not getattr(info, "file_okay", True):
                return "dir", []
            return "file", []
        if getattr(desc, "is_file", False):
            return "file", []
        return None
    ptype = getattr(param, "type", None)  # click parameter types
    type_name = type(ptype).__name__
    if ptype is None:
        return None
    if type_name == "Choice":
        return "choice", [_choice_text(c) for c in ptype.choices]
    if type_name == "Path":
        if ptype.dir_okay and not ptype.file_okay:
            return "dir", []
        return "file", []
    if type_name == "File":
        return "file", []
    return None


def declared_by_spec(root: Any) -> bool:
    """True when ``root`` is wfctl's own command tree: its options are the spec's globals."""
    return [p.name for p in root.params] == [o.name for o in GLOBAL_OPTIONS]


def _declared(cmd_path: tuple[str, ...], param: Any) -> Option | None:
    """The option spec (wfctl.options) of a parameter of wfctl's own command tree, if any."""
    name = param.name or ""
    if not cmd_path:
        return GLOBALS.get(name)
    for opt in COMMAND_OPTIONS.get(" ".join(cmd_path), ()):
        if opt.name == name and opt.argument == (param.param_type_name == "argument"):
            return opt
    return None


def _kind(cmd_path: tuple[str, ...], param: Any, spec: bool) -> tuple[str, list[str]]:
    """How a parameter's value completes: as the option spec declares it (``spec``: wfctl's
    own tree), else (another app's, such as the tests' fixture app) as its type, name or
    metavar suggests."""
    opt = _declared(cmd_path, param) if spec else None
    if opt is not None:
        return opt.kind, list(opt.choices)
    name = param.name or ""
    metavar = getattr(param, "metavar", None) or ""
    if param.param_type_name == "option":
        if _is_flag(param):
            return "none", []
        typed = _type_kind(param)
        if typed is not None:
            return typed
        for opt in param.opts:
            if opt in OPTION_CHOICES:
                return "choice", list(OPTION_CHOICES[opt])
        if "|" in metavar and " " not in metavar:
            return "choice", metavar.split("|")
        if name in PATH_PARAMS or metavar in PATH_METAVARS:
            return "file", []
        if name in DURATION_PARAMS or metavar in DURATION_METAVARS:
            return "duration", []
        if name in WORKFLOW_PARAMS and cmd_path[-1:] in (("list",), ("purge",)):
            return "workflow", []
        return "plain", []
    typed = _type_kind(param)
    if typed is not None:
        return typed
    if cmd_path in {(c,) for c in RAW_COMMANDS} or name in PATH_PARAMS:
        return "file", []
    if name in EVENT_PARAMS:
        return "event", []
    if name in INSTANCE_PARAMS:
        return "instance", []
    if name in WORKFLOW_PARAMS and cmd_path[-1:] == ("start",):
        return "workflow", []
    if metavar in PATH_METAVARS:
        return "file", []
    return "plain", []


def _param(cmd_path: tuple[str, ...], param: Any, spec: bool) -> ParamSpec | None:
    kind, choices = _kind(cmd_path, param, spec)
    if param.param_type_name == "option":
        names = [n for n in [*param.opts, *param.secondary_opts] if n not in SKIP_OPTIONS]
        if not names or param.hidden:
            return None
        return ParamSpec(names=names, kind=kind, help=_first_line(param.help), choices=choices)
    if param.param_type_name == "argument":
        many = param.nargs == -1 or param.nargs > 1
        return ParamSpec(names=[param.name or "arg"], kind=kind, choices=choices, many=many)
    return None


def build_spec(command: Any, path: tuple[str, ...] = (), spec: bool | None = None) -> CommandSpec:
    """The completion tree of ``command`` (a click or Typer command or group), recursively.

    Hidden sub-commands (aliases such as ``suspend``) are included; names that start with
    ``_`` are not. Options are listed in declaration order, each with every spelling, then
    the help option.
    """
    if spec is None:
        spec = declared_by_spec(command)
    options: list[ParamSpec] = []
    args: list[ParamSpec] = []
    for param in command.params:
        one = _param(path, param, spec)
        if one is None:
            continue
        (options if one.names[0].startswith("-") else args).append(one)
    settings = getattr(command, "context_settings", None) or {}
    help_names = list(settings.get("help_option_names", ["--help"]))
    if getattr(command, "add_help_option", True) and help_names:
        options.append(ParamSpec(names=help_names, kind="none", help="Show help and exit"))
    node = CommandSpec(
        path=path,
        help=_first_line(command.help or command.short_help),
        options=options,
        args=args,
        raw_after=RAW_COMMANDS.get(path[0]) if len(path) == 1 else None,
    )
    commands = getattr(command, "commands", None)
    if isinstance(commands, dict):
        for name, sub in sorted(commands.items()):
            if not name.startswith("_"):
                node.commands[name] = build_spec(sub, (*path, name), spec)
    return node


def global_option_names(root: CommandSpec) -> set[str]:
    """Every spelling of the root group's options (accepted before and after a subcommand)."""
    return {n for o in root.options for n in o.names}


def own_options(root: CommandSpec, node: CommandSpec) -> list[ParamSpec]:
    """``node``'s options less those the root group already has (for a sub-command)."""
    if node is root:
        return list(node.options)
    shared = global_option_names(root)
    return [o for o in node.options if not set(o.names) <= shared]


def all_options(root: CommandSpec, node: CommandSpec) -> list[ParamSpec]:
    """Every option accepted where ``node`` is the command: its own, then the root's (less
    a global whose names the command's own option takes, e.g. set-profile's --insecure/--verify)."""
    if node is root:
        return list(node.options)
    own = own_options(root, node)
    taken = {name for o in own for name in o.names}
    return own + [o for o in root.options if not set(o.names) <= taken]
