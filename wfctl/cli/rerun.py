"""rerun: a new instance that replays a finished one up to an activity and runs on from there."""

import sys
from typing import Annotated

import typer

from wfctl.cli.common import CliState, emit, output_format, read_payload, state_of
from wfctl.cli.errors import print_note
from wfctl.durations import parse_duration, parse_interval
from wfctl.ids import check_instance_id, check_new_instance_id
from wfctl.model import UsageError

_Str = str | None


def rerun(
    ctx: typer.Context,
    instance_id: Annotated[str, typer.Argument(help="The finished instance.", metavar="ID")],
    from_event: Annotated[
        int,
        typer.Option(
            "--from-event",
            metavar="N",
            help="Rerun from this EVENTID of `wfctl history`: an activity's TaskScheduled "
            "(or a root workflow's ChildWorkflowCreated).",
        ),
    ],
    new_id: Annotated[
        _Str, typer.Option("--new-id", metavar="ID", help="The new instance's ID (default: new).")
    ] = None,
    input: Annotated[
        _Str,
        typer.Option("--input", metavar="JSON", help="A new input for that step, as JSON text."),
    ] = None,
    input_file: Annotated[
        _Str, typer.Option("--input-file", metavar="PATH", help="Read the input here (- = stdin).")
    ] = None,
    raw: Annotated[bool, typer.Option("--raw", help="Send the input as is, unchecked.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the new instance to finish.")] = (
        False
    ),
    timeout: Annotated[
        _Str, typer.Option("--timeout", metavar="D", help="With --wait: give up after D.")
    ] = None,
    interval: Annotated[
        str, typer.Option("--interval", metavar="D", help="With --wait: longest poll interval.")
    ] = "1s",
) -> None:
    """Rerun a finished instance from one of its steps, as a new instance; print its ID.

    The new instance keeps the history before that step (what ran before is not run again)
    and runs on from it, with --input as that step's new input. The source is untouched.
    Embedded, or over HTTP against `wfctl serve`.

    Example: wfctl --embedded rerun order-1 --from-event 2 --input '{"qty": 1}' --wait
    """
    _check_ids(instance_id, new_id, from_event)
    payload = read_payload(input, input_file, raw=raw, what="input", flag="--input")
    wait_timeout = parse_duration(timeout) if timeout is not None else None
    if timeout is not None and not wait:
        raise UsageError("--timeout needs --wait")
    poll = parse_interval(interval)
    from wfctl.cli.lifecycle import note_foreign_app, remember, wait_and_show

    st = state_of(ctx)
    announce = _Announce(st, instance_id, from_event, wait=wait)
    backend = st.backend()
    iid = backend.rerun(
        instance_id,
        from_event,
        new_instance_id=new_id,
        new_input=payload,
        overwrite_input=payload is not None,
        on_recorded=announce,
    )
    remember(st, iid)
    announce(iid)
    if wait:
        note_foreign_app(backend, iid)  # the source's app runs it, maybe not this one
        wait_and_show(st, backend, iid, timeout=wait_timeout, interval=poll)
    elif owner := backend.foreign_app(iid):
        print_note(
            f"{iid!r} belongs to app {owner}, as {instance_id!r} does, which this command"
            f" has not loaded: `--app {owner}` or a worker of it runs it"
        )


def _check_ids(instance_id: str, new_id: str | None, from_event: int) -> None:
    check_instance_id(instance_id)
    if new_id is not None:
        check_new_instance_id(new_id)
        if new_id == instance_id:
            raise UsageError("--new-id must differ from the instance being rerun")
    if from_event < 1:
        raise UsageError(
            f"--from-event {from_event}: give the EVENTID `wfctl history {instance_id}` shows"
            " on the step's TaskScheduled (1, 2, 3, ...)"
        )


class _Announce:
    """Print the new instance's ID once, as soon as the rerun is durable (before the
    embedded engine drives it)."""

    def __init__(self, st: CliState, source: str, event: int, *, wait: bool) -> None:
        self.st, self.source, self.event, self.wait = st, source, event, wait
        self.fmt = output_format(st)
        self.done = False

    def __call__(self, iid: str) -> None:
        if self.done:
            return
        self.done = True
        st = self.st
        if self.fmt == "table":
            text = f"Rerun {self.source} from event {self.event} as {iid}"
            st.out().line(iid if st.settings.quiet else text)
        elif not self.wait:
            body = {"instanceID": iid, "sourceInstanceID": self.source, "eventID": self.event}
            emit(st, self.fmt, body)
        elif not st.settings.quiet:
            print_note(f"rerun as {iid}")
        sys.stdout.flush()


def register(app: typer.Typer, *, epilog: str) -> None:
    app.command("rerun", epilog=epilog)(rerun)
