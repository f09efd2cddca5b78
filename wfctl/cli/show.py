"""``status``'s work without the command-line parser: shared by the Typer command
(:mod:`wfctl.cli.lifecycle`) and the lean start-up path (:mod:`wfctl.cli._lean`), so both
print the same thing. Nothing here imports Typer or rich (tables import rich when drawn)."""

from __future__ import annotations

import time
from typing import Any

from wfctl.cli.common import CliState, emit, output_format
from wfctl.durations import parse_interval
from wfctl.ids import check_instance_id
from wfctl.model import RuntimeStatus, WfctlError, WorkflowState


def print_states(state: CliState, fmt: str, states: list[WorkflowState], *, many: bool) -> None:
    from wfctl import wire
    from wfctl.render import state_fields

    if fmt in ("json", "yaml"):
        objs = [wire.state_to_dapr(s) for s in states]
        emit(state, fmt, objs if many else objs[0])
        return
    out = state.out()
    if state.settings.quiet:
        for s in states:
            out.line(
                s.runtime_status.value if not many else f"{s.instance_id} {s.runtime_status.value}"
            )
        return
    limit = 120 if out.tty else None
    out.fields([with_waits(state, s, state_fields(s, limit=limit)) for s in states])


def with_waits(st: CliState, state: WorkflowState, rows: list[Any]) -> list[Any]:
    """``rows`` plus "Waiting for" (events, next timer, activities in flight, running
    children) for an unfinished instance, where the backend has its history (embedded,
    `wfctl serve`); a plain sidecar has none and the row is left out. Tables only: -o json
    keeps Dapr's shape."""
    if state.runtime_status.is_terminal:
        return rows
    from wfctl.backend.protocol import Capability

    backend = st.backend()
    if state.runtime_status is RuntimeStatus.PENDING:  # no turn yet: nothing in its history
        try:
            why = backend.pending_reason(state.instance_id)
        except WfctlError:
            why = None
        if why:
            return [*rows, ("Waiting for", why, "yellow")]
    try:
        if not backend.supports(Capability.HISTORY):
            return rows
        entries, events = backend.history_with_waits(state.instance_id)
    except WfctlError:
        return rows
    from wfctl.waiting import derive, describe

    lines = describe(derive(entries, events))
    if not lines:
        return rows
    return [*rows, ("Waiting for", "; ".join(lines), "yellow")]


def watch_states(
    backend: Any,
    ids: list[str],
    every: float,
    show: Any,
    *,
    url: str | None = None,
    watch: bool,
    redraw: bool = False,
) -> WfctlError | None:
    """Read every ID, call ``show`` with the states when they changed; with ``watch``, repeat
    every ``every`` seconds until all are terminal (``redraw``: call ``show`` every time, for
    a screen redrawn in place). Returns the first per-ID error (several IDs; one ID raises)."""
    many = len(ids) > 1
    last: list[Any] | None = None
    first_error: WfctlError | None = None
    while True:
        states: list[WorkflowState] = []
        for iid in ids:
            try:
                states.append(backend.get(iid))
                if last is None and url is not None:
                    from wfctl.recent import record_instance

                    record_instance(url, iid, states[-1].name)  # for TAB; never raises
            except WfctlError as exc:
                if not many:
                    raise
                if last is None:
                    from wfctl.cli.errors import print_error

                    print_error(str(exc))
                first_error = first_error or exc
        snapshot = [(s.instance_id, s.runtime_status, s.last_updated_at) for s in states]
        if states and (snapshot != last or redraw):
            show(states)
        last = snapshot
        if not watch or all(s.runtime_status.is_terminal for s in states):
            return first_error
        time.sleep(every)


def show_status(st: CliState, ids: list[str], *, watch: bool, interval: str) -> int:
    """Print the instances ``ids`` (refreshing with ``watch``); returns the exit code of the
    first per-ID failure (several IDs) or 0; one ID's failure raises."""
    for iid in ids:
        check_instance_id(iid)
    every = parse_interval(interval)
    fmt = output_format(st)
    backend = st.backend()
    many = len(ids) > 1
    out = st.out()
    live = watch and out.tty and fmt == "table" and not st.settings.quiet
    if live:
        from wfctl.render import state_fields

        with out.live_fields() as screen:
            first_error = watch_states(
                backend,
                ids,
                every,
                lambda states: screen.update(
                    [with_waits(st, s, state_fields(s, limit=120)) for s in states]
                ),
                watch=True,
                redraw=True,  # Age moves on even when nothing else does
            )
    else:
        printed = False

        def show(states: list[WorkflowState]) -> None:
            nonlocal printed
            if printed and fmt == "table":
                out.line()
            print_states(st, fmt, states, many=many)
            printed = True

        first_error = watch_states(
            backend,
            ids,
            every,
            show,
            watch=watch,
            url=None if st.settings.embedded else st.settings.server_key,
        )
    if first_error is not None:
        return int(first_error.exit_code)
    return 0
