"""The fish completion script, written from a :class:`CommandSpec`.

Options are declared to fish with ``complete -l/-s`` (so fish completes their values itself);
the root group's options carry no condition, which makes them valid before and after a
sub-command. A small parser (``__wfctl_state``, cached per command line) finds the command
path and the positional arguments, skipping option values. Only dynamic values run
``wfctl __complete``; instance IDs keep their newest-first order (``complete -k``).
"""

from __future__ import annotations

from wfctl.completion.spec import CommandSpec, ParamSpec, own_options
from wfctl.completion.tables import (
    OTHERWISE_FAIL,
    Candidates,
    CaseFunction,
    Dialect,
    Pattern,
    fill_body,
    render_tables,
)


def _q(text: str) -> str:
    """Single-quote for fish."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _values_flags(kind: str, choices: list[str]) -> str:
    if kind == "none":
        return ""
    if kind == "choice":
        return "-x -a " + _q(" ".join(choices))
    if kind == "file":
        return "-r -F"
    if kind == "dir":
        return "-x -a '(__fish_complete_directories)'"
    if kind == "duration":
        return "-x -a '(__wfctl_durations)'"
    if kind in ("instance", "workflow", "event"):
        return f"-k -x -a '(__wfctl_dynamic {kind}s)'"
    return "-x"


def _option_line(cond: str, o: ParamSpec) -> str:
    parts = ["complete -c wfctl"]
    if cond:
        parts.append(f"-n {_q(cond)}")
    for n in o.names:
        if n.startswith("--"):
            parts.append(f"-l {_q(n[2:])}")
        elif len(n) == 2:
            parts.append(f"-s {_q(n[1:])}")
        else:
            parts.append(f"-o {_q(n[1:])}")
    flags = _values_flags(o.kind, o.choices)
    if flags:
        parts.append(flags)
    if o.help:
        parts.append(f"-d {_q(o.help)}")
    return " ".join(parts)


class _Fish(Dialect):
    separator = " "
    anything = "'*'"
    closing = ("    end", "end", "")

    quote = staticmethod(_q)

    def opening(self, name: str, arity: int) -> list[str]:
        subject = '"$argv[1]|$argv[2]"' if arity == 2 else '"$argv[1]"'
        return [f"function {name}", f"    switch {subject}"]

    def pattern(self, p: Pattern) -> str:
        return _q(p.written(str))  # ``case`` matches globs inside quotes too

    def give(self, word: str) -> str:
        return f"echo {word}"

    def offer(self, candidates: Candidates) -> str:
        return "printf '%s\\n' " + " ".join(word for word, _ in candidates)

    def lines(self, pattern: str, action: str) -> list[str]:
        return [f"        case {pattern}", f"            {action}"]


_FUNCTIONS = (
    CaseFunction("commands", "__wfctl_commands_of"),
    CaseFunction(
        "option_value",
        "__wfctl_option_value",
        "# How the value of option $argv[2] of command $argv[1] completes; 1 for a flag.",
        OTHERWISE_FAIL,
    ),
    CaseFunction("raw", "__wfctl_raw", fallback=OTHERWISE_FAIL),
)


_BODY = r"""
# Parse the line before the cursor into __wfctl_path (the command path), __wfctl_pos (the
# positional arguments) and __wfctl_ctx (--db/--url/--embedded/--profile/--config typed).
function __wfctl_state
    set -l line (commandline -pc)
    if set -q __wfctl_cache_line; and test "$line" = "$__wfctl_cache_line"
        return 0
    end
    set -g __wfctl_cache_line $line
    set -g __wfctl_path ''
    set -g __wfctl_pos
    set -g __wfctl_ctx
    set -l tokens (commandline -opc)
    set -l n (count $tokens)
    set -l i 2
    set -l ddash 0
    while test $i -le $n
        set -l w $tokens[$i]
        if test $ddash = 0; and string match -qr -- '^-.' $w
            if test "$w" = --
                set ddash 1
            else if string match -qr -- '^--[^=]+=' $w
                set -l kv (string split -m1 = -- $w)
                if contains -- $kv[1] @CONTEXT@
                    set -a __wfctl_ctx $kv[1] $kv[2]
                end
            else if __wfctl_option_value "$__wfctl_path" $w >/dev/null
                set i (math $i + 1)
                if test $i -le $n; and contains -- $w @CONTEXT@
                    set -a __wfctl_ctx $w $tokens[$i]
                end
            else if contains -- $w @CONTEXT_FLAGS@
                set -a __wfctl_ctx $w
            end
        else if test (count $__wfctl_pos) -eq 0
            and contains -- $w (__wfctl_commands_of "$__wfctl_path")
            set __wfctl_path (string trim -- "$__wfctl_path $w")
        else
            set -a __wfctl_pos $w
            set -l raw (__wfctl_raw "$__wfctl_path")
            and test (count $__wfctl_pos) -ge $raw
            and set ddash 1
        end
        set i (math $i + 1)
    end
end

# True where the sub-commands of command path $argv[1] are due.
function __wfctl_at
    __wfctl_state
    test "$__wfctl_path" = "$argv[1]"; and test (count $__wfctl_pos) -eq 0
end

# True inside command path $argv[1].
function __wfctl_in
    __wfctl_state
    test "$__wfctl_path" = "$argv[1]"
end

# True where positional argument $argv[2] (from 0) of $argv[1] is due ($argv[3]: takes the rest).
function __wfctl_arg
    __wfctl_state
    test "$__wfctl_path" = "$argv[1]"; or return 1
    set -l n (count $__wfctl_pos)
    test $n -eq $argv[2]; or begin; set -q argv[3]; and test $n -ge $argv[2]; end
end

function __wfctl_durations
    set -l cur (string replace -r -- '^--[^=]*=' '' (commandline -ct))
    if string match -qr -- '^[0-9]+(\.[0-9]+)?$' $cur
        printf "$cur%s\n" @UNITS@
    else
        printf '%s\n' @EXAMPLES@
    end
end

# Dynamic values (instances, workflows, events) from `wfctl __complete`.
function __wfctl_dynamic
    __wfctl_state
    set -l exe (commandline -opc)[1]
    command -q -- $exe; or set exe wfctl
    set -l extra
    if test "$argv[1]" = events
        set extra -- $__wfctl_pos[1]
    end
    $exe __complete $argv[1] $__wfctl_ctx $extra 2>/dev/null
end

complete -c wfctl -e
complete -c wfctl -f
"""


def render(root: CommandSpec) -> str:
    """The whole fish script for the command tree ``root``."""
    head = (
        "# fish completion for wfctl. Generated from wfctl's command tree by\n"
        "# `python -m wfctl.cli.refresh_completions`; do not edit.\n"
        "# Enable it with:  wfctl completion fish | source\n\n"
    )
    body = fill_body(_BODY, " ")
    lines = []
    for node in root.walk():
        for name, sub in node.commands.items():
            cond = f"__wfctl_at {_q(node.key)}"
            desc = f" -d {_q(sub.help)}" if sub.help else ""
            lines.append(f"complete -c wfctl -n {_q(cond)} -a {_q(name)}{desc}")
        for o in own_options(root, node):
            lines.append(_option_line(f"__wfctl_in {_q(node.key)}" if node.path else "", o))
        for i, a in enumerate(node.args):
            cond = f"__wfctl_arg {_q(node.key)} {i}" + (" many" if a.many else "")
            if a.kind == "plain":
                continue
            flags = _values_flags(a.kind, a.choices).replace("-x ", "").replace("-r ", "")
            lines.append(f"complete -c wfctl -n {_q(cond)} {flags}")
    return head + render_tables(root, _Fish(), _FUNCTIONS) + body + "\n".join(lines) + "\n"
