"""Render (or write) the three completion scripts from a click command tree.

The output depends only on the command tree, so the checked-in files can be compared with a
fresh run. ``python -m wfctl.cli.refresh_completions [DIR]`` writes wfctl's own into DIR
(default: the ``completions/`` folder of the source tree); this module never imports the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wfctl.completion import bash, fish, zsh
from wfctl.completion.spec import CommandSpec, build_spec

SHELLS = ("bash", "zsh", "fish")
FILENAMES = {"bash": "wfctl.bash", "zsh": "_wfctl", "fish": "wfctl.fish"}
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "completions"
REFRESH_COMMAND = "python -m wfctl.cli.refresh_completions"


def render(shell: str, command: Any) -> str:
    """The completion script for ``shell`` (bash, zsh or fish) of the click ``command`` tree."""
    spec: CommandSpec = build_spec(command)
    writer = {"bash": bash, "zsh": zsh, "fish": fish}[shell]
    return writer.render(spec)


def render_all(command: Any) -> dict[str, str]:
    """``{filename: script}`` for every shell."""
    return {FILENAMES[shell]: render(shell, command) for shell in SHELLS}


def write_completions(directory: Path | str, command: Any) -> list[Path]:
    """Write the three scripts of ``command`` into ``directory`` (made if missing); return
    their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_all(command).items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
