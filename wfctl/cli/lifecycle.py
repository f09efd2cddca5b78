"""start, status and wait: the commands that create instances and watch them."""

import sys
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Annotated

import typer

from wfctl.cli.common import CliState, emit, output_format, read_payload, state_of
from wfctl.cli.show import show_status
from wfctl.durations import parse_duration, parse_interval
from wfctl.ids import check_instance_id, check_new_instance_id
from wfctl.model import (
    ExitCode,
    RuntimeStatus,
    UsageError,
    WaitTimeoutError,
    WfctlError,
    WorkflowState,
)

_Str = str | None

if TYPE_CHECKING:
    from wfctl.backend.protocol import Backend


def _parse_at(at: str | None, in_: str | None) -> datetime | None:
    from wfctl import wire

    if at is not None and in_ is not None:
        raise UsageError("give --at or --in, not both")
    if in_ is not None:
        return datetime.now(timezone.utc) + timedelta(seconds=parse_duration(in_))
    if at is not None:
        dt = wire.parse_time(at)
        if dt is None:
            raise UsageError(f"cannot read --at {at!r}: use RFC 3339, e.g. 2026-01-31T09:00:00Z")
        return dt
    return None


def start(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Workflow name.", metavar="NAME")],
    instance_id: Annotated[
        _Str, typer.Option("--id", metavar="ID", help="Instance ID (default: a new UUID).")
    ] = None,
    input: Annotated[
        _Str, typer.Option("--input", metavar="JSON", help="Input, as JSON text.")
    ] = None,
    input_file: Annotated[
        _Str, typer.Option("--input-file", metavar="PATH", help="Read the input here (- = stdin).")
    ] = None,
    raw: Annotated[bool, typer.Option("--raw", help="Send the input as is, unchecked.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the instance to finish.")] = False,
    timeout: Annotated[
        _Str, typer.Option("--timeout", metavar="D", help="With --wait: give up after D.")
    ] = None,
    interval: Annotated[
        str, typer.Option("--interval", metavar="D", help="With --wait: longest poll interval.")
    ] = "1s",
    at: Annotated[
        _Str,
        typer.Option("--at", metavar="TIME", help="Start at TIME (RFC 3339; embedded or gRPC)."),
    ] = None,
    in_: Annotated[
        _Str, typer.Option("--in", metavar="D", help="Start after D (embedded or gRPC).")
    ] = None,
) -> None:
    """Start a workflow instance and print its ID at once.

    Example: wfctl start OrderProcessingWorkflow --id order-1 --input '{"Name": "Paperclips"}'
    """
    if not name or "/" in name:
        raise UsageError("workflow name must be non-empty and have no '/'")
    if instance_id is not None:
        check_new_instance_id(instance_id)
    payload = read_payload(input, input_file, raw=raw, what="input", flag="--input")
    start_at = _parse_at(at, in_)
    wait_timeout = parse_duration(timeout) if timeout is not None else None
    if timeout is not None and not wait:
        raise UsageError("--timeout needs --wait")
    poll = parse_interval(interval)

    st = state_of(ctx)
    fmt = output_format(st)
    s = st.settings
    backend = st.backend()
    out = st.out()
    announced: list[str] = []

    def announce(iid: str) -> None:
        # Once the start is durable, before the embedded engine drives it: print the ID at once.
        if announced:
            return
        announced.append(iid)
        if fmt == "table":
            out.line(iid if s.quiet else f"Started {name} as {iid}")
        elif not wait:
            emit(st, fmt, {"instanceID": iid})
        elif not s.quiet:
            from wfctl.cli.errors import print_note

            print_note(f"started {iid}")
        sys.stdout.flush()

    iid = backend.start(
        name, payload, instance_id=instance_id, start_at=start_at, on_recorded=announce
    )
    remember(st, iid, name)
    announce(iid)
    if wait:
        wait_and_show(st, backend, iid, timeout=wait_timeout, interval=poll)


def remember(st: CliState, iid: str, name: str | None = None) -> None:
    """Record a new remote instance so TAB can offer it later (never raises)."""
    if not st.settings.embedded:
        from wfctl.recent import record_instance

        record_instance(st.settings.server_key, iid, name)


def wait_and_show(
    st: CliState, backend: "Backend", iid: str, *, timeout: float | None, interval: float
) -> None:
    """``--wait`` of a command that made an instance: wait for its end, print its final state,
    exit with wait's code for it."""
    from wfctl import wire
    from wfctl.render import state_fields

    final = backend.wait(iid, until="completion", timeout=timeout, interval=interval)
    fmt = output_format(st)
    out = st.out()
    if fmt != "table":
        emit(st, fmt, wire.state_to_dapr(final))
    elif not st.settings.quiet:
        out.line()
        out.fields([state_fields(final, limit=120 if out.tty else None)])
    code = final.runtime_status.wait_exit_code
    if code:
        raise typer.Exit(int(code))


def status(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(help="Instance IDs.", metavar="ID")],
    watch: Annotated[
        bool, typer.Option("--watch", "-w", help="Refresh until every instance has finished.")
    ] = False,
    interval: Annotated[
        str, typer.Option("--interval", metavar="D", help="With --watch: refresh every D.")
    ] = "2s",
) -> None:
    """Show instances: workflow, status, times, custom status, input, output, failure.

    -o json prints the sidecar's own response object (an array for several IDs).

    Example: wfctl status order-1 -o json | jq -r .runtimeStatus
    """
    code = show_status(state_of(ctx), ids, watch=watch, interval=interval)
    if code:
        raise typer.Exit(code)


def wait(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(help="Instance IDs.", metavar="ID")],
    for_: Annotated[
        str, typer.Option("--for", metavar="start|completion", help="What to wait for.")
    ] = "completion",
    timeout: Annotated[
        _Str, typer.Option("--timeout", metavar="D", help="Give up after D.")
    ] = None,
    interval: Annotated[
        str, typer.Option("--interval", metavar="D", help="Longest poll interval.")
    ] = "1s",
) -> None:
    """Wait until instances have started or finished; the exit code says how they ended.

    0 COMPLETED (or started, with --for start), 10 FAILED, 11 TERMINATED, 12 CANCELED,
    13 STALLED/UNKNOWN, 124 --timeout passed, 3 not found.

    Example: wfctl wait order-1 --timeout 5m && echo done
    """
    if for_ not in ("start", "completion"):
        raise UsageError(f"--for {for_!r}: use start or completion")
    for iid in ids:
        check_instance_id(iid)
    limit = parse_duration(timeout) if timeout is not None else None
    poll = parse_interval(interval)
    st = state_of(ctx)
    fmt = output_format(st)
    backend = st.backend()
    deadline = None if limit is None else time.monotonic() + limit
    many = len(ids) > 1
    for iid in ids:
        note_foreign_app(backend, iid)
    results: list[WorkflowState] = []
    first = 0
    timed_out = False
    for iid in ids:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            if timed_out and left == 0:
                # One wait has already run into the deadline: do not spend more time reading
                # the others (each would get its own first read; see HttpBackend.wait).
                raise WaitTimeoutError(f"instance {iid!r} was not read before --timeout {timeout}")
            try:
                final = backend.wait(iid, until=for_, timeout=left, interval=poll)  # type: ignore[arg-type]
            except WaitTimeoutError as exc:
                status = exc.status
                if status is None:
                    raise
                from wfctl.backend.protocol import wait_timeout

                raise wait_timeout(iid, for_, limit, status) from None  # type: ignore[arg-type]
        except WfctlError as exc:
            if not many:
                raise
            from wfctl.cli.errors import print_error

            print_error(str(exc))
            first = first or int(exc.exit_code)
            timed_out = timed_out or isinstance(exc, WaitTimeoutError)
            continue
        results.append(final)
        code = _outcome(final.runtime_status, for_)
        first = first or code
        if fmt == "table":
            out = st.out()
            out.line(
                final.runtime_status.value
                if st.settings.quiet and not many
                else f"{final.instance_id} {final.runtime_status.value}"
            )
    if fmt != "table" and results:
        from wfctl import wire

        objs = [wire.state_to_dapr(s) for s in results]
        emit(st, fmt, objs if many else objs[0])
    if first:
        raise typer.Exit(first)


def note_foreign_app(backend: "Backend", iid: str) -> None:
    """Say at once when nothing in this process can run the instance (its app is another),
    then let the caller wait anyway: a worker elsewhere may run it."""
    import os

    from wfctl.cli.errors import print_note

    owner = backend.foreign_app(iid)
    if owner is None:
        return
    try:
        if backend.get(iid).runtime_status.is_terminal:
            return
    except WfctlError:
        return  # the wait itself reports it
    if owner == "wfctl.demo":
        print_note(f"instance {iid!r} belongs to the built-in demo app: without --app it runs here")
        return
    spec = owner
    if os.path.isabs(owner):
        rel = os.path.relpath(owner)
        spec = rel if len(rel) < len(owner) and not rel.startswith("../..") else owner
    print_note(
        f"instance {iid!r} belongs to app {spec}, which this command has not loaded: "
        f"`--app {spec}` runs it here; waiting for a worker elsewhere"
    )


def _outcome(status: RuntimeStatus, for_: str) -> int:
    if for_ == "start" and not status.is_terminal and status is not RuntimeStatus.UNKNOWN:
        return int(ExitCode.OK)
    return int(status.wait_exit_code)


def register(app: typer.Typer, *, epilog: str) -> None:
    app.command("start", epilog=epilog)(start)
    app.command("status", epilog=epilog)(status)
    app.command("wait", epilog=epilog)(wait)
