r"""Printing results as a table, JSON or YAML.

* JSON and YAML are for scripts: no colour, nothing cut, UTF-8 kept as is.
* Tables on a terminal are drawn with rich (imported only here, only then), statuses in colour
  unless ``--no-color``/``NO_COLOR``; long payloads are shortened to fit.
* Tables when stdout is not a terminal are plain aligned text: no colour, no truncation, no
  rich import, so ``grep``/``awk`` see every character.
* Text from outside (names, IDs, statuses, payloads, failure messages: a server or a store may
  hold anything) can never drive the terminal: every line, cell and field goes through
  :func:`wfctl.textsafe.escape_control` here, the one place text reaches stdout. JSON and YAML
  stay exact: what would be a control character is written as an escape of the format itself
  (``\u001b``, ``"\e"``), which a parser reads back as the same text.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import IO, Any

from wfctl.durations import format_duration
from wfctl.model import RuntimeStatus, WorkflowState
from wfctl.textsafe import escape_control, is_unsafe, loads_bounded

STATUS_COLOURS = {
    RuntimeStatus.RUNNING: "cyan",
    RuntimeStatus.PENDING: "blue",
    RuntimeStatus.SUSPENDED: "yellow",
    RuntimeStatus.COMPLETED: "green",
    RuntimeStatus.CONTINUED_AS_NEW: "cyan",
    RuntimeStatus.FAILED: "bold red",
    RuntimeStatus.TERMINATED: "magenta",
    RuntimeStatus.CANCELED: "magenta",
    RuntimeStatus.STALLED: "bold yellow",
    RuntimeStatus.UNKNOWN: "dim",
}


class Output:
    """Where and how to print: the stream, whether it is a terminal, whether to colour."""

    def __init__(
        self,
        stream: IO[str] | None = None,
        *,
        tty: bool | None = None,
        color: bool = True,
        width: int | None = None,
    ) -> None:
        self.stream = stream if stream is not None else sys.stdout
        if tty is None:
            isatty = getattr(self.stream, "isatty", None)
            tty = bool(isatty and isatty())
        self.tty = tty
        self.color = color and tty
        self.width = width

    def line(self, text: str = "") -> None:
        """One line of text: control characters (a newline too) escaped."""
        self._write(escape_control(text) + "\n")

    def json(self, obj: Any) -> None:
        text = json.dumps(obj, indent=2, ensure_ascii=False)
        if _has_unsafe(text):  # only inside strings, where \uXXXX means the same character
            text = "".join(f"\\u{ord(c):04x}" if c != "\n" and is_unsafe(c) else c for c in text)
        self._write(text + "\n")

    def yaml(self, obj: Any) -> None:
        import yaml  # only for -o yaml

        self._write(yaml.dump(obj, Dumper=_yaml_dumper(), sort_keys=False, allow_unicode=True))

    def _write(self, text: str) -> None:
        # In pieces: a pipe closed under one large write loses the rest without an error;
        # a later piece meets the BrokenPipeError, so `| head` ends wfctl as it should.
        for start in range(0, len(text), _PIECE):
            self.stream.write(text[start : start + _PIECE])
        self.stream.flush()

    def _console(self) -> Any:
        from rich.console import Console

        return Console(
            file=self.stream,
            force_terminal=self.tty,
            no_color=not self.color,
            highlight=False,
            width=self.width,
            soft_wrap=False,
        )

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        styles: Sequence[Sequence[str | None]] | None = None,
        keep: Sequence[int] = (),
        drop: Sequence[int] = (),
        no_headers: bool = False,
    ) -> None:
        """Columns with a header row; ``styles`` (per cell) colour a terminal table.

        On a terminal, columns ``keep`` are never wrapped nor cut (IDs, statuses); the others
        shorten with a visible "…", and when even that does not fit the width, columns are
        dropped in the order ``drop`` gives. Piped tables are never cut. Control characters
        in cells are escaped (stored data never drives the terminal).
        """
        rows = [[escape_control(c) for c in row] for row in rows]
        if not self.tty:
            widths = [len(h) for h in headers] if not no_headers else [0] * len(headers)
            for row in rows:
                widths = [max(w, len(c)) for w, c in zip(widths, row, strict=False)]
            for row in [*([] if no_headers else [list(headers)]), *rows]:
                cells = [c.ljust(w) for c, w in zip(row, widths, strict=False)]
                self.line("   ".join(cells).rstrip())
            return
        console = self._console()
        console.print(
            self.table_renderable(
                headers,
                rows,
                styles=styles,
                keep=keep,
                drop=drop,
                no_headers=no_headers,
                width=console.size.width,
            )
        )

    def table_renderable(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        styles: Sequence[Sequence[str | None]] | None = None,
        keep: Sequence[int] = (),
        drop: Sequence[int] = (),
        no_headers: bool = False,
        width: int = 80,
    ) -> Any:
        """The rich table :meth:`table` prints on a terminal (also for a live redraw)."""
        from rich import box
        from rich.table import Table

        fit = keep or drop
        widths = _column_widths(headers, rows, width, keep, drop) if fit else {}
        shown = list(widths) if fit else list(range(len(headers)))
        t = Table(
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            header_style="bold",
            show_header=not no_headers,
        )
        for j in shown:
            if fit:  # widths fixed here: rich would squeeze a kept column to nothing
                t.add_column(headers[j], width=widths[j], no_wrap=True, overflow="ellipsis")
            else:
                t.add_column(headers[j], overflow="fold")
        for i, row in enumerate(rows):
            cells = []
            for j in shown:
                style = styles[i][j] if styles else None
                cells.append(_text(row[j], style))
            t.add_row(*cells)
        return t

    def live(self) -> Any:
        """A context manager whose ``update(renderable)`` redraws it in place (terminal)."""
        from rich.live import Live

        return Live(console=self._console(), auto_refresh=False, transient=False)

    def fields(self, blocks: Sequence[Sequence[tuple[str, str, str | None]]]) -> None:
        """Key/value blocks (one per instance), a blank line between them."""
        for n, block in enumerate(blocks):
            if n:
                self.line()
            if not self.tty:
                w = max(len(k) for k, _, _ in block) + 1
                for key, value, _ in block:
                    self.line(f"{(key + ':').ljust(w)}  {value}".rstrip())  # line() escapes
                continue
            self._console().print(_grid(block))

    def live_fields(self) -> Any:
        """A context manager whose ``update(blocks)`` redraws key/value blocks in place
        (terminal only; `status --watch`)."""
        from rich.console import Group
        from rich.live import Live

        live = Live(console=self._console(), auto_refresh=False, transient=False)

        class _Updater:
            def __enter__(self) -> _Updater:
                live.__enter__()
                return self

            def __exit__(self, *exc: object) -> None:
                live.__exit__(None, None, None)

            def update(self, blocks: Sequence[Sequence[tuple[str, str, str | None]]]) -> None:
                parts: list[Any] = []
                for n, block in enumerate(blocks):
                    if n:
                        parts.append("")
                    parts.append(_grid(block))
                live.update(Group(*parts), refresh=True)

        return _Updater()


#: The narrowest a shortened column gets before columns are dropped instead.
MIN_FLEX_WIDTH = 8
#: Spaces between two columns of a terminal table (padding on both sides, and the gap).
GAP = 3


def _column_widths(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    keep: Sequence[int],
    drop: Sequence[int],
) -> dict[int, int]:
    """Column -> width at a terminal ``width``: kept columns whole; the others share what is
    left (narrow ones whole first), no narrower than MIN_FLEX_WIDTH — while that does not fit,
    columns of ``drop`` go, in order."""
    natural = [max([len(h), *(len(r[j]) for r in rows)]) for j, h in enumerate(headers)]
    shown = list(range(len(headers)))

    def need() -> int:
        cells = [natural[j] if j in keep else min(natural[j], MIN_FLEX_WIDTH) for j in shown]
        return sum(cells) + GAP * (len(shown) - 1)

    for j in drop:
        if need() <= width:
            break
        shown.remove(j)
    out = {j: natural[j] for j in shown if j in keep}
    room = width - sum(out.values()) - GAP * (len(shown) - 1)
    flex = sorted((j for j in shown if j not in keep), key=lambda j: natural[j])
    for n, j in enumerate(flex):
        share = max(MIN_FLEX_WIDTH, room // (len(flex) - n))
        out[j] = min(natural[j], share)
        room -= out[j]
    return {j: out[j] for j in shown}


def _grid(block: Sequence[tuple[str, str, str | None]]) -> Any:
    from rich.table import Table

    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True)
    t.add_column(overflow="fold")
    for key, value, style in block:
        t.add_row(key + ":", _text(value, style))
    return t


def _text(value: str, style: str | None) -> Any:
    from rich.text import Text

    return Text(escape_control(value), style=style or "")


_PIECE = 8192


def _has_unsafe(text: str) -> bool:
    return not text.replace("\n", "").isprintable() and any(is_unsafe(c) for c in text if c != "\n")


_DUMPER: Any = None


def _yaml_dumper() -> Any:
    """PyYAML's safe dumper, but a string holding a control, bidi or line-separator character
    is written double-quoted with that character escaped (PyYAML alone writes some raw)."""
    global _DUMPER
    if _DUMPER is not None:
        return _DUMPER
    import yaml

    class Dumper(yaml.SafeDumper):
        def write_double_quoted(self, text: str, split: bool = True) -> None:
            if not any(is_unsafe(c) and ord(c) > 0x9F for c in text):
                super().write_double_quoted(text, split)
                return
            # PyYAML writes characters from U+00A0 up as they are when allow_unicode is on
            # (bidi overrides too): off, for this one string, they become \u escapes.
            saved, self.allow_unicode = self.allow_unicode, False
            try:
                super().write_double_quoted(text, split)
            finally:
                self.allow_unicode = saved

    def represent_str(dumper: Any, data: str) -> Any:
        style = '"' if any(is_unsafe(c) or c == "\x85" for c in data if c != "\n") else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    Dumper.add_representer(str, represent_str)
    _DUMPER = Dumper
    return Dumper


def compact(payload: str | None, limit: int | None = None) -> str:
    """A payload on one line: JSON re-serialized without spaces, cut to ``limit`` chars."""
    if payload is None:
        return ""
    try:
        # Bounded: a value stored nested too deep (before serve refused them) reads as text.
        text = json.dumps(loads_bounded(payload), ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        text = " ".join(payload.split())
    if limit is not None and len(text) > limit:
        text = text[: max(1, limit - 1)] + "…"
    return text


def age(dt: datetime | None, now: datetime | None = None) -> str:
    if dt is None:
        return ""
    if dt.tzinfo is None:  # a naive time is UTC everywhere in wfctl
        dt = dt.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return format_duration((now - dt).total_seconds())


def when(dt: datetime | None) -> str:
    if dt is None:
        return ""
    return aware(dt).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def aware(dt: datetime) -> datetime:
    """``dt`` with a time zone; a naive time is read as UTC (as every backend stores it)."""
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt


def state_fields(
    state: WorkflowState, *, limit: int | None = None, now: datetime | None = None
) -> list[tuple[str, str, str | None]]:
    """The rows `wfctl status` shows for one instance (empty ones left out)."""
    rows: list[tuple[str, str, str | None]] = [
        ("Instance", state.instance_id, "bold"),
        ("Workflow", state.name, None),
        ("Status", state.runtime_status.value, STATUS_COLOURS.get(state.runtime_status)),
        ("Created", when(state.created_at), None),
        ("Updated", when(state.last_updated_at), None),
        ("Age", age(state.created_at, now), None),
        ("Custom status", compact(state.serialized_custom_status, limit), None),
        ("Input", compact(state.serialized_input, limit), None),
        ("Output", compact(state.serialized_output, limit), None),
    ]
    if state.failure is not None:
        f = state.failure
        text = f"{f.error_type}: {f.message}" if f.error_type else f.message
        rows.append(("Failure", " ".join(text.split()), "red"))
    return [r for r in rows if r[1] or r[0] in ("Instance", "Status")]
