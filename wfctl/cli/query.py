"""list, history and config show: read-only views."""

from datetime import datetime
from typing import Annotated

import typer

from wfctl.cli.common import emit, output_format, state_of
from wfctl.cli.control import _parse_statuses
from wfctl.cli.errors import print_error, print_note
from wfctl.cli.parsing import PlainGroup
from wfctl.durations import format_duration, parse_duration
from wfctl.ids import check_instance_id
from wfctl.model import HistoryEntry

_Str = str | None


def list_(
    ctx: typer.Context,
    status_: Annotated[
        list[str] | None,
        typer.Option("--status", metavar="S", help="Only these statuses (repeatable, or a,b)."),
    ] = None,
    name: Annotated[_Str, typer.Option("--name", metavar="N", help="Only this workflow.")] = None,
    max_age: Annotated[
        _Str, typer.Option("--max-age", metavar="D", help="Only instances created within D.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", metavar="N", help="At most N instances.", min=1)
    ] = None,
    no_headers: Annotated[
        bool, typer.Option("--no-headers", help="Table without its header row.")
    ] = False,
) -> None:
    """List instances, newest first (embedded engine or `wfctl serve`; a sidecar cannot).

    -o table (NAME, ID, STATUS, CUSTOM STATUS, AGE), wide, json, yaml or ids. On a narrow
    terminal IDs and statuses stay whole: other columns shorten, then drop. No match prints
    "No instances" on stderr (stdout stays empty).

    Example: wfctl --embedded list --status RUNNING,SUSPENDED -o ids
    """
    from wfctl import wire
    from wfctl.render import STATUS_COLOURS, age, compact, when

    statuses = _parse_statuses(status_)
    age_s = parse_duration(max_age) if max_age is not None else None
    st = state_of(ctx)
    fmt = output_format(st, ("table", "wide", "json", "yaml", "ids"))
    states = st.backend().list_instances(statuses=statuses, name=name, max_age=age_s, limit=limit)
    if fmt in ("json", "yaml"):
        emit(st, fmt, [wire.state_to_dapr(s) for s in states])
        return
    out = st.out()
    if not states and not st.settings.quiet:
        print_error("No instances", prefix="")
    if fmt == "ids" or st.settings.quiet:
        for s in states:
            out.line(s.instance_id)
        return
    if not states:
        return
    cut = 60 if out.tty else None
    headers = ["NAME", "ID", "STATUS", "CUSTOM STATUS", "AGE"]
    # Backends may leave payloads out of a listing (the embedded store and wfctl serve do):
    # then INPUT and OUTPUT would be blank columns, so they are shown only when there is data.
    payloads = fmt == "wide" and any(s.serialized_input or s.serialized_output for s in states)
    if fmt == "wide":
        headers += ["CREATED", "UPDATED", *(["INPUT", "OUTPUT"] if payloads else []), "FAILURE"]
    rows, styles = [], []
    for s in states:
        row = [
            s.name,
            s.instance_id,
            s.runtime_status.value,
            compact(s.serialized_custom_status, cut),
            age(s.created_at),
        ]
        if fmt == "wide":
            fail = s.failure.message if s.failure else ""
            row += [when(s.created_at), when(s.last_updated_at)]
            if payloads:
                row += [compact(s.serialized_input, cut), compact(s.serialized_output, cut)]
            row.append(" ".join(fail.split()))
        rows.append(row)
        style = [None] * len(row)
        style[2] = STATUS_COLOURS.get(s.runtime_status)
        styles.append(style)
    # IDs and statuses never wrap; what goes first when the terminal is narrow:
    drop = [headers.index(h) for h in _DROP_ORDER if h in headers]
    out.table(headers, rows, styles=styles, keep=(1, 2), drop=drop, no_headers=no_headers)


_DROP_ORDER = ("INPUT", "OUTPUT", "CUSTOM STATUS", "UPDATED", "CREATED", "FAILURE", "NAME", "AGE")

_STATUS_OF_TYPE = {
    "ExecutionStarted": "RUNNING",
    "ExecutionCompleted": "COMPLETED",
    "ExecutionFailed": "FAILED",
    "ExecutionTerminated": "TERMINATED",
    "ExecutionSuspended": "SUSPENDED",
    "ExecutionResumed": "RUNNING",
    "ContinueAsNew": "CONTINUED_AS_NEW",
    "TaskScheduled": "SCHEDULED",
    "TaskCompleted": "COMPLETED",
    "TaskFailed": "FAILED",
    "SubOrchestrationInstanceCreated": "SCHEDULED",
    "ChildWorkflowCreated": "SCHEDULED",
    "SubOrchestrationInstanceCompleted": "COMPLETED",
    "SubOrchestrationInstanceFailed": "FAILED",
    "TimerCreated": "SCHEDULED",
    "TimerFired": "FIRED",
    "EventRaised": "RECEIVED",
    "EventSent": "SENT",
}


def history_status(entry: HistoryEntry) -> str:
    """A one-word outcome for a history row (empty where the type says nothing)."""
    if entry.status:
        return entry.status
    if entry.type in _STATUS_OF_TYPE:
        return _STATUS_OF_TYPE[entry.type]
    for suffix, word in (
        ("Completed", "COMPLETED"),
        ("Failed", "FAILED"),
        ("Scheduled", "SCHEDULED"),
    ):
        if entry.type.endswith(suffix):
            return word
    return ""


def _detail(text: str, cut: int | None) -> str:
    """A DETAILS cell: JSON payloads compact (one style for all), shortened with a visible
    "…" only when ``cut`` is given (a terminal table without --full)."""
    from wfctl.render import compact

    if text.startswith(("{", "[", '"')):
        return compact(text, cut)
    head, sep, rest = text.partition(" ")
    if sep and rest.startswith(("{", "[", '"')):  # "<child id> <input>"
        return head + " " + compact(rest, None if cut is None else max(1, cut - len(head) - 1))
    return compact(text, cut) if cut is not None else text


def history(
    ctx: typer.Context,
    instance_id: Annotated[str, typer.Argument(help="Instance ID.", metavar="ID")],
    full: Annotated[
        bool, typer.Option("--full", help="Show every payload whole in the table.")
    ] = False,
) -> None:
    """Show an instance's history as a timeline: TYPE, NAME, EVENTID, ELAPSED, STATUS, DETAILS.

    On a terminal the table shortens long payloads with "…" (--full shows them whole);
    piped output and -o json/yaml never cut anything.

    Example: wfctl --embedded history order-1
    """
    from wfctl.render import aware

    check_instance_id(instance_id)
    st = state_of(ctx)
    fmt = output_format(st)
    entries = st.backend().history(instance_id)
    if fmt in ("json", "yaml"):
        from wfctl.wire import history_to_dict

        emit(st, fmt, [history_to_dict(e) for e in entries])
        return
    out = st.out()
    start = entries[0].timestamp if entries else None
    cut = 80 if out.tty and not full else None
    rows, styles = [], []
    for e in entries:
        elapsed = ""
        if start is not None and e.timestamp != datetime.min and start != datetime.min:
            elapsed = "+" + format_duration((aware(e.timestamp) - aware(start)).total_seconds())
        word = history_status(e)
        rows.append(
            [
                e.type,
                e.name,
                str(e.event_id) if e.event_id >= 0 else "",
                elapsed,
                word,
                _detail(e.details, cut),
            ]
        )
        colour = {"FAILED": "red", "COMPLETED": "green", "TERMINATED": "magenta"}.get(word)
        styles.append([None, None, None, None, colour, None])
    out.table(["TYPE", "NAME", "EVENTID", "ELAPSED", "STATUS", "DETAILS"], rows, styles=styles)


config_app = typer.Typer(
    name="config",
    help="Inspect wfctl's settings.\n\nExample: wfctl --profile prod config show",
    cls=PlainGroup,
    no_args_is_help=True,
    add_completion=False,
)


@config_app.command("show")
def config_show(ctx: typer.Context) -> None:
    """Print the resolved settings and where each came from (the token is masked).

    Example: wfctl --profile prod config show
    """
    st = state_of(ctx)
    fmt = output_format(st)
    rows = st.settings.shown()
    if fmt in ("json", "yaml"):
        emit(st, fmt, {k: {"value": v, "source": src} for k, v, src in rows})
    else:
        st.out().table(["SETTING", "VALUE", "SOURCE"], [list(r) for r in rows])
    for conflict in st.settings.conflicts:
        print_note(conflict)


def register(app: typer.Typer, *, epilog: str) -> None:
    app.command("list", epilog=epilog)(list_)
    app.command("history", epilog=epilog)(history)
    app.add_typer(config_app, name="config")
