"""The bash completion script, written from a :class:`~wfctl.completion.spec.CommandSpec`.

The script knows the command tree (sub-commands, options, which options take a value and
how each value completes) as ``case`` tables, so everything static completes inside bash.
Only instance IDs, workflow names and event names run ``wfctl __complete KIND ...``, passing
along the ``--db``/``--url``/``--embedded``/``--profile``/``--config`` already on the line.
Works with bash >= 4 (no bash-completion package needed); ``=`` and ``:`` inside a word
(``--output=json``, ``parent:0001``) are handled.
"""

from __future__ import annotations

from wfctl.completion.spec import (
    DURATION_EXAMPLES,
    DURATION_UNITS,
    CommandSpec,
    ParamSpec,
    all_options,
)

CONTEXT_OPTIONS = ("--db", "--url", "--profile", "--config")


def _q(text: str) -> str:
    """Quote for a bash case pattern or word: double quotes with nothing special inside."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def _value(p: ParamSpec) -> str:
    return "choice " + " ".join(p.choices) if p.kind == "choice" else p.kind


def _tables(root: CommandSpec) -> str:
    nodes = root.walk()
    out = ["_wfctl_commands() {", '    case "$1" in']
    for node in nodes:
        if node.commands:
            out.append(f"        {_q(node.key)}) echo {_q(' '.join(node.commands))} ;;")
    out += ["    esac", "}", ""]

    out += ["_wfctl_options() {", '    case "$1" in']
    for node in nodes:
        names = [n for o in all_options(root, node) for n in o.names]
        out.append(f"        {_q(node.key)}) echo {_q(' '.join(names))} ;;")
    out += ["    esac", "}", ""]

    out += [
        "# How the value of option $2 of command $1 completes; status 1 for a flag.",
        "_wfctl_option_value() {",
        '    case "$1|$2" in',
    ]
    for node in nodes[1:]:
        for o in node.options:
            if o.takes_value:
                pats = " | ".join(_q(f"{node.key}|{n}") for n in o.names)
                out.append(f"        {pats}) echo {_q(_value(o))} ;;")
            elif any(n in {x for r in root.options for x in r.names} for n in o.names):
                pats = " | ".join(_q(f"{node.key}|{n}") for n in o.names)
                out.append(f"        {pats}) return 1 ;;")
    for o in root.options:  # the group's options are accepted after a sub-command too
        if o.takes_value:
            pats = " | ".join("*" + _q(f"|{n}") for n in o.names)
            out.append(f"        {pats}) echo {_q(_value(o))} ;;")
    out += ["        *) return 1 ;;", "    esac", "}", ""]

    out += [
        "# How positional argument $2 (from 0) of command $1 completes.",
        "_wfctl_argument() {",
        '    case "$1|$2" in',
    ]
    for node in nodes:
        for i, a in enumerate(node.args):
            pat = _q(f"{node.key}|") + "*" if a.many else _q(f"{node.key}|{i}")
            out.append(f"        {pat}) echo {_q(_value(a))} ;;")
    out += ["        *) return 1 ;;", "    esac", "}", ""]

    out += [
        "# After how many arguments of command $1 every word belongs to another program.",
        "_wfctl_raw() {",
        '    case "$1" in',
    ]
    for node in nodes:
        if node.raw_after is not None:
            out.append(f"        {_q(node.key)}) echo {node.raw_after} ;;")
    out += ["        *) return 1 ;;", "    esac", "}", ""]
    return "\n".join(out)


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
                    @CONTEXT_PATTERN@) _wfctl_context+=("${w%%=*}" "${w#*=}") ;;
                esac
            elif _wfctl_option_value "$cmdpath" "$w" >/dev/null; then
                if ((i + 1 == cword)); then
                    opt="$w"
                    break
                fi
                ((i++))
                case "$w" in
                    @CONTEXT_PATTERN@) _wfctl_context+=("$w" "${_wfctl_words[i]}") ;;
                esac
            elif [[ $w == --embedded ]]; then
                _wfctl_context+=(--embedded)
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
        "# Generated from wfctl's command tree by `python -m wfctl.completion.generate`;\n"
        "# do not edit. Enable it with:  source <(wfctl completion bash)\n\n"
    )
    body = (
        _BODY.replace("@UNITS@", " ".join(DURATION_UNITS))
        .replace("@EXAMPLES@", " ".join(DURATION_EXAMPLES))
        .replace("@CONTEXT_PATTERN@", " | ".join(CONTEXT_OPTIONS))
    )
    return head + _tables(root) + body
