"""Write (or render) the three completion scripts from wfctl's command tree.

``python -m wfctl.completion.generate [DIR]`` writes ``wfctl.bash``, ``_wfctl`` (zsh) and
``wfctl.fish`` into DIR (default: the ``completions/`` folder of the source tree). The output
depends only on the command tree, so the checked-in files can be compared with a fresh run.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from wfctl.completion import bash, fish, zsh
from wfctl.completion.spec import CommandSpec, build_spec

SHELLS = ("bash", "zsh", "fish")
FILENAMES = {"bash": "wfctl.bash", "zsh": "_wfctl", "fish": "wfctl.fish"}
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "completions"
REFRESH_COMMAND = "python -m wfctl.completion.generate"


def root_command(app: Any = None) -> Any:
    """The click command tree of ``app`` (a ``typer.Typer``; default: wfctl's own app)."""
    import typer

    if app is None:
        from wfctl.cli.app import app as wfctl_app

        app = wfctl_app
    return typer.main.get_command(app)


def render(shell: str, command: Any) -> str:
    """The completion script for ``shell`` (bash, zsh or fish) of the click ``command`` tree."""
    spec: CommandSpec = build_spec(command)
    writer = {"bash": bash, "zsh": zsh, "fish": fish}[shell]
    return writer.render(spec)


def render_all(command: Any) -> dict[str, str]:
    """``{filename: script}`` for every shell."""
    return {FILENAMES[shell]: render(shell, command) for shell in SHELLS}


def write_completions(directory: Path | str = DEFAULT_DIR, command: Any = None) -> list[Path]:
    """Write the three scripts into ``directory`` (made if missing); return their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_all(command if command is not None else root_command()).items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: ``python -m wfctl.completion.generate [DIR]``."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    for path in write_completions(args[0] if args else DEFAULT_DIR):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
