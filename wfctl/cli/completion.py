"""``wfctl completion bash|zsh|fish``: print the shell completion script.

The script is rendered from the running app's command tree, so it always matches the
installed wfctl (and equals the checked-in ``completions/`` files, which a test keeps current).
"""

from __future__ import annotations

import enum
from typing import Annotated

import typer


class Shell(str, enum.Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


_HELP = """Print the shell completion script for SHELL.

Enable it for the current user with one line:

  bash:  echo 'source <(wfctl completion bash)' >> ~/.bashrc

  zsh:   echo 'source <(wfctl completion zsh)' >> ~/.zshrc   (after compinit)

  fish:  wfctl completion fish > ~/.config/fish/completions/wfctl.fish
"""


def register(app: typer.Typer) -> None:
    """Add the ``completion`` command to ``app``."""

    @app.command("completion", help=_HELP)
    def completion(
        ctx: typer.Context,
        shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish.", metavar="SHELL")],
    ) -> None:
        from wfctl.completion.generate import render

        typer.echo(render(shell.value, ctx.find_root().command), nl=False)
