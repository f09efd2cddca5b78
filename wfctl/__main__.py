"""``wfctl`` and ``python -m wfctl``.

``--version`` is answered here, before Typer (or anything else heavy) is imported.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """The console-script entry point; returns (and, as a script, exits with) the exit code."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        from wfctl import __version__

        sys.stdout.write(f"wfctl {__version__}\n")
        return 0
    from wfctl.cli.app import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
