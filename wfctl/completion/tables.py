"""The ``case`` tables the shell scripts carry, built once and written in each shell's syntax.

:func:`case_tables` decides what every table holds (which commands, which options, which
patterns, what each arm gives); a shell writer (:mod:`.bash`, :mod:`.zsh`, :mod:`.fish`)
only says how a pattern, an arm and a function look in its dialect (a :class:`Dialect`
subclass), and :func:`render_tables` puts the two together. An arm's value is one of:

==============  ===================================================================
``None``        nothing: the function returns status 1 (the option is a flag)
``int``         a count (``raw``: after how many arguments the words are raw)
``str``         a value kind, as :func:`value_kind` spells it (``file``, ``choice a b``)
``Candidates``  words to offer (sub-commands, options), each with its help line
==============  ===================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wfctl.completion.spec import (
    DURATION_EXAMPLES,
    DURATION_UNITS,
    CommandSpec,
    ParamSpec,
    all_options,
    global_option_names,
)
from wfctl.options import context_options

#: The options whose values every script passes along to ``wfctl __complete`` (the spec's
#: context options that take a value; the flags among them are passed as they are).
CONTEXT_OPTIONS = tuple(o.flags[0] for o in context_options() if o.takes_value)
#: The context flags (``--embedded``, ``--no-embedded``, ``--insecure``), passed as they are.
CONTEXT_FLAGS = tuple(f for o in context_options() if not o.takes_value for f in o.spellings)

Candidates = tuple[tuple[str, str], ...]  # (word, help line)
Value = None | int | str | Candidates


@dataclass(frozen=True)
class Pattern:
    """A case pattern: ``text`` matched literally, with a ``*`` glob before and/or after it."""

    text: str
    any_before: bool = False
    any_after: bool = False

    def written(self, quote: Callable[[str], str]) -> str:
        """The pattern with its text quoted by ``quote`` and the globs outside the quotes."""
        return ("*" if self.any_before else "") + quote(self.text) + ("*" if self.any_after else "")


@dataclass(frozen=True)
class Arm:
    """One arm of a case table: any of ``patterns`` (none: anything at all) gives ``value``."""

    patterns: tuple[Pattern, ...]
    value: Value


#: The last arm of most tables: anything else returns status 1.
OTHERWISE_FAIL = Arm((), None)


@dataclass(frozen=True)
class CaseTable:
    """The arms of one table; ``arity`` 1 matches ``COMMAND``, 2 matches ``COMMAND|WORD``."""

    arity: int
    arms: tuple[Arm, ...]


@dataclass(frozen=True)
class CaseFunction:
    """How one shell names and introduces the function that holds table ``table``.

    ``fallback``, if given, is the last arm (no patterns: it matches anything), such as
    :data:`OTHERWISE_FAIL`.
    """

    table: str
    name: str
    comment: str = ""
    fallback: Arm | None = None


class Dialect:
    """How one shell writes a function around a case table, and each arm of it.

    A shell writer subclasses this and fills in its syntax; :meth:`arm` (shared) turns an
    arm's value into the shell's action: ``return 1`` for ``None``, :meth:`give` for a count
    or a (quoted) value kind, :meth:`offer` for candidates.
    """

    #: joins the alternatives of an arm's pattern
    separator = " | "
    #: the pattern of a fallback arm (it matches anything)
    anything = "*"
    #: the lines that close the case and the function (a blank line last)
    closing: tuple[str, ...] = ("    esac", "}", "")

    def quote(self, text: str) -> str:
        """``text`` as one literal shell word."""
        raise NotImplementedError

    def opening(self, name: str, arity: int) -> list[str]:
        """The lines that open function ``name`` and its case over ``arity`` arguments."""
        raise NotImplementedError

    def pattern(self, p: Pattern) -> str:
        """One alternative of a case pattern (by default the globs outside the quotes)."""
        return p.written(self.quote)

    def give(self, word: str) -> str:
        """The action that hands back ``word`` (already quoted where it needs to be)."""
        raise NotImplementedError

    def offer(self, candidates: Candidates) -> str:
        """The action that hands back the words of ``candidates``."""
        raise NotImplementedError

    def lines(self, pattern: str, action: str) -> list[str]:
        """The lines of one arm: ``pattern`` (alternatives joined) runs ``action``."""
        raise NotImplementedError

    def arm(self, arm: Arm) -> list[str]:
        """The lines of ``arm`` in this shell."""
        value = arm.value
        if value is None:
            action = "return 1"
        elif isinstance(value, int):
            action = self.give(str(value))
        elif isinstance(value, str):
            action = self.give(self.quote(value))
        else:
            action = self.offer(value)
        pats = self.separator.join(self.pattern(p) for p in arm.patterns)
        return self.lines(pats or self.anything, action)


def value_kind(p: ParamSpec) -> str:
    """How a value of ``p`` completes, in one word (``choice`` is followed by the choices)."""
    return "choice " + " ".join(p.choices) if p.kind == "choice" else p.kind


def case_tables(root: CommandSpec) -> dict[str, CaseTable]:
    """The five tables of the command tree ``root``, by name.

    ``commands``: a command's sub-commands (only commands that have some); ``options``: every
    option accepted where a command is the command; ``option_value``: how the value of option
    WORD of COMMAND completes (``None`` for a flag that the root group also has, whose name
    would otherwise be taken for the group's); ``argument``: how positional argument WORD
    (from 0; ``*`` for one that takes the rest) completes; ``raw``: after how many arguments
    of a command every word belongs to another program.
    """
    nodes = root.walk()
    global_names = global_option_names(root)
    commands: list[Arm] = []
    options: list[Arm] = []
    option_value: list[Arm] = []
    argument: list[Arm] = []
    raw: list[Arm] = []
    for node in nodes:
        here = (Pattern(node.key),)
        if node.commands:
            commands.append(Arm(here, tuple((n, c.help) for n, c in node.commands.items())))
        options.append(
            Arm(here, tuple((n, o.help) for o in all_options(root, node) for n in o.names))
        )
        for i, a in enumerate(node.args):
            pat = Pattern(f"{node.key}|", any_after=True) if a.many else Pattern(f"{node.key}|{i}")
            argument.append(Arm((pat,), value_kind(a)))
        if node.raw_after is not None:
            raw.append(Arm(here, node.raw_after))
        if node is root:
            continue
        for o in node.options:
            if o.takes_value or any(n in global_names for n in o.names):
                pats = tuple(Pattern(f"{node.key}|{n}") for n in o.names)
                option_value.append(Arm(pats, value_kind(o) if o.takes_value else None))
    for o in root.options:  # the group's options are accepted after a sub-command too
        if o.takes_value:
            pats = tuple(Pattern(f"|{n}", any_before=True) for n in o.names)
            option_value.append(Arm(pats, value_kind(o)))
    return {
        "commands": CaseTable(1, tuple(commands)),
        "options": CaseTable(1, tuple(options)),
        "option_value": CaseTable(2, tuple(option_value)),
        "argument": CaseTable(2, tuple(argument)),
        "raw": CaseTable(1, tuple(raw)),
    }


def render_tables(root: CommandSpec, dialect: Dialect, functions: Sequence[CaseFunction]) -> str:
    """The shell functions ``functions`` (in that order) over the tables of ``root``."""
    tables = case_tables(root)
    out: list[str] = []
    for f in functions:
        table = tables[f.table]
        if f.comment:
            out.append(f.comment)
        out += dialect.opening(f.name, table.arity)
        for arm in (*table.arms, *([f.fallback] if f.fallback else [])):
            out += dialect.arm(arm)
        out += dialect.closing
    return "\n".join(out)


def fill_body(body: str, context_separator: str) -> str:
    """``body`` with ``@UNITS@``, ``@EXAMPLES@``, ``@CONTEXT@``, ``@CONTEXT_FLAGS@`` and
    ``@IS_CONTEXT_FLAG@`` filled in.

    The units and examples are space-separated; the context options are joined with
    ``context_separator`` (``" | "`` for a bash case pattern, ``" "`` for a fish list), the
    context flags with a space; ``@IS_CONTEXT_FLAG@`` is a ``[[ ]]`` test (bash, zsh) that
    ``$w`` is one of them.
    """
    is_flag = " || ".join(f"$w == {f}" for f in CONTEXT_FLAGS)
    return (
        body.replace("@UNITS@", " ".join(DURATION_UNITS))
        .replace("@EXAMPLES@", " ".join(DURATION_EXAMPLES))
        .replace("@CONTEXT_FLAGS@", " ".join(CONTEXT_FLAGS))
        .replace("@IS_CONTEXT_FLAG@", is_flag)
        .replace("@CONTEXT@", context_separator.join(CONTEXT_OPTIONS))
    )
