"""Typer declarations made from the option spec (:mod:`wfctl.options`).

:func:`global_callback` turns :data:`wfctl.options.GLOBAL_OPTIONS` into the group callback
Typer reads (a function whose signature carries one ``Annotated[..., typer.Option(...)]`` per
option), so a global option is declared in the spec alone; :func:`from_spec` does the same for
a command whose options are the spec's entries (``config set-profile``). :func:`typer_param`
makes the ``typer.Option``/``typer.Argument`` of any spec entry; the commands still declared
in their own signatures are checked against the spec by ``tests/cli/test_options_spec.py``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from wfctl.options import GLOBAL_OPTIONS, Option

_PYTHON = {"flag": bool, "int": int, "float": float, "list": list[str]}


def typer_param(opt: Option, **extra: Any) -> Any:
    """The ``typer.Option`` (or ``typer.Argument``) that declares ``opt``."""
    if opt.argument:
        return typer.Argument(help=opt.help, metavar=opt.metavar, **extra)
    decls = [f"{opt.flags[0]}/{opt.off}", *opt.flags[1:]] if opt.off else list(opt.flags)
    return typer.Option(*decls, metavar=opt.metavar, help=opt.help, **extra)


def _global_annotation(opt: Option, callbacks: dict[str, Any]) -> Any:
    # Every global is None unless given, so that the settings resolver sees only given flags.
    kind = bool | None if opt.type == "flag" else str | None
    extra: dict[str, Any] = {}
    if opt.name in callbacks:
        extra = {"callback": callbacks[opt.name], "is_eager": True}
    return Annotated[kind, typer_param(opt, **extra)]


def global_callback(
    body: Callable[[typer.Context, dict[str, Any]], None],
    eager: dict[str, Callable[[bool], None]],
) -> Callable[..., None]:
    """The Typer group callback of the global options: it calls ``body(ctx, given)`` with
    the options given (by name, ``None`` left out). ``eager`` maps an option's name to a
    callback run at once when it is given (``--version``)."""
    params = [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    annotations: dict[str, Any] = {"ctx": typer.Context, "return": None}
    for opt in GLOBAL_OPTIONS:
        ann = _global_annotation(opt, eager)
        annotations[opt.name] = ann
        params.append(
            inspect.Parameter(
                opt.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=ann
            )
        )
    params[0] = params[0].replace(annotation=typer.Context)
    settings = {o.name for o in GLOBAL_OPTIONS if o.name not in eager}

    def _global(ctx: typer.Context, **given: Any) -> None:
        body(ctx, {k: v for k, v in given.items() if v is not None and k in settings})

    _global.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    _global.__annotations__ = annotations
    return _global


def _annotation(opt: Option) -> Any:
    kind: Any = _PYTHON.get(opt.type, str)
    if opt.default is None and not opt.argument:
        kind = kind | None
    return Annotated[kind, typer_param(opt)]


def from_spec(options: tuple[Option, ...], body: Callable[..., None]) -> Callable[..., None]:
    """A Typer command function declaring ``options`` (a spec entry's arguments and options,
    in order) that calls ``body(ctx, **values)``; its help is ``body``'s docstring."""
    params = [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    annotations: dict[str, Any] = {"ctx": typer.Context, "return": None}
    for opt in options:
        ann = annotations[opt.name] = _annotation(opt)
        default = inspect.Parameter.empty if opt.argument else opt.default
        params.append(
            inspect.Parameter(
                opt.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=ann
            )
        )
    params[0] = params[0].replace(annotation=typer.Context)

    def command(ctx: typer.Context, **values: Any) -> None:
        body(ctx, **values)

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = annotations
    command.__doc__ = body.__doc__
    command.__name__ = body.__name__
    return command
