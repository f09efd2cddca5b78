"""`list` at 80 columns keeps IDs and statuses whole, --no-headers, "No instances" on stderr;
`status --watch` redraws (Age moves on); embedded IDs are dashed UUIDs like daprd's."""

from __future__ import annotations

import io
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wfctl.cli.app import app
from wfctl.cli.show import watch_states as _watch
from wfctl.model import RuntimeStatus, WorkflowState
from wfctl.render import Output

HEADERS = ["NAME", "ID", "STATUS", "CUSTOM STATUS", "AGE"]
WIDE = [*HEADERS, "CREATED", "UPDATED", "FAILURE"]
ID = "9f1c2d3e-4b5a-4c6d-8e7f-0123456789ab"


def _plain(buf: io.StringIO) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", buf.getvalue())  # bold headers, no colour


@pytest.mark.parametrize("width", [60, 80, 100])
def test_ids_and_statuses_never_wrap_at_any_width(width: int) -> None:
    buf = io.StringIO()
    row = ["OrderProcessingWorkflow", ID, "COMPLETED", '{"step":"shipping","n":' + "9" * 40 + "}"]
    rows = [[*row, "3m"], ["w", "b" * 30, "SUSPENDED", "", "1h"]]
    Output(buf, tty=True, color=False, width=width).table(
        HEADERS, rows, keep=(1, 2), drop=(3, 0, 4)
    )
    lines = _plain(buf).splitlines()
    assert all(len(line) <= width for line in lines), lines
    assert any(ID in line and "COMPLETED" in line for line in lines), lines
    assert any("b" * 30 in line and "SUSPENDED" in line for line in lines), lines
    assert len(lines) == 4  # header, rule, one line per instance


def test_wide_at_80_columns_drops_lower_priority_columns() -> None:
    buf = io.StringIO()
    row = [
        "OrderProcessingWorkflow", ID, "COMPLETED", "{}", "3m",
        "2026-11-28 04:12:29 UTC", "2026-11-28 04:12:29 UTC", "ValueError: boom",
    ]  # fmt: skip
    Output(buf, tty=True, color=False, width=80).table(
        WIDE, [row], keep=(1, 2), drop=(3, 6, 5, 7, 0, 4)
    )
    header, _, line = _plain(buf).splitlines()
    assert ID in line and "COMPLETED" in line and "FAILURE" in header
    assert "UPDATED" not in header and "CREATED" not in header
    assert max(len(x) for x in (header, line)) <= 80


def test_a_shortened_cell_shows_its_mark() -> None:
    buf = io.StringIO()
    Output(buf, tty=True, color=False, width=70).table(
        HEADERS, [["wf", ID, "RUNNING", "x" * 60, "1s"]], keep=(1, 2), drop=(3, 0, 4)
    )
    assert "…" in buf.getvalue()


def test_empty_list_says_so_on_stderr_only(runner: CliRunner, tmp_path: Path) -> None:
    base = ["--embedded", "--db", str(tmp_path / "none.db")]
    r = runner.invoke(app, [*base, "list"])
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "No instances\n")
    r = runner.invoke(app, [*base, "list", "-o", "json"])
    assert (r.stdout.strip(), r.stderr) == ("[]", "")


def test_no_headers_and_dashed_ids(runner: CliRunner, tmp_path: Path) -> None:
    base = ["--embedded", "--db", str(tmp_path / "l.db")]
    r = runner.invoke(app, [*base, "start", "hello_world_wf", "-q", "--input", '"x"'])
    assert r.exit_code == 0, r.stderr
    iid = r.stdout.strip()
    assert str(uuid.UUID(iid)) == iid  # one ID format for embedded and HTTP
    r = runner.invoke(app, [*base, "list", "--no-headers"])
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert len(lines) == 1 and iid in lines[0] and "NAME" not in r.stdout


class _Static:
    def __init__(self, terminal_after: int) -> None:
        self.reads = 0
        self.terminal_after = terminal_after

    def get(self, iid: str) -> WorkflowState:
        self.reads += 1
        done = self.reads > self.terminal_after
        t = datetime(2026, 1, 1, tzinfo=timezone.utc)
        return WorkflowState(
            instance_id=iid,
            name="wf",
            runtime_status=RuntimeStatus.COMPLETED if done else RuntimeStatus.RUNNING,
            created_at=t,
            last_updated_at=t,
        )


def test_status_watch_redraws_every_tick_so_age_moves() -> None:
    shown: list[int] = []
    _watch(_Static(3), ["a"], 0.0, lambda states: shown.append(1), watch=True, redraw=True)
    assert len(shown) == 4  # three unchanged RUNNING reads, then COMPLETED: all drawn
    shown.clear()
    _watch(_Static(3), ["a"], 0.0, lambda states: shown.append(1), watch=True)
    assert len(shown) == 2  # printed output shows changes only
