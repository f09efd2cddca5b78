"""Bulk actions by filter: terminate, pause, resume, purge and raise-event on every instance
that matches ``--status --name --older-than --max-age --id-prefix`` instead of a list of IDs.

The matches are read a page at a time (a keyset cursor: page 200 costs what page 1 costs) and
acted on as they come, so 100,000 matches need neither 100,000 IDs in memory nor one huge
request. Each action only touches the statuses it can change (terminate: unfinished ones;
pause: running; resume: suspended; purge: finished), so an interrupted run is resumed by
running the same command again: what was done no longer matches. More than one match needs
``--yes`` or a "yes" on the terminal; ``--dry-run`` lists what would change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Annotated, Any

import typer

from wfctl.cli import errors
from wfctl.cli.common import CliState, confirm, emit, output_format
from wfctl.durations import parse_duration
from wfctl.model import RuntimeStatus, UsageError, WfctlError, WorkflowState

PAGE = 500  # instances per page (wfctl serve's page route answers at most 500)

_UNFINISHED = (RuntimeStatus.RUNNING, RuntimeStatus.PENDING, RuntimeStatus.SUSPENDED)
_FINISHED = (
    RuntimeStatus.COMPLETED,
    RuntimeStatus.FAILED,
    RuntimeStatus.TERMINATED,
    RuntimeStatus.CANCELED,
)
#: The statuses each action can change (the filter is narrowed to them).
ELIGIBLE: dict[str, tuple[RuntimeStatus, ...]] = {
    "terminate": _UNFINISHED,
    "pause": (RuntimeStatus.RUNNING, RuntimeStatus.PENDING),
    "resume": (RuntimeStatus.SUSPENDED,),
    "purge": _FINISHED,
    "raise-event": _UNFINISHED,
}

_Str = str | None
StatusOpt = Annotated[
    list[str] | None,
    typer.Option("--status", metavar="S", help="Bulk: only these statuses (repeatable, or a,b)."),
]
NameOpt = Annotated[_Str, typer.Option("--name", metavar="N", help="Bulk: only this workflow.")]
OlderOpt = Annotated[
    _Str,
    typer.Option("--older-than", metavar="D", help="Bulk: only those last updated over D ago."),
]
MaxAgeOpt = Annotated[
    _Str, typer.Option("--max-age", metavar="D", help="Bulk: only those created within D.")
]
PrefixOpt = Annotated[
    _Str, typer.Option("--id-prefix", metavar="P", help="Bulk: only IDs that start with P.")
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Bulk: list what would change; change nothing.")
]
YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask before changing several instances.")
]


@dataclass
class Filter:
    """Which instances a bulk action selects."""

    statuses: list[RuntimeStatus] = field(default_factory=list)
    name: str | None = None
    older_than: float | None = None
    max_age: float | None = None
    id_prefix: str | None = None

    def describe(self) -> str:
        parts = []
        if self.statuses:
            parts.append("status " + ",".join(s.value for s in self.statuses))
        if self.name:
            parts.append(f"name {self.name}")
        if self.older_than is not None:
            parts.append(f"updated over {self.older_than:g}s ago")
        if self.max_age is not None:
            parts.append(f"created within {self.max_age:g}s")
        if self.id_prefix:
            parts.append(f"ID prefix {self.id_prefix!r}")
        return ", ".join(parts) or "every instance"


def parse_statuses(values: list[str] | None) -> list[RuntimeStatus]:
    """The statuses of repeated/comma-separated ``--status`` values; UsageError names the
    valid ones."""
    out = []
    for v in values or []:
        for part in v.split(","):
            s = RuntimeStatus.parse(part)
            if s is RuntimeStatus.UNKNOWN and part.strip().upper() != "UNKNOWN":
                names = ", ".join(x.value for x in RuntimeStatus)
                raise UsageError(f"unknown status {part!r}: use one of {names}")
            out.append(s)
    return out


def make_filter(
    statuses: list[str] | None,
    name: str | None,
    older_than: str | None,
    max_age: str | None,
    id_prefix: str | None,
) -> Filter | None:
    """The filter the options give, or None when no filter option was given."""
    if not (statuses or name or older_than or max_age or id_prefix):
        return None
    if id_prefix is not None and not id_prefix:
        raise UsageError("--id-prefix must not be empty")
    return Filter(
        statuses=parse_statuses(statuses),
        name=name or None,
        older_than=parse_duration(older_than) if older_than is not None else None,
        max_age=parse_duration(max_age) if max_age is not None else None,
        id_prefix=id_prefix,
    )


def _pages(backend: Any, f: Filter, action: str) -> Iterator[tuple[list[WorkflowState], bool]]:
    """(matches of one page, whether more pages follow), page after page."""
    page = backend.page_instances  # UnsupportedError names the way out where it lacks one
    eligible = ELIGIBLE[action]
    statuses = [s for s in (f.statuses or eligible) if s in eligible]
    if not statuses:
        return
    cutoff = None
    if f.older_than is not None:
        cutoff = datetime.now(timezone.utc).timestamp() - f.older_than
    cursor = None
    while True:
        states, cursor = page(
            statuses=statuses,
            name=f.name,
            id_prefix=f.id_prefix,
            max_age=f.max_age,
            limit=PAGE,
            after=cursor,
        )
        if cutoff is not None:
            states = [s for s in states if _updated(s) <= cutoff]
        yield states, cursor is not None
        if cursor is None:
            return


def _updated(s: WorkflowState) -> float:
    t = s.last_updated_at or s.created_at
    if t is None:
        return 0.0
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).timestamp()


def run(
    st: CliState,
    f: Filter,
    action: str,
    verb: str,
    act: Callable[[str], None],
    *,
    dry_run: bool,
    yes: bool,
) -> None:
    """Select by ``f``, ask when more than one matches (unless ``yes`` or ``dry_run``), then
    ``act`` on each match: one line per instance, a summary, the first failure's exit code."""
    fmt = output_format(st)
    backend = st.backend()
    out = st.out()
    pages = _pages(backend, f, action)
    first, more = next(pages, ([], False))
    if not dry_run and (len(first) > 1 or (more and first)):
        count = f"{len(first)}{'+' if more else ''}"
        confirm(f"{action} {count} instances ({f.describe()})", yes=yes)
    results: list[dict[str, str]] = []
    done = failed = 0
    code = 0

    def report(iid: str, result: str) -> None:
        if fmt != "table":
            results.append({"instanceID": iid, "result": result})
        elif st.settings.quiet:
            out.line(iid)
        else:
            out.line(f"{iid}: {result}")

    def chain() -> Iterator[list[WorkflowState]]:
        yield first
        for states, _ in pages:
            yield states

    for states in chain():
        for s in states:
            iid = s.instance_id
            if dry_run:
                report(iid, f"would be {verb}")
                done += 1
                continue
            try:
                act(iid)
            except WfctlError as exc:
                failed += 1
                code = code or int(exc.exit_code)
                errors.print_error(f"{iid}: {exc}")
                if fmt != "table":
                    results.append({"instanceID": iid, "error": errors.one_line(str(exc))})
                continue
            done += 1
            report(iid, verb)
    if fmt != "table":
        emit(st, fmt, results)
    elif not st.settings.quiet:
        what = f"would be {verb}" if dry_run else verb
        tail = f", {failed} failed" if failed else ""
        if done or failed:
            out.line(f"{done} instance(s) {what}{tail}")
        else:
            errors.print_error(f"No instances match ({f.describe()})", prefix="")
    if code:
        raise typer.Exit(code)


def pick(ids: list[str] | None, f: Filter | None, *, dry_run: bool, what: str) -> list[str]:
    """The IDs given, checked against the filter options: one or the other, never both."""
    if ids and f is not None:
        raise UsageError(f"give instance IDs or a filter ({OPTIONS}), not both")
    if not ids and f is None:
        raise UsageError(f"give instance IDs to {what}, or select them with {OPTIONS}")
    if dry_run and f is None:
        raise UsageError(f"--dry-run goes with a filter ({OPTIONS})")
    return list(ids or [])


OPTIONS = "--status, --name, --older-than, --max-age, --id-prefix"
