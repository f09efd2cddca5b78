"""Global options that click parses wherever they are written, and help without Python types.

The global options are declared once, on the top-level callback. :func:`attach_globals` gives
each subcommand a hidden copy of them (under a prefixed name), so click's own parser reads
``wfctl status a1 -qo json``, ``--output=json`` and ``--`` exactly as it reads the command's own
options — no re-parsing of argv. A copy's value, when given, overrides the one written before
the command (the later word wins, as with any repeated option).

:func:`tidy_help` swaps Typer's parameter classes for ones whose help shows metavars (``ID...``)
instead of Python types (``{ID}...``, ``ID <list[str]>``).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

from typer.core import TyperArgument, TyperGroup, TyperOption

from wfctl._adapters.typer_compat import get_current_context
from wfctl.options import FRONT_ONLY

#: Prefix of a global option's copy on a subcommand (its name in the subcommand's params).
PREFIX = "_global_"


#: Where a subcommand's copies of the global options report their values.
_Sink = Callable[[Any, dict[str, Any]], None]


class PlainArgument(TyperArgument):
    """An argument shown by its metavar alone: ``ID...`` in usage and in the argument list."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        if not self.required:
            name = f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    def _rich_display_name(self) -> str:
        return self.display_name_raw + ("..." if self.nargs != 1 else "")


class PlainOption(TyperOption):
    """An option whose value is shown by its metavar (or its name in capitals), never a type."""

    def display_type_rich(self, ctx: Any) -> str | None:
        if self.metavar is not None:
            return self.metavar
        return (self.name or "value").upper().lstrip("_")


def tidy_help(command: Any) -> None:
    """Make ``command``'s parameters (and its subcommands', recursively) plain in help."""
    for p in getattr(command, "params", ()):
        if type(p) is TyperArgument:
            p.__class__ = PlainArgument
        elif type(p) is TyperOption:
            p.__class__ = PlainOption
    for sub in getattr(command, "commands", {}).values():
        tidy_help(sub)


def _names(param: Any) -> set[str]:
    return set(getattr(param, "opts", ())) | set(getattr(param, "secondary_opts", ()))


def attach_globals(command: Any, global_params: list[Any], sink: _Sink) -> None:
    """Give ``command`` (a leaf, or each leaf of a group) hidden copies of ``global_params``
    and have its callback hand their given values to ``sink(ctx, values)`` first.

    Idempotent. An option the command declares itself keeps its meaning there.
    """
    if getattr(command, "_wfctl_globals", False):
        return
    command._wfctl_globals = True
    subs = getattr(command, "commands", None)
    if isinstance(subs, dict):
        for sub in subs.values():
            attach_globals(sub, global_params, sink)
        return
    own = set().union(*(_names(p) for p in command.params)) if command.params else set()
    for p in global_params:
        if p.name in FRONT_ONLY or getattr(p, "param_type_name", "") != "option":
            continue
        if _names(p) & own:
            continue
        twin = copy.copy(p)
        twin.name = PREFIX + p.name
        twin.hidden = True
        twin.is_eager = False
        command.params.append(twin)
    callback = command.callback
    if callback is None:
        return

    @functools.wraps(callback)
    def with_globals(**kwargs: Any) -> Any:
        given = {}
        for key in [k for k in kwargs if k.startswith(PREFIX)]:
            value = kwargs.pop(key)
            if value is not None:
                given[key[len(PREFIX) :]] = value
        sink(get_current_context(), given)
        return callback(**kwargs)

    command.callback = with_globals


def summary(command: Any) -> str:
    """A command's one-line summary for the command list: its short help, else the first
    paragraph of its help, whole."""
    if command.short_help:
        return str(command.short_help)
    first = (command.help or "").strip().split("\n\n", 1)[0]
    return " ".join(first.split())


class PlainGroup(TyperGroup):
    """A group whose command list shows each summary whole (click cuts them with "...")."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, summary(cmd)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
