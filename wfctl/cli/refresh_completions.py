"""``python -m wfctl.cli.refresh_completions [DIR]``: write wfctl's completion scripts.

Writes ``wfctl.bash``, ``_wfctl`` (zsh) and ``wfctl.fish``, rendered from the Typer app's
command tree, into DIR (default: the ``completions/`` folder of the source tree). It sits
above the app (nothing imports it), so the renderers in ``wfctl.completion`` never import
the CLI.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from wfctl.completion.generate import DEFAULT_DIR, write_completions


def root_command(app: typer.Typer | None = None) -> Any:
    """The click command tree of ``app`` (default: wfctl's own app)."""
    if app is None:
        from wfctl.cli.app import app as wfctl_app

        app = wfctl_app
    return typer.main.get_command(app)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: ``python -m wfctl.cli.refresh_completions [DIR]``."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print((__doc__ or "").strip())
        return 0
    for path in write_completions(args[0] if args else DEFAULT_DIR, root_command()):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
