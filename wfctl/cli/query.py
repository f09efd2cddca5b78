"""list, history and config show: read-only views."""

from typing import Annotated, Any

import typer

from wfctl.cli.bulk import parse_statuses
from wfctl.cli.common import emit, output_format, state_of
from wfctl.cli.errors import print_error
from wfctl.durations import parse_duration, parse_interval
from wfctl.ids import check_instance_id
from wfctl.model import UsageError

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
    watch: Annotated[
        bool, typer.Option("--watch", "-w", help="Refresh until Ctrl-C (tables only).")
    ] = False,
    interval: Annotated[
        str, typer.Option("--interval", metavar="D", help="With --watch: refresh every D.")
    ] = "2s",
) -> None:
    """List instances, newest first (embedded, `wfctl serve`, or a sidecar over gRPC).

    -o table (NAME, ID, STATUS, CUSTOM STATUS, AGE), wide, json, yaml or ids. On a narrow
    terminal IDs and statuses stay whole: other columns shorten, then drop. No match prints
    "No instances" on stderr (stdout stays empty). --watch redraws the table in place on a
    terminal; piped, it prints the table again each time it changes.

    Example: wfctl --embedded list --status RUNNING,SUSPENDED -o ids
    """
    from wfctl import wire

    statuses = parse_statuses(status_)
    age_s = parse_duration(max_age) if max_age is not None else None
    every = parse_interval(interval)
    st = state_of(ctx)
    fmt = output_format(st, ("table", "wide", "json", "yaml", "ids"))
    backend = st.backend()

    def read() -> list[Any]:
        return backend.list_instances(statuses=statuses, name=name, max_age=age_s, limit=limit)

    if watch:
        if fmt not in ("table", "wide") or st.settings.quiet:
            raise UsageError("--watch refreshes a table: drop -o/-q, or poll with a loop")
        _watch_list(st, fmt, read, every, no_headers)
        return
    states = read()
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
    headers, rows, styles, drop = _list_table(states, fmt, tty=out.tty)
    out.table(headers, rows, styles=styles, keep=(1, 2), drop=drop, no_headers=no_headers)


def _watch_list(st: Any, fmt: str, read: Any, every: float, no_headers: bool) -> None:
    """Redraw (terminal) or reprint when changed (piped) until Ctrl-C."""
    import time

    out = st.out()
    if out.tty:
        with out.live() as live:
            while True:
                headers, rows, styles, drop = _list_table(read(), fmt, tty=True)
                width = live.console.size.width
                live.update(
                    out.table_renderable(headers, rows, styles=styles, keep=(1, 2), drop=drop,
                                         no_headers=no_headers, width=width),
                    refresh=True,
                )  # fmt: skip
                time.sleep(every)
    last = None
    while True:
        states = read()
        snapshot = [(s.instance_id, s.runtime_status, s.serialized_custom_status) for s in states]
        if snapshot != last:
            headers, rows, styles, drop = _list_table(states, fmt, tty=False)
            if last is not None:
                out.line()
            if states:
                out.table(headers, rows, no_headers=no_headers)
            else:
                out.line("No instances")
            last = snapshot
        time.sleep(every)


def _list_table(states: list[Any], fmt: str, *, tty: bool) -> tuple[Any, Any, Any, Any]:
    """(headers, rows, styles, drop order) of `list`'s table."""
    from wfctl.render import STATUS_COLOURS, age, compact, when

    cut = 60 if tty else None
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
        style: list[str | None] = [None] * len(row)
        style[2] = STATUS_COLOURS.get(s.runtime_status)
        styles.append(style)
    # IDs and statuses never wrap; what goes first when the terminal is narrow:
    drop = [headers.index(h) for h in _DROP_ORDER if h in headers]
    return headers, rows, styles, drop


_DROP_ORDER = ("INPUT", "OUTPUT", "CUSTOM STATUS", "UPDATED", "CREATED", "FAILURE", "NAME", "AGE")


def history(
    ctx: typer.Context,
    instance_id: Annotated[str, typer.Argument(help="Instance ID.", metavar="ID")],
    full: Annotated[
        bool, typer.Option("--full", help="Show every payload whole in the table.")
    ] = False,
    gantt: Annotated[
        bool, typer.Option("--gantt", help="Draw activities, timers and children on a time axis.")
    ] = False,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Print events as they happen until the end.")
    ] = False,
    interval: Annotated[
        str, typer.Option("--interval", metavar="D", help="With --follow: look every D.")
    ] = "1s",
) -> None:
    """Show an instance's history as a timeline: TYPE, NAME, EVENTID, ELAPSED, STATUS, DETAILS.

    On a terminal the table shortens long payloads with "…" (--full shows them whole);
    piped output and -o json/yaml never cut anything. --gantt draws one bar per activity,
    timer and child workflow (failures in red, marked ✗); --follow prints each event as it is
    recorded (-o json: one object per line) and exits as `wait` does.

    Example: wfctl --embedded history order-1 --gantt
    """
    check_instance_id(instance_id)
    every = parse_interval(interval)
    st = state_of(ctx)
    fmt = output_format(st)
    if gantt and follow:
        raise UsageError("give --gantt or --follow, not both")
    if follow:
        if fmt == "yaml":
            raise UsageError("--follow prints a table or -o json (one object per line)")
        from wfctl.cli.timeline import follow as follow_

        code = follow_(st, instance_id, fmt, every)
        if code:
            raise typer.Exit(code)
        return
    entries = st.backend().history(instance_id)
    if gantt:
        if fmt != "table":
            raise UsageError("--gantt draws a chart: drop -o (or use -o json for the rows)")
        from wfctl.cli.timeline import render_gantt

        out = st.out()
        console = out._console()
        console.print(render_gantt(entries, console.size.width))
        return
    if fmt in ("json", "yaml"):
        from wfctl.wire import history_to_dict

        emit(st, fmt, [history_to_dict(e) for e in entries])
        return
    from wfctl.cli.timeline import HEADERS, row_cells

    out = st.out()
    start = entries[0].timestamp if entries else None
    cut = 80 if out.tty and not full else None
    rows, styles = [], []
    for e in entries:
        cells = row_cells(e, start, cut)
        rows.append(cells)
        colour = {"FAILED": "red", "COMPLETED": "green", "TERMINATED": "magenta"}.get(cells[4])
        styles.append([None, None, None, None, colour, None])
    out.table(HEADERS, rows, styles=styles)


def workflows(ctx: typer.Context) -> None:
    """List the workflow names the app registers (embedded with --app, or `wfctl serve`).

    Example: wfctl --embedded --app greet.py workflows
    """
    st = state_of(ctx)
    fmt = output_format(st)
    backend = st.backend()
    found = sorted(backend.workflow_names())  # UnsupportedError where the backend cannot say
    if fmt != "table":
        emit(st, fmt, found)
        return
    out = st.out()
    for name in found:
        out.line(name)
    if not found:
        print_error("No workflows", prefix="")


def register(app: typer.Typer, *, epilog: str) -> None:
    app.command("list", epilog=epilog)(list_)
    app.command("history", epilog=epilog)(history)
    app.command("workflows", epilog=epilog)(workflows)
    from wfctl.cli.config import config_app

    app.add_typer(config_app, name="config")
