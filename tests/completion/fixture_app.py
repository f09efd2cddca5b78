"""A stand-in Typer app shaped like wfctl's CLI, so the generator and the shell scripts can
be tested on their own (the checked-in scripts are generated from the real app)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer


class Output(str, Enum):
    table = "table"
    json = "json"
    yaml = "yaml"


class ApiVersion(str, Enum):
    beta = "v1.0-beta1"
    v1 = "v1.0"


class WaitFor(str, Enum):
    start = "start"
    completion = "completion"


app = typer.Typer(add_completion=False, help="Manage Dapr workflows.")


@app.callback()
def main(
    url: Annotated[str | None, typer.Option(help="Dapr HTTP endpoint.")] = None,
    api_version: Annotated[ApiVersion | None, typer.Option()] = None,
    output: Annotated[Output | None, typer.Option("--output", "-o", help="Output format.")] = None,
    db: Annotated[Path | None, typer.Option(help="SQLite file.")] = None,
    embedded: Annotated[bool, typer.Option("--embedded", help="Run in-process.")] = False,
    profile: Annotated[str | None, typer.Option(help="Config profile.")] = None,
    config: Annotated[Path | None, typer.Option(help="Config file.")] = None,
    request_timeout: Annotated[str | None, typer.Option(help="One request's limit.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """wfctl."""


@app.command()
def start(
    name: Annotated[str, typer.Argument()],
    id: Annotated[str | None, typer.Option("--id")] = None,
    input_file: Annotated[str | None, typer.Option()] = None,
    wait: Annotated[bool, typer.Option("--wait")] = False,
    timeout: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Start a workflow instance."""


@app.command()
def status(ids: Annotated[list[str], typer.Argument()]) -> None:
    """Show instances' status."""


@app.command()
def pause(ids: Annotated[list[str], typer.Argument()]) -> None:
    """Pause instances."""


app.command("suspend", hidden=True)(pause)


@app.command("raise-event")
def raise_event(
    instance_id: Annotated[str, typer.Argument()],
    event: Annotated[str, typer.Argument()],
    data_file: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Raise an event."""


@app.command()
def wait(
    ids: Annotated[list[str], typer.Argument()],
    for_: Annotated[WaitFor, typer.Option("--for")] = WaitFor.completion,
) -> None:
    """Wait for instances."""


@app.command("list")
def list_(
    status: Annotated[list[str] | None, typer.Option("--status")] = None,
    name: Annotated[str | None, typer.Option("--name")] = None,
) -> None:
    """List instances."""


config_app = typer.Typer(help="Settings.")
app.add_typer(config_app, name="config")


@config_app.command("show")
def config_show() -> None:
    """Print the resolved settings."""
