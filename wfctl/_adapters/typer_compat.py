"""What wfctl takes from Typer beyond its public API (``typer>=0.29,<0.30`` in pyproject).

Typer 0.29 carries its own copy of click as the private ``typer._click``; wfctl needs three
things from it that Typer does not export: the usage-error base class
(:data:`UsageProblem`, click's ``ClickException``: the error boundary prints it as one line),
:func:`get_current_context` (the global options written after a command reach the state
through it), and :func:`install` below, a faster coercion built on ``typer._coercion``.
``tests/test_adapters.py`` checks each assumption.

Cheap value coercion for plain ``str``/``bool``/``int`` parameters.

Typer (0.29+) coerces every parameter, even an absent one, through a pydantic TypeAdapter that
it builds on first use: importing pydantic and building ~25 adapters costs more than the rest of
a command's start-up. wfctl's parameters are plain strings, flags and small integers, and wfctl
checks their meaning itself, so :func:`install` gives them a direct coercion with the same
messages. Parameters of any other shape keep Typer's own.

Every integer option is bounded: one without a ``max`` of its own gets :data:`MAX_INT`, so no
number a user types overflows SQLite, a query parameter or a sleep further on.
"""

from __future__ import annotations

from typing import Any, get_args, get_origin

from typer import BadParameter
from typer._click.exceptions import ClickException as UsageProblem
from typer._click.globals import get_current_context
from typer._coercion import RuntimeParam

__all__ = ["MAX_INT", "UsageProblem", "get_current_context", "install"]

#: The largest value of an integer option that names no maximum of its own.
MAX_INT = 2**31 - 1

_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}


def _one(kind: type, value: Any, info: Any, param: Any, ctx: Any) -> Any:
    if kind is str:
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise BadParameter(f"{value!r} is not a valid boolean.", ctx=ctx, param=param)
    try:
        number = int(str(value).strip())  # over 4,300 digits: a ValueError too
    except ValueError:
        raise BadParameter(f"{value!r} is not a valid integer.", ctx=ctx, param=param) from None
    lo, hi = info.min, info.max if info.max is not None else MAX_INT
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        if lo is not None and hi is not None:
            rng = f"{lo}<=x<={hi}"
        else:
            rng = f"x>={lo}" if lo is not None else f"x<={hi}"
        raise BadParameter(f"{number} is not in the range {rng}.", ctx=ctx, param=param)
    return number


class _Plain(RuntimeParam):
    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        ann = self.annotation
        if get_origin(ann) is list:
            kind = get_args(ann)[0]
            return [_one(kind, v, self.parameter_info, param, ctx) for v in value]
        return _one(ann, value, self.parameter_info, param, ctx)


def _plain(desc: Any) -> bool:
    info = desc.parameter_info
    if getattr(info, "parser", None) is not None or desc.file_annotation is not None:
        return False
    if getattr(info, "clamp", False):
        return False
    ann = desc.annotation
    if get_origin(ann) is list:
        args = get_args(ann)
        ann = args[0] if len(args) == 1 else None
    return ann in (str, bool, int)


def install(command: Any, ctx: Any) -> None:
    """Give ``command``'s plain parameters (and its subcommands', one level), including the
    help option, fast coercion."""
    todo = [command, *getattr(command, "commands", {}).values()]
    for cmd in todo:
        params = list(getattr(cmd, "params", ()))
        try:
            helper = cmd.get_help_option(ctx)  # made once and cached by the command
        except Exception:  # pragma: no cover - a Typer that works differently
            helper = None
        if helper is not None:
            params.append(helper)
        for p in params:
            desc = getattr(p, "type_descriptor", None)
            if desc is None or getattr(p, "_runtime_param", True) is not None:
                continue
            if _plain(desc):
                p._runtime_param = _Plain(
                    parameter_info=desc.parameter_info, annotation=desc.annotation
                )
