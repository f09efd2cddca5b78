# bash completion for wfctl                                -*- shell-script -*-
# Generated from wfctl's command tree by `python -m wfctl.cli.refresh_completions`;
# do not edit. Enable it with:  source <(wfctl completion bash)

_wfctl_commands() {
    case "$1" in
        "") echo "completion config exec history list pause purge raise-event rerun resume serve start status suspend terminate wait worker workflows" ;;
        "config") echo "init set-profile show use" ;;
    esac
}

_wfctl_options() {
    case "$1" in
        "") echo "--url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "completion") echo "--url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "config") echo "--url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "config init") echo "--force --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "config set-profile") echo "--insecure --verify --default --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "config show") echo "--url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "config use") echo "--url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "exec") echo "--url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "history") echo "--full --gantt --follow -f --interval --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "list") echo "--status --name --max-age --limit --no-headers --watch -w --interval --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "pause") echo "--status --name --older-than --max-age --id-prefix --dry-run --yes -y --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "purge") echo "--older-than --status --name --max-age --id-prefix --dry-run --yes -y --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "raise-event") echo "--data --data-file --raw --status --name --older-than --max-age --id-prefix --dry-run --yes -y --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "rerun") echo "--from-event --new-id --input --input-file --raw --wait --timeout --interval --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "resume") echo "--status --name --older-than --max-age --id-prefix --dry-run --yes -y --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "serve") echo "--host --port --no-ui --grpc-port --app-id --max-body-size --header-timeout --work-item-timeout --allowed-host --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "start") echo "--id --input --input-file --raw --wait --timeout --interval --at --in --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "status") echo "--watch -w --interval --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "suspend") echo "--status --name --older-than --max-age --id-prefix --dry-run --yes -y --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "terminate") echo "--result --status --name --older-than --max-age --id-prefix --dry-run --yes -y --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "wait") echo "--for --timeout --interval --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "worker") echo "--concurrency --url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
        "workflows") echo "--url --transport --grpc-endpoint --api-version --component --api-token --api-token-file --ca-cert --insecure --request-timeout --output -o --quiet -q --no-color --verbose --profile --config --embedded --no-embedded --db --app --drive --detach --version -h --help" ;;
    esac
}

# How the value of option $2 of command $1 completes; status 1 for a flag.
_wfctl_option_value() {
    case "$1|$2" in
        "completion|--help") return 1 ;;
        "config|--help") return 1 ;;
        "config init|--help") return 1 ;;
        "config set-profile|--url") echo "plain" ;;
        "config set-profile|--transport") echo "choice http grpc" ;;
        "config set-profile|--grpc-endpoint") echo "plain" ;;
        "config set-profile|--api-version") echo "choice v1.0-beta1 v1.0" ;;
        "config set-profile|--component") echo "plain" ;;
        "config set-profile|--api-token-file") echo "file" ;;
        "config set-profile|--ca-cert") echo "file" ;;
        "config set-profile|--insecure" | "config set-profile|--verify") return 1 ;;
        "config set-profile|--request-timeout") echo "duration" ;;
        "config set-profile|--embedded" | "config set-profile|--no-embedded") return 1 ;;
        "config set-profile|--db") echo "file" ;;
        "config set-profile|--app") echo "file" ;;
        "config set-profile|--help") return 1 ;;
        "config show|--help") return 1 ;;
        "config use|--help") return 1 ;;
        "exec|--help") return 1 ;;
        "history|--interval") echo "duration" ;;
        "history|--help") return 1 ;;
        "list|--status") echo "choice RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED" ;;
        "list|--name") echo "workflow" ;;
        "list|--max-age") echo "duration" ;;
        "list|--limit") echo "plain" ;;
        "list|--interval") echo "duration" ;;
        "list|--help") return 1 ;;
        "pause|--status") echo "choice RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED" ;;
        "pause|--name") echo "workflow" ;;
        "pause|--older-than") echo "duration" ;;
        "pause|--max-age") echo "duration" ;;
        "pause|--id-prefix") echo "plain" ;;
        "pause|--help") return 1 ;;
        "purge|--older-than") echo "duration" ;;
        "purge|--status") echo "choice RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED" ;;
        "purge|--name") echo "workflow" ;;
        "purge|--max-age") echo "duration" ;;
        "purge|--id-prefix") echo "plain" ;;
        "purge|--help") return 1 ;;
        "raise-event|--data") echo "plain" ;;
        "raise-event|--data-file") echo "file" ;;
        "raise-event|--status") echo "choice RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED" ;;
        "raise-event|--name") echo "workflow" ;;
        "raise-event|--older-than") echo "duration" ;;
        "raise-event|--max-age") echo "duration" ;;
        "raise-event|--id-prefix") echo "plain" ;;
        "raise-event|--help") return 1 ;;
        "rerun|--from-event") echo "plain" ;;
        "rerun|--new-id") echo "plain" ;;
        "rerun|--input") echo "plain" ;;
        "rerun|--input-file") echo "file" ;;
        "rerun|--timeout") echo "duration" ;;
        "rerun|--interval") echo "duration" ;;
        "rerun|--help") return 1 ;;
        "resume|--status") echo "choice RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED" ;;
        "resume|--name") echo "workflow" ;;
        "resume|--older-than") echo "duration" ;;
        "resume|--max-age") echo "duration" ;;
        "resume|--id-prefix") echo "plain" ;;
        "resume|--help") return 1 ;;
        "serve|--host") echo "plain" ;;
        "serve|--port") echo "plain" ;;
        "serve|--grpc-port") echo "plain" ;;
        "serve|--app-id") echo "plain" ;;
        "serve|--max-body-size") echo "plain" ;;
        "serve|--header-timeout") echo "plain" ;;
        "serve|--work-item-timeout") echo "plain" ;;
        "serve|--allowed-host") echo "plain" ;;
        "serve|--help") return 1 ;;
        "start|--id") echo "plain" ;;
        "start|--input") echo "plain" ;;
        "start|--input-file") echo "file" ;;
        "start|--timeout") echo "duration" ;;
        "start|--interval") echo "duration" ;;
        "start|--at") echo "plain" ;;
        "start|--in") echo "duration" ;;
        "start|--help") return 1 ;;
        "status|--interval") echo "duration" ;;
        "status|--help") return 1 ;;
        "suspend|--status") echo "choice RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED" ;;
        "suspend|--name") echo "workflow" ;;
        "suspend|--older-than") echo "duration" ;;
        "suspend|--max-age") echo "duration" ;;
        "suspend|--id-prefix") echo "plain" ;;
        "suspend|--help") return 1 ;;
        "terminate|--result") echo "plain" ;;
        "terminate|--status") echo "choice RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED" ;;
        "terminate|--name") echo "workflow" ;;
        "terminate|--older-than") echo "duration" ;;
        "terminate|--max-age") echo "duration" ;;
        "terminate|--id-prefix") echo "plain" ;;
        "terminate|--help") return 1 ;;
        "wait|--for") echo "choice start completion" ;;
        "wait|--timeout") echo "duration" ;;
        "wait|--interval") echo "duration" ;;
        "wait|--help") return 1 ;;
        "worker|--concurrency") echo "plain" ;;
        "worker|--help") return 1 ;;
        "workflows|--help") return 1 ;;
        *"|--url") echo "plain" ;;
        *"|--transport") echo "choice http grpc" ;;
        *"|--grpc-endpoint") echo "plain" ;;
        *"|--api-version") echo "choice v1.0-beta1 v1.0" ;;
        *"|--component") echo "plain" ;;
        *"|--api-token") echo "plain" ;;
        *"|--api-token-file") echo "file" ;;
        *"|--ca-cert") echo "file" ;;
        *"|--request-timeout") echo "duration" ;;
        *"|--output" | *"|-o") echo "choice table wide json yaml ids" ;;
        *"|--profile") echo "plain" ;;
        *"|--config") echo "file" ;;
        *"|--db") echo "file" ;;
        *"|--app") echo "file" ;;
        *"|--drive") echo "duration" ;;
        *) return 1 ;;
    esac
}

# How positional argument $2 (from 0) of command $1 completes.
_wfctl_argument() {
    case "$1|$2" in
        "completion|0") echo "choice bash zsh fish" ;;
        "config set-profile|0") echo "plain" ;;
        "config use|0") echo "plain" ;;
        "exec|0") echo "file" ;;
        "exec|"*) echo "file" ;;
        "history|0") echo "instance" ;;
        "pause|"*) echo "instance" ;;
        "purge|"*) echo "instance" ;;
        "raise-event|0") echo "instance" ;;
        "raise-event|1") echo "event" ;;
        "rerun|0") echo "instance" ;;
        "resume|"*) echo "instance" ;;
        "start|0") echo "workflow" ;;
        "status|"*) echo "instance" ;;
        "suspend|"*) echo "instance" ;;
        "terminate|"*) echo "instance" ;;
        "wait|"*) echo "instance" ;;
        *) return 1 ;;
    esac
}

# After how many arguments of command $1 every word belongs to another program.
_wfctl_raw() {
    case "$1" in
        "exec") echo 1 ;;
        *) return 1 ;;
    esac
}

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
                for line in ms s m h d; do COMPREPLY+=("$cur$line"); done
            elif [[ -z $cur ]]; then
                COMPREPLY+=(500ms 30s 5m 1h 1d)
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
                    --url | --transport | --grpc-endpoint | --api-token | --api-token-file | --ca-cert | --profile | --config | --db) _wfctl_context+=("${w%%=*}" "${w#*=}") ;;
                esac
            elif _wfctl_option_value "$cmdpath" "$w" >/dev/null; then
                if ((i + 1 == cword)); then
                    opt="$w"
                    break
                fi
                ((i++))
                case "$w" in
                    --url | --transport | --grpc-endpoint | --api-token | --api-token-file | --ca-cert | --profile | --config | --db) _wfctl_context+=("$w" "${_wfctl_words[i]}") ;;
                esac
            elif [[ $w == --insecure || $w == --embedded || $w == --no-embedded ]]; then
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
