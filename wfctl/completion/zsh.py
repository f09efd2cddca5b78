"""The zsh completion script (``_wfctl``), written from a :class:`CommandSpec`.

Sub-commands and options are offered with their help line; instance IDs with
"workflow name  STATUS", newest first. Like the bash script, only dynamic values start
``wfctl __complete``. The file works both from ``fpath`` (autoloaded by ``compinit``) and
sourced (``source <(wfctl completion zsh)`` after ``compinit``).
"""

from __future__ import annotations

from wfctl.completion.spec import CommandSpec
from wfctl.completion.tables import (
    OTHERWISE_FAIL,
    Arm,
    Candidates,
    CaseFunction,
    Dialect,
    fill_body,
    render_tables,
)


def _q(text: str) -> str:
    """Single-quote for zsh."""
    return "'" + text.replace("'", "'\\''") + "'"


def _described(name: str, help_text: str) -> str:
    name = name.replace(":", "\\:")
    return _q(f"{name}:{help_text}" if help_text else name)


class _Zsh(Dialect):
    separator = "|"

    quote = staticmethod(_q)

    def opening(self, name: str, arity: int) -> list[str]:
        return [f"{name}() {{", "    case " + ('"$1|$2"' if arity == 2 else "$1") + " in"]

    def give(self, word: str) -> str:
        return f"REPLY={word}"

    def offer(self, candidates: Candidates) -> str:
        """``reply`` set to "word:help" items, for ``_describe``."""
        return "reply=(" + " ".join(_described(w, h) for w, h in candidates) + ")"

    def lines(self, pattern: str, action: str) -> list[str]:
        return [f"        ({pattern}) {action} ;;"]


_FUNCTIONS = (
    CaseFunction("commands", "_wfctl_commands", fallback=Arm((), ())),
    CaseFunction("options", "_wfctl_options", fallback=Arm((), ())),
    CaseFunction(
        "option_value",
        "_wfctl_option_value",
        "# How the value of option $2 of command $1 completes (in REPLY); status 1 for a flag.",
        OTHERWISE_FAIL,
    ),
    CaseFunction(
        "argument",
        "_wfctl_argument",
        "# How positional argument $2 (from 0) of command $1 completes (in REPLY).",
        OTHERWISE_FAIL,
    ),
    CaseFunction(
        "raw",
        "_wfctl_raw",
        "# After how many arguments of command $1 (in REPLY) the words belong to another program.",
        OTHERWISE_FAIL,
    ),
)


_BODY = r"""
# Offer the candidates for value kind $1.
_wfctl_values() {
    local kind=$1 line exe
    local -a vals items
    case $kind in
        (choice\ *)
            vals=(${=kind#choice })
            _wanted values expl 'value' compadd -a vals ;;
        (file) _files ;;
        (dir) _files -/ ;;
        (duration)
            if [[ $PREFIX == <->(.<->|) ]]; then
                for line in @UNITS@; do vals+=("$PREFIX$line"); done
            else
                vals=(@EXAMPLES@)
            fi
            _wanted durations expl 'duration' compadd -a vals ;;
        (instance|workflow|event)
            exe=${words[1]/#\~/$HOME}
            (( $+commands[$exe] )) || [[ -x $exe ]] || exe=wfctl
            local -a extra
            [[ $kind == event ]] && extra=(-- "${_wfctl_positional[1]}")
            for line in ${(f)"$("$exe" __complete "${kind}s" "${_wfctl_context[@]}" \
                    "${extra[@]}" 2>/dev/null)"}; do
                [[ -n $line ]] || continue
                if [[ $line == *$'\t'* ]]; then
                    items+=("${${line%%$'\t'*}//:/\\:}:${line#*$'\t'}")
                else
                    items+=("${line//:/\\:}")
                fi
            done
            (( $#items )) && _describe -V -t ${kind}s $kind items ;;
    esac
}

_wfctl() {
    local -a _wfctl_context _wfctl_positional reply
    local cmdpath="" opt="" w kind REPLY cur=${words[CURRENT]}
    integer i ddash=0
    for (( i = 2; i < CURRENT; i++ )); do
        w=${words[i]}
        if (( ! ddash )) && [[ $w == -?* ]]; then
            if [[ $w == -- ]]; then
                ddash=1
            elif [[ $w == --*=* ]]; then
                case ${w%%=*} in
                    (@CONTEXT@) _wfctl_context+=("${w%%=*}" "${(Q)w#*=}") ;;
                esac
            elif _wfctl_option_value "$cmdpath" "$w"; then
                if (( i + 1 == CURRENT )); then
                    opt=$w
                    break
                fi
                (( i++ ))
                case $w in
                    (@CONTEXT@) _wfctl_context+=("$w" "${(Q)words[i]}") ;;
                esac
            elif [[ @IS_CONTEXT_FLAG@ ]]; then
                _wfctl_context+=($w)
            fi
            continue
        fi
        _wfctl_commands "$cmdpath"
        if (( $#_wfctl_positional == 0 && ${reply[(I)${w}(|:*)]} )); then
            cmdpath=${cmdpath:+$cmdpath }$w
        else
            _wfctl_positional+=("${(Q)w}")
            _wfctl_raw "$cmdpath" && (( $#_wfctl_positional >= REPLY )) && ddash=1
        fi
    done

    if [[ -z $opt && $ddash == 0 && $cur == --*=* ]]; then
        opt=${cur%%=*}
        compset -P '*='
    fi
    if [[ -n $opt ]]; then
        _wfctl_option_value "$cmdpath" "$opt" && _wfctl_values "$REPLY"
    elif (( ! ddash )) && [[ $cur == -* ]]; then
        local -a opts
        _wfctl_options "$cmdpath"
        opts=("${reply[@]}")
        _describe -t options 'option' opts
    else
        _wfctl_commands "$cmdpath"
        if (( $#reply && $#_wfctl_positional == 0 )); then
            local -a cmds
            cmds=("${reply[@]}")
            _describe -t commands 'wfctl command' cmds
        elif _wfctl_argument "$cmdpath" $#_wfctl_positional; then
            _wfctl_values "$REPLY"
        fi
    fi
}

if [[ $funcstack[1] == _wfctl ]]; then
    _wfctl "$@"
else
    compdef _wfctl wfctl
fi
"""


def render(root: CommandSpec) -> str:
    """The whole zsh script for the command tree ``root``."""
    head = (
        "#compdef wfctl\n"
        "# zsh completion for wfctl. Generated from wfctl's command tree by\n"
        "# `python -m wfctl.cli.refresh_completions`; do not edit.\n"
        "# Enable it with:  source <(wfctl completion zsh)   (after compinit)\n\n"
    )
    return head + render_tables(root, _Zsh(), _FUNCTIONS) + fill_body(_BODY, "|")
