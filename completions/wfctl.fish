# fish completion for wfctl. Generated from wfctl's command tree by
# `python -m wfctl.cli.refresh_completions`; do not edit.
# Enable it with:  wfctl completion fish | source

function __wfctl_commands_of
    switch "$argv[1]"
        case ''
            printf '%s\n' completion config exec history list pause purge raise-event rerun resume serve start status suspend terminate wait worker workflows
        case 'config'
            printf '%s\n' init set-profile show use
    end
end

# How the value of option $argv[2] of command $argv[1] completes; 1 for a flag.
function __wfctl_option_value
    switch "$argv[1]|$argv[2]"
        case 'completion|--help'
            return 1
        case 'config|--help'
            return 1
        case 'config init|--help'
            return 1
        case 'config set-profile|--url'
            echo 'plain'
        case 'config set-profile|--transport'
            echo 'choice http grpc'
        case 'config set-profile|--grpc-endpoint'
            echo 'plain'
        case 'config set-profile|--api-version'
            echo 'choice v1.0-beta1 v1.0'
        case 'config set-profile|--component'
            echo 'plain'
        case 'config set-profile|--api-token-file'
            echo 'file'
        case 'config set-profile|--ca-cert'
            echo 'file'
        case 'config set-profile|--insecure' 'config set-profile|--verify'
            return 1
        case 'config set-profile|--request-timeout'
            echo 'duration'
        case 'config set-profile|--embedded' 'config set-profile|--no-embedded'
            return 1
        case 'config set-profile|--db'
            echo 'file'
        case 'config set-profile|--app'
            echo 'file'
        case 'config set-profile|--help'
            return 1
        case 'config show|--help'
            return 1
        case 'config use|--help'
            return 1
        case 'exec|--help'
            return 1
        case 'history|--interval'
            echo 'duration'
        case 'history|--help'
            return 1
        case 'list|--status'
            echo 'choice RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED'
        case 'list|--name'
            echo 'workflow'
        case 'list|--max-age'
            echo 'duration'
        case 'list|--limit'
            echo 'plain'
        case 'list|--interval'
            echo 'duration'
        case 'list|--help'
            return 1
        case 'pause|--status'
            echo 'choice RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED'
        case 'pause|--name'
            echo 'workflow'
        case 'pause|--older-than'
            echo 'duration'
        case 'pause|--max-age'
            echo 'duration'
        case 'pause|--id-prefix'
            echo 'plain'
        case 'pause|--help'
            return 1
        case 'purge|--older-than'
            echo 'duration'
        case 'purge|--status'
            echo 'choice RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED'
        case 'purge|--name'
            echo 'workflow'
        case 'purge|--max-age'
            echo 'duration'
        case 'purge|--id-prefix'
            echo 'plain'
        case 'purge|--help'
            return 1
        case 'raise-event|--data'
            echo 'plain'
        case 'raise-event|--data-file'
            echo 'file'
        case 'raise-event|--status'
            echo 'choice RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED'
        case 'raise-event|--name'
            echo 'workflow'
        case 'raise-event|--older-than'
            echo 'duration'
        case 'raise-event|--max-age'
            echo 'duration'
        case 'raise-event|--id-prefix'
            echo 'plain'
        case 'raise-event|--help'
            return 1
        case 'rerun|--from-event'
            echo 'plain'
        case 'rerun|--new-id'
            echo 'plain'
        case 'rerun|--input'
            echo 'plain'
        case 'rerun|--input-file'
            echo 'file'
        case 'rerun|--timeout'
            echo 'duration'
        case 'rerun|--interval'
            echo 'duration'
        case 'rerun|--help'
            return 1
        case 'resume|--status'
            echo 'choice RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED'
        case 'resume|--name'
            echo 'workflow'
        case 'resume|--older-than'
            echo 'duration'
        case 'resume|--max-age'
            echo 'duration'
        case 'resume|--id-prefix'
            echo 'plain'
        case 'resume|--help'
            return 1
        case 'serve|--host'
            echo 'plain'
        case 'serve|--port'
            echo 'plain'
        case 'serve|--grpc-port'
            echo 'plain'
        case 'serve|--app-id'
            echo 'plain'
        case 'serve|--max-body-size'
            echo 'plain'
        case 'serve|--header-timeout'
            echo 'plain'
        case 'serve|--work-item-timeout'
            echo 'plain'
        case 'serve|--allowed-host'
            echo 'plain'
        case 'serve|--help'
            return 1
        case 'start|--id'
            echo 'plain'
        case 'start|--input'
            echo 'plain'
        case 'start|--input-file'
            echo 'file'
        case 'start|--timeout'
            echo 'duration'
        case 'start|--interval'
            echo 'duration'
        case 'start|--at'
            echo 'plain'
        case 'start|--in'
            echo 'duration'
        case 'start|--help'
            return 1
        case 'status|--interval'
            echo 'duration'
        case 'status|--help'
            return 1
        case 'suspend|--status'
            echo 'choice RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED'
        case 'suspend|--name'
            echo 'workflow'
        case 'suspend|--older-than'
            echo 'duration'
        case 'suspend|--max-age'
            echo 'duration'
        case 'suspend|--id-prefix'
            echo 'plain'
        case 'suspend|--help'
            return 1
        case 'terminate|--result'
            echo 'plain'
        case 'terminate|--status'
            echo 'choice RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED'
        case 'terminate|--name'
            echo 'workflow'
        case 'terminate|--older-than'
            echo 'duration'
        case 'terminate|--max-age'
            echo 'duration'
        case 'terminate|--id-prefix'
            echo 'plain'
        case 'terminate|--help'
            return 1
        case 'wait|--for'
            echo 'choice start completion'
        case 'wait|--timeout'
            echo 'duration'
        case 'wait|--interval'
            echo 'duration'
        case 'wait|--help'
            return 1
        case 'worker|--concurrency'
            echo 'plain'
        case 'worker|--help'
            return 1
        case 'workflows|--help'
            return 1
        case '*|--url'
            echo 'plain'
        case '*|--transport'
            echo 'choice http grpc'
        case '*|--grpc-endpoint'
            echo 'plain'
        case '*|--api-version'
            echo 'choice v1.0-beta1 v1.0'
        case '*|--component'
            echo 'plain'
        case '*|--api-token'
            echo 'plain'
        case '*|--api-token-file'
            echo 'file'
        case '*|--ca-cert'
            echo 'file'
        case '*|--request-timeout'
            echo 'duration'
        case '*|--output' '*|-o'
            echo 'choice table wide json yaml ids'
        case '*|--profile'
            echo 'plain'
        case '*|--config'
            echo 'file'
        case '*|--db'
            echo 'file'
        case '*|--app'
            echo 'file'
        case '*|--drive'
            echo 'duration'
        case '*'
            return 1
    end
end

function __wfctl_raw
    switch "$argv[1]"
        case 'exec'
            echo 1
        case '*'
            return 1
    end
end

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
                if contains -- $kv[1] --url --transport --grpc-endpoint --api-token --api-token-file --ca-cert --profile --config --db
                    set -a __wfctl_ctx $kv[1] $kv[2]
                end
            else if __wfctl_option_value "$__wfctl_path" $w >/dev/null
                set i (math $i + 1)
                if test $i -le $n; and contains -- $w --url --transport --grpc-endpoint --api-token --api-token-file --ca-cert --profile --config --db
                    set -a __wfctl_ctx $w $tokens[$i]
                end
            else if contains -- $w --insecure --embedded --no-embedded
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
        printf "$cur%s\n" ms s m h d
    else
        printf '%s\n' 500ms 30s 5m 1h 1d
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
complete -c wfctl -n '__wfctl_at \'\'' -a 'completion' -d 'Print the shell completion script for SHELL'
complete -c wfctl -n '__wfctl_at \'\'' -a 'config' -d 'Inspect and write wfctl\'s settings'
complete -c wfctl -n '__wfctl_at \'\'' -a 'exec' -d 'Run a Dapr workflow app as __main__ against the embedded engine (no sidecar)'
complete -c wfctl -n '__wfctl_at \'\'' -a 'history' -d 'Show an instance\'s history as a timeline: TYPE, NAME, EVENTID, ELAPSED...'
complete -c wfctl -n '__wfctl_at \'\'' -a 'list' -d 'List instances, newest first (embedded, `wfctl serve`, or a sidecar over gRPC)'
complete -c wfctl -n '__wfctl_at \'\'' -a 'pause' -d 'Pause (suspend) instances; events sent meanwhile queue up until resume'
complete -c wfctl -n '__wfctl_at \'\'' -a 'purge' -d 'Delete finished instances (and their children) with their history'
complete -c wfctl -n '__wfctl_at \'\'' -a 'raise-event' -d 'Send an event to an instance (it is buffered if the workflow is not waiting yet)'
complete -c wfctl -n '__wfctl_at \'\'' -a 'rerun' -d 'Rerun a finished instance from one of its steps, as a new instance; print its ID'
complete -c wfctl -n '__wfctl_at \'\'' -a 'resume' -d 'Resume paused instances'
complete -c wfctl -n '__wfctl_at \'\'' -a 'serve' -d 'Serve the Dapr workflow HTTP API over the embedded engine'
complete -c wfctl -n '__wfctl_at \'\'' -a 'start' -d 'Start a workflow instance and print its ID at once'
complete -c wfctl -n '__wfctl_at \'\'' -a 'status' -d 'Show instances: workflow, status, times, custom status, input, output, failure'
complete -c wfctl -n '__wfctl_at \'\'' -a 'suspend' -d 'Alias of pause'
complete -c wfctl -n '__wfctl_at \'\'' -a 'terminate' -d 'Terminate instances (and their child workflows); finished ones are left alone'
complete -c wfctl -n '__wfctl_at \'\'' -a 'wait' -d 'Wait until instances have started or finished; the exit code says how they ended'
complete -c wfctl -n '__wfctl_at \'\'' -a 'worker' -d 'Run the embedded engine\'s worker until Ctrl-C: activities, timers, workflow...'
complete -c wfctl -n '__wfctl_at \'\'' -a 'workflows' -d 'List the workflow names the app registers'
complete -c wfctl -l 'url' -x -d 'Sidecar base URL [env DAPR_HTTP_ENDPOINT, DAPR_RUNTIME_HOST/DAPR_HTTP_PORT...'
complete -c wfctl -l 'transport' -x -a 'http grpc' -d 'How to reach the sidecar [env WFCTL_TRANSPORT; default http]'
complete -c wfctl -l 'grpc-endpoint' -x -d 'Sidecar gRPC endpoint; implies --transport grpc [env DAPR_GRPC_ENDPOINT...'
complete -c wfctl -l 'api-version' -x -a 'v1.0-beta1 v1.0' -d 'v1.0-beta1 (default, every daprd) or v1.0'
complete -c wfctl -l 'component' -x -d 'Workflow component [dapr]'
complete -c wfctl -l 'api-token' -x -d 'API token [env DAPR_API_TOKEN]'
complete -c wfctl -l 'api-token-file' -r -F -d 'Read the API token here'
complete -c wfctl -l 'ca-cert' -r -F -d 'CA bundle for an https:// URL or grpcs:// endpoint'
complete -c wfctl -l 'insecure' -d 'Do not verify the server\'s TLS certificate'
complete -c wfctl -l 'request-timeout' -x -a '(__wfctl_durations)' -d 'Timeout of one request [30s]'
complete -c wfctl -l 'output' -s 'o' -x -a 'table wide json yaml ids' -d 'table, json or yaml (list: +wide, ids)'
complete -c wfctl -l 'quiet' -s 'q' -d 'Print only IDs/statuses'
complete -c wfctl -l 'no-color' -d 'No colour (also NO_COLOR)'
complete -c wfctl -l 'verbose' -d 'Log requests; tracebacks for internal errors'
complete -c wfctl -l 'profile' -x -d 'Config profile [env WFCTL_PROFILE]'
complete -c wfctl -l 'config' -r -F -d 'Config file [env WFCTL_CONFIG; default $XDG_CONFIG_HOME/wfctl/config.yaml]'
complete -c wfctl -l 'embedded' -l 'no-embedded' -d 'Use the embedded engine [env WFCTL_EMBEDDED=1; --url beats the env]'
complete -c wfctl -l 'db' -r -F -d 'Embedded database file [env WFCTL_DB]'
complete -c wfctl -l 'app' -r -F -d 'Workflow app [env WFCTL_APP]'
complete -c wfctl -l 'drive' -x -a '(__wfctl_durations)' -d 'Embedded: drive the engine at most D [30s]'
complete -c wfctl -l 'detach' -d 'Embedded: record the change, do not drive'
complete -c wfctl -l 'version' -d 'Print the version and exit'
complete -c wfctl -s 'h' -l 'help' -d 'Show help and exit'
complete -c wfctl -n '__wfctl_arg \'completion\' 0' -a 'bash zsh fish'
complete -c wfctl -n '__wfctl_at \'config\'' -a 'init' -d 'Write a commented config file with a \'local\' profile (an existing one is kept)'
complete -c wfctl -n '__wfctl_at \'config\'' -a 'set-profile' -d 'Create or update a profile in the config file (keys not given are kept)'
complete -c wfctl -n '__wfctl_at \'config\'' -a 'show' -d 'Print the resolved settings and where each came from (the token is masked)'
complete -c wfctl -n '__wfctl_at \'config\'' -a 'use' -d 'Make a profile the default one'
complete -c wfctl -n '__wfctl_in \'config init\'' -l 'force' -d 'Replace an existing file'
complete -c wfctl -n '__wfctl_in \'config set-profile\'' -l 'insecure' -l 'verify' -d 'Do not verify (or do verify) TLS certificates'
complete -c wfctl -n '__wfctl_in \'config set-profile\'' -l 'default' -d 'Also make it the default profile'
complete -c wfctl -n '__wfctl_arg \'exec\' 0' -F
complete -c wfctl -n '__wfctl_arg \'exec\' 1 many' -F
complete -c wfctl -n '__wfctl_in \'history\'' -l 'full' -d 'Show every payload whole in the table'
complete -c wfctl -n '__wfctl_in \'history\'' -l 'gantt' -d 'Draw activities, timers and children on a time axis'
complete -c wfctl -n '__wfctl_in \'history\'' -l 'follow' -s 'f' -d 'Print events as they happen until the end'
complete -c wfctl -n '__wfctl_in \'history\'' -l 'interval' -x -a '(__wfctl_durations)' -d 'With --follow: look every D'
complete -c wfctl -n '__wfctl_arg \'history\' 0' -k -a '(__wfctl_dynamic instances)'
complete -c wfctl -n '__wfctl_in \'list\'' -l 'status' -x -a 'RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED' -d 'Only these statuses (repeatable, or a,b)'
complete -c wfctl -n '__wfctl_in \'list\'' -l 'name' -k -x -a '(__wfctl_dynamic workflows)' -d 'Only this workflow'
complete -c wfctl -n '__wfctl_in \'list\'' -l 'max-age' -x -a '(__wfctl_durations)' -d 'Only instances created within D'
complete -c wfctl -n '__wfctl_in \'list\'' -l 'limit' -x -d 'At most N instances'
complete -c wfctl -n '__wfctl_in \'list\'' -l 'no-headers' -d 'Table without its header row'
complete -c wfctl -n '__wfctl_in \'list\'' -l 'watch' -s 'w' -d 'Refresh until Ctrl-C (tables only)'
complete -c wfctl -n '__wfctl_in \'list\'' -l 'interval' -x -a '(__wfctl_durations)' -d 'With --watch: refresh every D'
complete -c wfctl -n '__wfctl_in \'pause\'' -l 'status' -x -a 'RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED' -d 'Bulk: only these statuses (repeatable, or a,b)'
complete -c wfctl -n '__wfctl_in \'pause\'' -l 'name' -k -x -a '(__wfctl_dynamic workflows)' -d 'Bulk: only this workflow'
complete -c wfctl -n '__wfctl_in \'pause\'' -l 'older-than' -x -a '(__wfctl_durations)' -d 'Bulk: only those last updated over D ago'
complete -c wfctl -n '__wfctl_in \'pause\'' -l 'max-age' -x -a '(__wfctl_durations)' -d 'Bulk: only those created within D'
complete -c wfctl -n '__wfctl_in \'pause\'' -l 'id-prefix' -x -d 'Bulk: only IDs that start with P'
complete -c wfctl -n '__wfctl_in \'pause\'' -l 'dry-run' -d 'Bulk: list what would change; change nothing'
complete -c wfctl -n '__wfctl_in \'pause\'' -l 'yes' -s 'y' -d 'Do not ask before changing several instances'
complete -c wfctl -n '__wfctl_arg \'pause\' 0 many' -k -a '(__wfctl_dynamic instances)'
complete -c wfctl -n '__wfctl_in \'purge\'' -l 'older-than' -x -a '(__wfctl_durations)' -d 'Bulk: finished instances last updated over D ago'
complete -c wfctl -n '__wfctl_in \'purge\'' -l 'status' -x -a 'RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED' -d 'Bulk: only these statuses (repeatable, or a,b)'
complete -c wfctl -n '__wfctl_in \'purge\'' -l 'name' -k -x -a '(__wfctl_dynamic workflows)' -d 'Bulk: only this workflow'
complete -c wfctl -n '__wfctl_in \'purge\'' -l 'max-age' -x -a '(__wfctl_durations)' -d 'Bulk: only those created within D'
complete -c wfctl -n '__wfctl_in \'purge\'' -l 'id-prefix' -x -d 'Bulk: only IDs that start with P'
complete -c wfctl -n '__wfctl_in \'purge\'' -l 'dry-run' -d 'Bulk: list what would go; delete nothing'
complete -c wfctl -n '__wfctl_in \'purge\'' -l 'yes' -s 'y' -d 'Do not ask for confirmation'
complete -c wfctl -n '__wfctl_arg \'purge\' 0 many' -k -a '(__wfctl_dynamic instances)'
complete -c wfctl -n '__wfctl_in \'raise-event\'' -l 'data' -x -d 'Event data, as JSON'
complete -c wfctl -n '__wfctl_in \'raise-event\'' -l 'data-file' -r -F -d 'Read the data here (- = stdin)'
complete -c wfctl -n '__wfctl_in \'raise-event\'' -l 'raw' -d 'Send the data as is, unchecked'
complete -c wfctl -n '__wfctl_in \'raise-event\'' -l 'status' -x -a 'RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED' -d 'Bulk: only these statuses (repeatable, or a,b)'
complete -c wfctl -n '__wfctl_in \'raise-event\'' -l 'name' -k -x -a '(__wfctl_dynamic workflows)' -d 'Bulk: only this workflow'
complete -c wfctl -n '__wfctl_in \'raise-event\'' -l 'older-than' -x -a '(__wfctl_durations)' -d 'Bulk: only those last updated over D ago'
complete -c wfctl -n '__wfctl_in \'raise-event\'' -l 'max-age' -x -a '(__wfctl_durations)' -d 'Bulk: only those created within D'
complete -c wfctl -n '__wfctl_in \'raise-event\'' -l 'id-prefix' -x -d 'Bulk: only IDs that start with P'
complete -c wfctl -n '__wfctl_in \'raise-event\'' -l 'dry-run' -d 'Bulk: list what would change; change nothing'
complete -c wfctl -n '__wfctl_in \'raise-event\'' -l 'yes' -s 'y' -d 'Do not ask before changing several instances'
complete -c wfctl -n '__wfctl_arg \'raise-event\' 0' -k -a '(__wfctl_dynamic instances)'
complete -c wfctl -n '__wfctl_arg \'raise-event\' 1' -k -a '(__wfctl_dynamic events)'
complete -c wfctl -n '__wfctl_in \'rerun\'' -l 'from-event' -x -d 'Rerun from this EVENTID of `wfctl history`: an activity\'s TaskScheduled'
complete -c wfctl -n '__wfctl_in \'rerun\'' -l 'new-id' -x -d 'The new instance\'s ID (default: new)'
complete -c wfctl -n '__wfctl_in \'rerun\'' -l 'input' -x -d 'A new input for that step, as JSON text'
complete -c wfctl -n '__wfctl_in \'rerun\'' -l 'input-file' -r -F -d 'Read the input here (- = stdin)'
complete -c wfctl -n '__wfctl_in \'rerun\'' -l 'raw' -d 'Send the input as is, unchecked'
complete -c wfctl -n '__wfctl_in \'rerun\'' -l 'wait' -d 'Wait for the new instance to finish'
complete -c wfctl -n '__wfctl_in \'rerun\'' -l 'timeout' -x -a '(__wfctl_durations)' -d 'With --wait: give up after D'
complete -c wfctl -n '__wfctl_in \'rerun\'' -l 'interval' -x -a '(__wfctl_durations)' -d 'With --wait: longest poll interval'
complete -c wfctl -n '__wfctl_arg \'rerun\' 0' -k -a '(__wfctl_dynamic instances)'
complete -c wfctl -n '__wfctl_in \'resume\'' -l 'status' -x -a 'RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED' -d 'Bulk: only these statuses (repeatable, or a,b)'
complete -c wfctl -n '__wfctl_in \'resume\'' -l 'name' -k -x -a '(__wfctl_dynamic workflows)' -d 'Bulk: only this workflow'
complete -c wfctl -n '__wfctl_in \'resume\'' -l 'older-than' -x -a '(__wfctl_durations)' -d 'Bulk: only those last updated over D ago'
complete -c wfctl -n '__wfctl_in \'resume\'' -l 'max-age' -x -a '(__wfctl_durations)' -d 'Bulk: only those created within D'
complete -c wfctl -n '__wfctl_in \'resume\'' -l 'id-prefix' -x -d 'Bulk: only IDs that start with P'
complete -c wfctl -n '__wfctl_in \'resume\'' -l 'dry-run' -d 'Bulk: list what would change; change nothing'
complete -c wfctl -n '__wfctl_in \'resume\'' -l 'yes' -s 'y' -d 'Do not ask before changing several instances'
complete -c wfctl -n '__wfctl_arg \'resume\' 0 many' -k -a '(__wfctl_dynamic instances)'
complete -c wfctl -n '__wfctl_in \'serve\'' -l 'host' -x -d 'Address to bind'
complete -c wfctl -n '__wfctl_in \'serve\'' -l 'port' -x -d 'Port to listen on'
complete -c wfctl -n '__wfctl_in \'serve\'' -l 'no-ui' -d 'Do not serve the web view at / (API only)'
complete -c wfctl -n '__wfctl_in \'serve\'' -l 'grpc-port' -x -d 'Also serve daprd\'s workflow gRPC API here, for Dapr SDK apps (0: any port)'
complete -c wfctl -n '__wfctl_in \'serve\'' -l 'app-id' -x -d 'The Dapr app id gRPC workers see'
complete -c wfctl -n '__wfctl_in \'serve\'' -l 'max-body-size' -x -d 'Largest gRPC message accepted or sent'
complete -c wfctl -n '__wfctl_in \'serve\'' -l 'header-timeout' -x -d 'Close a connection whose request headers take longer than this'
complete -c wfctl -n '__wfctl_in \'serve\'' -l 'work-item-timeout' -x -d 'Hand a gRPC worker\'s turn or activity to another after this (0: never)'
complete -c wfctl -n '__wfctl_in \'serve\'' -l 'allowed-host' -x -d 'Also answer this Host name, e.g'
complete -c wfctl -n '__wfctl_in \'start\'' -l 'id' -x -d 'Instance ID (default: a new UUID)'
complete -c wfctl -n '__wfctl_in \'start\'' -l 'input' -x -d 'Input, as JSON text'
complete -c wfctl -n '__wfctl_in \'start\'' -l 'input-file' -r -F -d 'Read the input here (- = stdin)'
complete -c wfctl -n '__wfctl_in \'start\'' -l 'raw' -d 'Send the input as is, unchecked'
complete -c wfctl -n '__wfctl_in \'start\'' -l 'wait' -d 'Wait for the instance to finish'
complete -c wfctl -n '__wfctl_in \'start\'' -l 'timeout' -x -a '(__wfctl_durations)' -d 'With --wait: give up after D'
complete -c wfctl -n '__wfctl_in \'start\'' -l 'interval' -x -a '(__wfctl_durations)' -d 'With --wait: longest poll interval'
complete -c wfctl -n '__wfctl_in \'start\'' -l 'at' -x -d 'Start at TIME (RFC 3339; embedded or gRPC)'
complete -c wfctl -n '__wfctl_in \'start\'' -l 'in' -x -a '(__wfctl_durations)' -d 'Start after D (embedded or gRPC)'
complete -c wfctl -n '__wfctl_arg \'start\' 0' -k -a '(__wfctl_dynamic workflows)'
complete -c wfctl -n '__wfctl_in \'status\'' -l 'watch' -s 'w' -d 'Refresh until every instance has finished'
complete -c wfctl -n '__wfctl_in \'status\'' -l 'interval' -x -a '(__wfctl_durations)' -d 'With --watch: refresh every D'
complete -c wfctl -n '__wfctl_arg \'status\' 0 many' -k -a '(__wfctl_dynamic instances)'
complete -c wfctl -n '__wfctl_in \'suspend\'' -l 'status' -x -a 'RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED' -d 'Bulk: only these statuses (repeatable, or a,b)'
complete -c wfctl -n '__wfctl_in \'suspend\'' -l 'name' -k -x -a '(__wfctl_dynamic workflows)' -d 'Bulk: only this workflow'
complete -c wfctl -n '__wfctl_in \'suspend\'' -l 'older-than' -x -a '(__wfctl_durations)' -d 'Bulk: only those last updated over D ago'
complete -c wfctl -n '__wfctl_in \'suspend\'' -l 'max-age' -x -a '(__wfctl_durations)' -d 'Bulk: only those created within D'
complete -c wfctl -n '__wfctl_in \'suspend\'' -l 'id-prefix' -x -d 'Bulk: only IDs that start with P'
complete -c wfctl -n '__wfctl_in \'suspend\'' -l 'dry-run' -d 'Bulk: list what would change; change nothing'
complete -c wfctl -n '__wfctl_in \'suspend\'' -l 'yes' -s 'y' -d 'Do not ask before changing several instances'
complete -c wfctl -n '__wfctl_arg \'suspend\' 0 many' -k -a '(__wfctl_dynamic instances)'
complete -c wfctl -n '__wfctl_in \'terminate\'' -l 'result' -x -d 'Output to record (embedded or gRPC: Dapr\'s HTTP API ignores it)'
complete -c wfctl -n '__wfctl_in \'terminate\'' -l 'status' -x -a 'RUNNING COMPLETED CONTINUED_AS_NEW FAILED CANCELED TERMINATED PENDING SUSPENDED STALLED' -d 'Bulk: only these statuses (repeatable, or a,b)'
complete -c wfctl -n '__wfctl_in \'terminate\'' -l 'name' -k -x -a '(__wfctl_dynamic workflows)' -d 'Bulk: only this workflow'
complete -c wfctl -n '__wfctl_in \'terminate\'' -l 'older-than' -x -a '(__wfctl_durations)' -d 'Bulk: only those last updated over D ago'
complete -c wfctl -n '__wfctl_in \'terminate\'' -l 'max-age' -x -a '(__wfctl_durations)' -d 'Bulk: only those created within D'
complete -c wfctl -n '__wfctl_in \'terminate\'' -l 'id-prefix' -x -d 'Bulk: only IDs that start with P'
complete -c wfctl -n '__wfctl_in \'terminate\'' -l 'dry-run' -d 'Bulk: list what would change; change nothing'
complete -c wfctl -n '__wfctl_in \'terminate\'' -l 'yes' -s 'y' -d 'Do not ask before changing several instances'
complete -c wfctl -n '__wfctl_arg \'terminate\' 0 many' -k -a '(__wfctl_dynamic instances)'
complete -c wfctl -n '__wfctl_in \'wait\'' -l 'for' -x -a 'start completion' -d 'What to wait for'
complete -c wfctl -n '__wfctl_in \'wait\'' -l 'timeout' -x -a '(__wfctl_durations)' -d 'Give up after D'
complete -c wfctl -n '__wfctl_in \'wait\'' -l 'interval' -x -a '(__wfctl_durations)' -d 'Longest poll interval'
complete -c wfctl -n '__wfctl_arg \'wait\' 0 many' -k -a '(__wfctl_dynamic instances)'
complete -c wfctl -n '__wfctl_in \'worker\'' -l 'concurrency' -x -d 'Activities run at once'
