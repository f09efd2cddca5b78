"""Each command's own options and arguments, as data (the global ones: :mod:`wfctl.options`).

``tests/cli/test_options_spec.py`` checks every command's Typer declarations against
:data:`COMMAND_OPTIONS`, and the completion scripts take each value's kind from it.
"""

from __future__ import annotations

from wfctl.options import API_VERSIONS, STATUSES, TRANSPORTS, Arg, Option

_IDS = Arg("ids", "ID", "Instance IDs.", many=True, kind="instance")


def _bulk(dry_run: str, yes: str, older_than: str = "Bulk: only those last updated over D ago.",
          first: tuple[str, ...] = ()) -> tuple[Option, ...]:  # fmt: skip
    """The FILTER of the bulk actions (wfctl.cli.bulk), then --dry-run and --yes."""
    by_name = {
        "status_": Option("status_", "--status", type="list", metavar="S", choices=STATUSES,
                          help="Bulk: only these statuses (repeatable, or a,b)."),
        "name": Option("name", "--name", metavar="N", kind="workflow",
                       help="Bulk: only this workflow."),
        "older_than": Option("older_than", "--older-than", type="duration", metavar="D",
                             help=older_than),
        "max_age": Option("max_age", "--max-age", type="duration", metavar="D",
                          help="Bulk: only those created within D."),
        "id_prefix": Option("id_prefix", "--id-prefix", metavar="P",
                            help="Bulk: only IDs that start with P."),
    }  # fmt: skip
    order = [*first, *(k for k in by_name if k not in first)]
    return (
        *(by_name[k] for k in order),
        Option("dry_run", "--dry-run", type="flag", default=False, help=dry_run),
        Option("yes", "--yes", "-y", type="flag", default=False, help=yes),
    )


_CHANGE = "Bulk: list what would change; change nothing."
_ASK = "Do not ask before changing several instances."
_WAIT = (
    Option("wait", "--wait", type="flag", default=False, help="Wait for the instance to finish."),
    Option("timeout", "--timeout", type="duration", metavar="D",
           help="With --wait: give up after D."),
    Option("interval", "--interval", type="duration", metavar="D", default="1s",
           help="With --wait: longest poll interval."),
)  # fmt: skip
_INPUT = (
    Option("input", "--input", metavar="JSON", help="Input, as JSON text."),
    Option("input_file", "--input-file", type="path", metavar="PATH",
           help="Read the input here (- = stdin)."),
    Option("raw", "--raw", type="flag", default=False, help="Send the input as is, unchecked."),
)  # fmt: skip

#: Each command's own arguments and options, by command path, in declaration order.
COMMAND_OPTIONS: dict[str, tuple[Option, ...]] = {
    "start": (
        Arg("name", "NAME", "Workflow name.", kind="workflow"),
        Option("instance_id", "--id", metavar="ID", help="Instance ID (default: a new UUID)."),
        *_INPUT,
        Option(
            "wait", "--wait", type="flag", default=False, help="Wait for the instance to finish."
        ),
        *_WAIT[1:],
        Option("at", "--at", metavar="TIME", help="Start at TIME (RFC 3339; embedded or gRPC)."),
        Option(
            "in_", "--in", type="duration", metavar="D", help="Start after D (embedded or gRPC)."
        ),
    ),
    "status": (
        _IDS,
        Option(
            "watch",
            "--watch",
            "-w",
            type="flag",
            default=False,
            help="Refresh until every instance has finished.",
        ),
        Option(
            "interval",
            "--interval",
            type="duration",
            metavar="D",
            default="2s",
            help="With --watch: refresh every D.",
        ),
    ),
    "wait": (
        _IDS,
        Option(
            "for_",
            "--for",
            metavar="start|completion",
            default="completion",
            choices=("start", "completion"),
            help="What to wait for.",
        ),
        Option("timeout", "--timeout", type="duration", metavar="D", help="Give up after D."),
        Option(
            "interval",
            "--interval",
            type="duration",
            metavar="D",
            default="1s",
            help="Longest poll interval.",
        ),
    ),
    "pause": (_IDS, *_bulk(_CHANGE, _ASK)),
    "suspend": (_IDS, *_bulk(_CHANGE, _ASK)),
    "resume": (_IDS, *_bulk(_CHANGE, _ASK)),
    "terminate": (
        _IDS,
        Option(
            "result",
            "--result",
            metavar="JSON",
            help="Output to record (embedded or gRPC: Dapr's HTTP API ignores it).",
        ),
        *_bulk(_CHANGE, _ASK),
    ),
    "raise-event": (
        Arg("instance_id", "ID", "Instance ID (none with a filter).", kind="instance"),
        Arg("event", "EVENT", "Event name.", kind="event"),
        Option("data", "--data", metavar="JSON", help="Event data, as JSON."),
        Option(
            "data_file",
            "--data-file",
            type="path",
            metavar="PATH",
            help="Read the data here (- = stdin).",
        ),
        Option("raw", "--raw", type="flag", default=False, help="Send the data as is, unchecked."),
        *_bulk(_CHANGE, _ASK),
    ),
    "purge": (
        _IDS,
        *_bulk(
            "Bulk: list what would go; delete nothing.",
            "Do not ask for confirmation.",
            older_than="Bulk: finished instances last updated over D ago.",
            first=("older_than",),
        ),
    ),
    "list": (
        Option(
            "status_",
            "--status",
            type="list",
            metavar="S",
            choices=STATUSES,
            help="Only these statuses (repeatable, or a,b).",
        ),
        Option("name", "--name", metavar="N", kind="workflow", help="Only this workflow."),
        Option(
            "max_age",
            "--max-age",
            type="duration",
            metavar="D",
            help="Only instances created within D.",
        ),
        Option("limit", "--limit", type="int", metavar="N", help="At most N instances."),
        Option(
            "no_headers",
            "--no-headers",
            type="flag",
            default=False,
            help="Table without its header row.",
        ),
        Option(
            "watch",
            "--watch",
            "-w",
            type="flag",
            default=False,
            help="Refresh until Ctrl-C (tables only).",
        ),
        Option(
            "interval",
            "--interval",
            type="duration",
            metavar="D",
            default="2s",
            help="With --watch: refresh every D.",
        ),
    ),
    "history": (
        Arg("instance_id", "ID", "Instance ID.", kind="instance"),
        Option(
            "full",
            "--full",
            type="flag",
            default=False,
            help="Show every payload whole in the table.",
        ),
        Option(
            "gantt",
            "--gantt",
            type="flag",
            default=False,
            help="Draw activities, timers and children on a time axis.",
        ),
        Option(
            "follow",
            "--follow",
            "-f",
            type="flag",
            default=False,
            help="Print events as they happen until the end.",
        ),
        Option(
            "interval",
            "--interval",
            type="duration",
            metavar="D",
            default="1s",
            help="With --follow: look every D.",
        ),
    ),
    "rerun": (
        Arg("instance_id", "ID", "The finished instance.", kind="instance"),
        Option(
            "from_event",
            "--from-event",
            type="int",
            metavar="N",
            help="Rerun from this EVENTID of `wfctl history`: an activity's TaskScheduled "
            "(or a root workflow's ChildWorkflowCreated).",
        ),
        Option("new_id", "--new-id", metavar="ID", help="The new instance's ID (default: new)."),
        Option("input", "--input", metavar="JSON", help="A new input for that step, as JSON text."),
        *_INPUT[1:],
        Option(
            "wait",
            "--wait",
            type="flag",
            default=False,
            help="Wait for the new instance to finish.",
        ),
        *_WAIT[1:],
    ),
    "completion": (Arg("shell", "SHELL", "bash, zsh or fish.", choices=("bash", "zsh", "fish")),),
    "config init": (
        Option("force", "--force", type="flag", default=False, help="Replace an existing file."),
    ),
    "config set-profile": (
        Arg("name", "NAME", "Profile name."),
        Option("url", "--url", metavar="URL", help="Sidecar base URL."),
        Option(
            "transport",
            "--transport",
            metavar="http|grpc",
            choices=TRANSPORTS,
            help="How to reach the sidecar.",
        ),
        Option(
            "grpc_endpoint",
            "--grpc-endpoint",
            metavar="HOST:PORT",
            help="Sidecar gRPC endpoint (grpcs:// for TLS); sets transport grpc too.",
        ),
        Option(
            "api_version",
            "--api-version",
            metavar="V",
            choices=API_VERSIONS,
            help="v1.0-beta1 or v1.0.",
        ),
        Option("component", "--component", metavar="NAME", help="Workflow component."),
        Option(
            "api_token_file",
            "--api-token-file",
            type="path",
            metavar="PATH",
            help="File holding the token.",
        ),
        Option(
            "ca_cert", "--ca-cert", type="path", metavar="PATH", help="CA bundle for https/grpcs."
        ),
        Option(
            "insecure",
            "--insecure",
            off="--verify",
            type="flag",
            help="Do not verify (or do verify) TLS certificates.",
        ),
        Option(
            "request_timeout",
            "--request-timeout",
            type="duration",
            metavar="D",
            help="Timeout of one request.",
        ),
        Option(
            "embedded",
            "--embedded",
            off="--no-embedded",
            type="flag",
            help="Use the embedded engine.",
        ),
        Option("db", "--db", type="path", metavar="PATH", help="Embedded database."),
        Option("app", "--app", kind="file", metavar="MODULE_OR_FILE[:ATTR]", help="Workflow app."),
        Option(
            "default",
            "--default",
            type="flag",
            default=False,
            help="Also make it the default profile.",
        ),
    ),
    "config use": (Arg("name", "NAME", "Profile name."),),
    "exec": (
        Arg("app_path", "APP", "The app: a file or module.", kind="file"),
        Arg("args", "ARGS", "Arguments for the app.", many=True, kind="file"),
    ),
    "serve": (
        Option("host", "--host", metavar="HOST", default="127.0.0.1", help="Address to bind."),
        Option(
            "port", "--port", type="int", metavar="PORT", default=3500, help="Port to listen on."
        ),
        Option(
            "no_ui",
            "--no-ui",
            type="flag",
            default=False,
            help="Do not serve the web view at / (API only).",
        ),
        Option(
            "grpc_port",
            "--grpc-port",
            type="int",
            metavar="PORT",
            help="Also serve daprd's workflow gRPC API here, for Dapr SDK apps (0: any port).",
        ),
        Option(
            "app_id",
            "--app-id",
            metavar="NAME",
            default="wfctl",
            help="The Dapr app id gRPC workers see.",
        ),
        Option(
            "max_body_size",
            "--max-body-size",
            type="int",
            metavar="BYTES",
            default=4194304,
            help="Largest gRPC message accepted or sent.",
        ),
        Option(
            "header_timeout",
            "--header-timeout",
            type="float",
            metavar="SECONDS",
            default=10.0,
            help="Close a connection whose request headers take longer than this.",
        ),
        Option(
            "work_item_timeout",
            "--work-item-timeout",
            type="float",
            metavar="SECONDS",
            default=120.0,
            help="Hand a gRPC worker's turn or activity to another after this (0: never).",
        ),
        Option(
            "allowed_hosts",
            "--allowed-host",
            type="list",
            metavar="NAME[:PORT]",
            env=("WFCTL_ALLOWED_HOSTS",),
            help="Also answer this Host name, e.g. a proxy's (repeatable; * for any).",
        ),
    ),
    "worker": (
        Option(
            "concurrency",
            "--concurrency",
            type="int",
            metavar="N",
            default=4,
            help="Activities run at once.",
        ),
    ),
}
