"""The bash completion script, written from a :class:`~wfctl.completion.spec.CommandSpec`.

The script knows the command tree (sub-commands, options, which options take a value and
how each value completes) as ``case`` tables, so everything static completes inside bash.
Only instance IDs, workflow names and event names run ``wfctl __complete KIND ...``, passing
along the ``--db``/``--url``/``--embedded``/``--profile``/``--config`` already on the line.
Works with bash >= 4 (no bash-completion package needed); ``=`` and ``:`` inside a word
(``--output=json``, ``parent:0001``) are handled.
"""

from __future__ import annotations

from wfctl.completion.spec import CommandSpec
from wfctl.completion.tables import (
    OTHERWISE_FAIL,
    Candidates,
    CaseFunction,
    Dialect,
    fill_body,
    render_tables,
)


def _q(text: str) -> str:
    """Quote for a bash case pattern or word: double quotes with nothing special inside."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


class _Bash(Dialect):
    quote = staticmethod(_q)

    def opening(self, name: str, arity: int) -> list[str]:
        return [f"{name}() {{", "    case " + ('"$1|$2"' if arity == 2 else '"$1"') + " in"]

    def give(self, word: str) -> str:
        return f"echo {word}"

    def offer(self, candidates: Candidates) -> str:
        return "echo " + _q(" ".join(word for word, _ in candidates))

    def lines(self, pattern: str, action: str) -> list[str]:
        return [f"        {pattern}) {action} ;;"]


_FUNCTIONS = (
    CaseFunction("commands", "_wfctl_commands"),
    CaseFunction("options", "_wfctl_options"),
    CaseFunction(
        "option_value",
        "_wfctl_option_value",
        "# How the value of option $2 of command $1 completes; status 1 for a flag.",
        OTHERWISE_FAIL,
    ),
    CaseFunction(
        "argument",
        "_wfctl_argument",
        "# How positional argument $2 (from 0) of command $1 completes.",
        OTHERWISE_FAIL,
    ),
    CaseFunction(
        "raw",
        "_wfctl_raw",
        "# After how many arguments of command $1 every word belongs to another program.",
        OTHERWISE_FAIL,
    ),
)


_BODY = r"""
# Re-join the words bash split at COMP_WORDBREAKS characters (= and :) into _wfctl_words.
_wfctl_rejoin() {
    local line="${COMP_LINE:0:COMP_POINT}" i w trimmed n=0
    _wfctl_words=()
    for ((i = 0; i <= COMP_CWORD && i < ${#COMP_WORDS[@]}; i++)); do
        w="${COMP_WORDS[i]}"
        trimmed="${line#"${line%%[![:space:]]*}"}"
        if ((i > 0 && n > 0)) && [[ "$trimmed" == "$line" ]]; then
            _wfctl_words[n - 1]+="$w"
        else
            _wfctl_words[n]="$w"
            ((n++))
        fi
        line="${trimmed:${#w}}"
    done
    ((COMP_CWORD >= ${#COMP_WORDS[@]})) && _wfctl_words[n++]=""
}

# Add the candidates for value kind $1, given the text typed so far $2.
_wfctl_values() {
    local kind="$1" cur="$2" line exe
    case "$kind" in
        choice\ *)
            while IFS= read -r line; do COMPREPLY+=("$line"); done \
                < <(compgen -W "${kind#choice }" -- "$cur") ;;
        file | dir)
            compopt -o filenames 2>/dev/null
            local flag=-f
            [[ $kind == dir ]] && flag=-d
            while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen "$flag" -- "$cur") ;;
        duration)
            if [[ $cur =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
                for line in @UNITS@; do COMPREPLY+=("$cur$line"); done
            elif [[ -z $cur ]]; then
                COMPREPLY+=(@EXAMPLES@)
            fi ;;
        instance | workflow | event)
            exe="${_wfctl_words[0]}"
            [[ $exe == "~/"* ]] && exe="$HOME/${exe#"~/"}"
            type -P "$exe" >/dev/null 2>&1 || exe=wfctl
            local -a extra=()
            [[ $kind == event ]] && extra=(-- "${_wfctl_positional[0]}")
            while IFS= read -r line; do
                [[ -n $line ]] && COMPREPLY+=("${line%%$'\t'*}")
            done < <("$exe" __complete "${kind}s" "${_wfctl_context[@]}" --prefix "$cur" \
                "${extra[@]}" 2>/dev/null) ;;
    esac
}

_wfctl() {
    local -a _wfctl_words=() _wfctl_context=() _wfctl_positional=()
    _wfctl_rejoin
    local cword=$((${#_wfctl_words[@]} - 1))
    local cur="${_wfctl_words[cword]}" cmdpath="" opt="" w i kind raw ddash=0
    COMPREPLY=()
    for ((i = 1; i < cword; i++)); do
        w="${_wfctl_words[i]}"
        if ((ddash == 0)) && [[ $w == -?* ]]; then
            if [[ $w == -- ]]; then
                ddash=1
            elif [[ $w == --*=* ]]; then
                case "${w%%=*}" in
                    @CONTEXT@) _wfctl_context+=("${w%%=*}" "${w#*=}") ;;
                esac
            elif _wfctl_option_value "$cmdpath" "$w" >/dev/null; then
                if ((i + 1 == cword)); then
                    opt="$w"
                    break
                fi
                ((i++))
                case "$w" in
                    @CONTEXT@) _wfctl_context+=("$w" "${_wfctl_words[i]}") ;;
                esac
            elif [[ @IS_CONTEXT_FLAG@ ]]; then
                _wfctl_context+=("$w")
            fi
            continue
        fi
        if ((${#_wfctl_positional[@]} == 0)) &&
            [[ " $(_wfctl_commands "$cmdpath") " == *" $w "* ]]; then
            cmdpath="${cmdpath:+$cmdpath }$w"
        else
            _wfctl_positional+=("$w")
            raw="$(_wfctl_raw "$cmdpath")" && ((${#_wfctl_positional[@]} >= raw)) && ddash=1
        fi
    done

    local typed="$cur" prefix=""
    if [[ -z $opt && $ddash == 0 && $cur == --*=* ]]; then
        opt="${cur%%=*}"
        prefix="$opt="
        typed="${cur#*=}"
    fi
    if [[ -n $opt ]]; then
        kind="$(_wfctl_option_value "$cmdpath" "$opt")" && _wfctl_values "$kind" "$typed"
    elif ((ddash == 0)) && [[ $cur == -* ]]; then
        local opts
        opts="$(_wfctl_options "$cmdpath")"
        while IFS= read -r w; do COMPREPLY+=("$w"); done < <(compgen -W "$opts" -- "$cur")
    else
        local subs
        subs="$(_wfctl_commands "$cmdpath")"
        if [[ -n $subs ]] && ((${#_wfctl_positional[@]} == 0)); then
            while IFS= read -r w; do COMPREPLY+=("$w"); done < <(compgen -W "$subs" -- "$cur")
        elif kind="$(_wfctl_argument "$cmdpath" "${#_wfctl_positional[@]}")"; then
            _wfctl_values "$kind" "$cur"
        fi
    fi

    # bash replaces only its own last word (after a = or :): drop what comes before it.
    local drop=$((${#prefix} + ${#typed} - ${#COMP_WORDS[COMP_CWORD]}))
    [[ ${COMP_WORDS[COMP_CWORD]} == "=" || ${COMP_WORDS[COMP_CWORD]} == ":" ]] &&
        drop=$((${#prefix} + ${#typed}))
    if ((drop > 0)); then
        for i in "${!COMPREPLY[@]}"; do
            w="$prefix${COMPREPLY[i]}"
            COMPREPLY[i]="${w:drop}"
        done
    fi
    return 0
}

complete -F _wfctl wfctl
"""


def render(root: CommandSpec) -> str:
    """The whole bash script for the command tree ``root``."""
    head = (
        "# bash completion for wfctl                                -*- shell-script -*-\n"
        "# Generated from wfctl's command tree by `python -m wfctl.cli.refresh_completions`;\n"
        "# do not edit. Enable it with:  source <(wfctl completion bash)\n\n"
    )
    return head + render_tables(root, _Bash(), _FUNCTIONS) + fill_body(_BODY, " | ")
