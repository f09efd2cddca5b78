"""pause (suspend), resume, terminate, raise-event and purge: the commands that change instances."""

import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from wfctl.backend.protocol import Capability
from wfctl.cli import bulk
from wfctl.cli.common import (
    CliState,
    confirm,
    emit,
    for_each,
    output_format,
    read_payload,
    state_of,
)
from wfctl.cli.errors import print_note
from wfctl.ids import check_event_name, check_instance_id
from wfctl.model import ConflictError, NotFoundError, RuntimeStatus, UsageError

_Str = str | None
_Ids = Annotated[list[str] | None, typer.Argument(help="Instance IDs.", metavar="ID")]


def _done(st: CliState, iid: str, verb: str, fmt: str, results: list[dict] | None = None) -> None:
    """Report one instance's outcome: a line in a table; with -o json/yaml, collected into
    ``results`` (printed by :func:`_emit_results`: an array for several IDs, as `status`)."""
    if st.settings.quiet:
        return
    if fmt == "table":
        st.out().line(f"{iid}: {verb}")
    elif results is not None:
        results.append({"instanceID": iid, "result": verb})
    else:
        emit(st, fmt, {"instanceID": iid, "result": verb})


def _emit_results(st: CliState, fmt: str, results: list[dict], *, many: bool) -> None:
    if fmt != "table" and results and not st.settings.quiet:
        emit(st, fmt, results if many else results[0])


def _finished(backend: Any, iid: str) -> RuntimeStatus | None:
    """The instance's status when it has finished, else None (one GET; NotFoundError for
    an unknown ID). A sidecar accepts a change to a finished instance and does nothing, so
    wfctl reads first to say what really happened."""
    status = backend.get(iid).runtime_status
    return status if status.is_terminal else None


def _operation(backend: Any, op: str) -> Callable[[str], None]:
    """The backend's call for ``op`` ("pause" or "resume")."""
    calls: dict[str, Callable[[str], None]] = {"pause": backend.pause, "resume": backend.resume}
    return calls[op]


def refuse_finished(iid: str, status: RuntimeStatus, what: str) -> ConflictError:
    return ConflictError(f"instance {iid!r} is already {status.value}: {what}")


def _simple(
    ctx: typer.Context,
    ids: list[str] | None,
    op: str,
    verb: str,
    refused: str,
    f: bulk.Filter | None = None,
    *,
    dry_run: bool = False,
    yes: bool = False,
) -> None:
    ids = bulk.pick(ids, f, dry_run=dry_run, what=op)
    if f is not None:
        st = state_of(ctx)
        backend = st.backend()
        bulk.run(st, f, op, verb, _operation(backend, op), dry_run=dry_run, yes=yes)
        return
    for iid in ids:
        check_instance_id(iid)
    st = state_of(ctx)
    fmt = output_format(st)
    backend = st.backend()
    results: list[dict] = []

    def act(iid: str) -> None:
        status = _finished(backend, iid)
        if status is not None:
            raise refuse_finished(iid, status, refused)
        _operation(backend, op)(iid)
        _done(st, iid, verb, fmt, results)

    try:
        for_each(ids, act)
    finally:
        _emit_results(st, fmt, results, many=len(ids) > 1)


def pause(
    ctx: typer.Context,
    ids: _Ids = None,
    status_: bulk.StatusOpt = None,
    name: bulk.NameOpt = None,
    older_than: bulk.OlderOpt = None,
    max_age: bulk.MaxAgeOpt = None,
    id_prefix: bulk.PrefixOpt = None,
    dry_run: bulk.DryRunOpt = False,
    yes: bulk.YesOpt = False,
) -> None:
    """Pause (suspend) instances; events sent meanwhile queue up until resume.

    A finished instance cannot be paused: exit 4, naming its status. Instead of IDs, a
    filter selects every running match (see docs/cli.md, "Bulk actions").

    Examples: wfctl pause order-1 | wfctl pause --name OrderProcessingWorkflow --yes
    """
    f = bulk.make_filter(status_, name, older_than, max_age, id_prefix)
    _simple(ctx, ids, "pause", "suspended", "not suspended", f, dry_run=dry_run, yes=yes)


def resume(
    ctx: typer.Context,
    ids: _Ids = None,
    status_: bulk.StatusOpt = None,
    name: bulk.NameOpt = None,
    older_than: bulk.OlderOpt = None,
    max_age: bulk.MaxAgeOpt = None,
    id_prefix: bulk.PrefixOpt = None,
    dry_run: bulk.DryRunOpt = False,
    yes: bulk.YesOpt = False,
) -> None:
    """Resume paused instances.

    A finished instance cannot be resumed: exit 4, naming its status. Instead of IDs, a
    filter selects every suspended match.

    Examples: wfctl resume order-1 | wfctl resume --id-prefix order- --dry-run
    """
    f = bulk.make_filter(status_, name, older_than, max_age, id_prefix)
    _simple(ctx, ids, "resume", "resumed", "not resumed", f, dry_run=dry_run, yes=yes)


def terminate(
    ctx: typer.Context,
    ids: _Ids = None,
    result: Annotated[
        _Str,
        typer.Option(
            "--result",
            metavar="JSON",
            help="Output to record (embedded or gRPC: Dapr's HTTP API ignores it).",
        ),
    ] = None,
    status_: bulk.StatusOpt = None,
    name: bulk.NameOpt = None,
    older_than: bulk.OlderOpt = None,
    max_age: bulk.MaxAgeOpt = None,
    id_prefix: bulk.PrefixOpt = None,
    dry_run: bulk.DryRunOpt = False,
    yes: bulk.YesOpt = False,
) -> None:
    """Terminate instances (and their child workflows); finished ones are left alone.

    A finished instance is reported as "already COMPLETED, left alone" (exit 0). Instead of
    IDs, a filter selects every unfinished match.

    Examples: wfctl terminate order-1 order-2 | wfctl terminate --status RUNNING
    --older-than 1d --yes
    """
    f = bulk.make_filter(status_, name, older_than, max_age, id_prefix)
    ids = bulk.pick(ids, f, dry_run=dry_run, what="terminate")
    for iid in ids:
        check_instance_id(iid)
    payload = read_payload(result, None, raw=False, what="--result", flag="--result")
    st = state_of(ctx)
    backend = st.backend()
    if payload is not None and not backend.supports(Capability.TERMINATE_OUTPUT):
        print_note("Dapr's HTTP API has no terminate output: --result is ignored")
        payload = None
    if f is not None:
        bulk.run(
            st,
            f,
            "terminate",
            "terminated",
            lambda iid: backend.terminate(iid, payload),
            dry_run=dry_run,
            yes=yes,
        )
        return
    fmt = output_format(st)
    results: list[dict] = []

    def act(iid: str) -> None:
        status = _finished(backend, iid)
        if status is not None:
            _done(st, iid, f"already {status.value}, left alone", fmt, results)
            return
        backend.terminate(iid, payload)
        _done(st, iid, "terminated", fmt, results)

    try:
        for_each(ids, act)
    finally:
        _emit_results(st, fmt, results, many=len(ids) > 1)


def raise_event(
    ctx: typer.Context,
    instance_id: Annotated[
        _Str, typer.Argument(help="Instance ID (none with a filter).", metavar="ID")
    ] = None,
    event: Annotated[_Str, typer.Argument(help="Event name.", metavar="EVENT")] = None,
    data: Annotated[
        _Str, typer.Option("--data", metavar="JSON", help="Event data, as JSON.")
    ] = None,
    data_file: Annotated[
        _Str, typer.Option("--data-file", metavar="PATH", help="Read the data here (- = stdin).")
    ] = None,
    raw: Annotated[bool, typer.Option("--raw", help="Send the data as is, unchecked.")] = False,
    status_: bulk.StatusOpt = None,
    name: bulk.NameOpt = None,
    older_than: bulk.OlderOpt = None,
    max_age: bulk.MaxAgeOpt = None,
    id_prefix: bulk.PrefixOpt = None,
    dry_run: bulk.DryRunOpt = False,
    yes: bulk.YesOpt = False,
) -> None:
    """Send an event to an instance (it is buffered if the workflow is not waiting yet).

    A finished instance gets nothing: exit 4, naming its status. With a filter instead of
    an ID (raise-event EVENT --name wf ...), every unfinished match gets the event.

    Examples: wfctl raise-event order-1 approval --data '{"approved": true}' |
    wfctl raise-event approval --name OrderProcessingWorkflow --data true --yes
    """
    f = bulk.make_filter(status_, name, older_than, max_age, id_prefix)
    if f is not None and event is None:  # raise-event EVENT --filter...
        instance_id, event = None, instance_id
    if event is None:
        raise UsageError("give the instance ID and the event name (or EVENT and a filter)")
    bulk.pick([instance_id] if instance_id else [], f, dry_run=dry_run, what="send the event to")
    check_event_name(event)
    payload = read_payload(data, data_file, raw=raw, what="event data", flag="--data")
    if f is not None:
        st = state_of(ctx)
        backend = st.backend()
        bulk.run(
            st,
            f,
            "raise-event",
            f"raised {event}",
            lambda iid: backend.raise_event(iid, event, payload),
            dry_run=dry_run,
            yes=yes,
        )
        return
    assert instance_id is not None
    check_instance_id(instance_id)
    st = state_of(ctx)
    fmt = output_format(st)
    backend = st.backend()
    status = _finished(backend, instance_id)
    if status is not None:
        raise refuse_finished(instance_id, status, "the event was not delivered")
    backend.raise_event(instance_id, event, payload)
    _done(st, instance_id, f"raised {event}", fmt)


def purge(
    ctx: typer.Context,
    ids: _Ids = None,
    older_than: Annotated[
        _Str,
        typer.Option(
            "--older-than", metavar="D", help="Bulk: finished instances last updated over D ago."
        ),
    ] = None,
    status_: bulk.StatusOpt = None,
    name: bulk.NameOpt = None,
    max_age: bulk.MaxAgeOpt = None,
    id_prefix: bulk.PrefixOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Bulk: list what would go; delete nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete finished instances (and their children) with their history.

    Several IDs, or a filter, ask for confirmation first (--yes skips it; with no
    terminal wfctl never asks: it fails unless --yes is given).

    Examples: wfctl purge order-1 | wfctl purge --older-than 7d --status COMPLETED --yes
    """
    f = bulk.make_filter(status_, name, older_than, max_age, id_prefix)
    ids = bulk.pick(ids, f, dry_run=dry_run, what="purge")
    if f is None:
        for iid in ids:
            check_instance_id(iid)
        st = state_of(ctx)
        fmt = output_format(st)
        if len(ids) > 1:
            confirm(f"purge {len(ids)} instances", yes=yes)
        backend = st.backend()

        def act(iid: str) -> None:
            backend.purge(iid)
            _done(st, iid, "purged", fmt)

        for_each(ids, act)
        return
    st = state_of(ctx)
    if f.older_than is not None and not (f.name or f.max_age is not None or f.id_prefix):
        # The retention sweep the backends run in one call (in batches, server side).
        _bulk_purge(st, f.older_than, f.statuses, dry_run, yes)
        return
    backend = st.backend()
    bulk.run(st, f, "purge", "purged", backend.purge, dry_run=dry_run, yes=yes)


def _bulk_purge(
    st: CliState, age: float, statuses: list[RuntimeStatus], dry_run: bool, yes: bool
) -> None:
    fmt = output_format(st)
    backend = st.backend()
    out = st.out()
    if dry_run:
        res = backend.purge_older_than(age, statuses=statuses, dry_run=True)
        _print_purged(st, fmt, res.instance_ids, dry_run=True)
        return
    listed: list[str] | None = None
    if not yes:
        listed = backend.purge_older_than(age, statuses=statuses, dry_run=True).instance_ids
        if not listed:
            _print_purged(st, fmt, [], dry_run=False)
            return
        confirm(f"purge {len(listed)} instances", yes=False)
    if out.tty and sys.stderr.isatty() and fmt == "table":
        if listed is None:
            listed = backend.purge_older_than(age, statuses=statuses, dry_run=True).instance_ids
        done = _purge_with_progress(st, listed)
    else:
        done = backend.purge_older_than(age, statuses=statuses).instance_ids
    _print_purged(st, fmt, done, dry_run=False)


def _purge_with_progress(st: CliState, ids: list[str]) -> list[str]:
    from rich.console import Console
    from rich.progress import Progress

    backend = st.backend()
    done = []
    console = Console(stderr=True, no_color=st.settings.no_color)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("purging", total=len(ids))
        for iid in ids:
            try:
                backend.purge(iid)
                done.append(iid)
            except (ConflictError, NotFoundError):
                pass  # restarted or purged by someone else since the listing: leave it
            bar.advance(task)
    return done


def _print_purged(st: CliState, fmt: str, ids: list[str], *, dry_run: bool) -> None:
    if fmt != "table":
        emit(st, fmt, {"instanceIDs": ids, "dryRun": dry_run})
        return
    out = st.out()
    if st.settings.quiet:
        for iid in ids:
            out.line(iid)
        return
    for iid in ids:
        out.line(f"{iid}: {'would be purged' if dry_run else 'purged'}")
    out.line(f"{len(ids)} instance(s) {'would be purged' if dry_run else 'purged'}")


def register(app: typer.Typer, *, epilog: str) -> None:
    app.command("pause", epilog=epilog)(pause)
    app.command(
        "suspend",
        epilog=epilog,
        help="Alias of pause.\n\nExample: wfctl suspend order-1",
    )(pause)
    app.command("resume", epilog=epilog)(resume)
    app.command("terminate", epilog=epilog)(terminate)
    app.command("raise-event", epilog=epilog)(raise_event)
    app.command("purge", epilog=epilog)(purge)
