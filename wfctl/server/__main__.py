"""``python -m wfctl.server [OPTIONS]``: exactly ``wfctl serve [OPTIONS]``, usable without the
``wfctl`` console script.

It hands its arguments to the CLI's ``serve`` command, so there is one set of options (the
HTTP ones, ``--grpc-port`` and the other gRPC options, ``--db``, ``--app``, the token flags,
``--verbose``), one set of checks (``--db :memory:`` is refused: serve keeps workflows in a
file others share) and the same exit codes: 0 after a graceful stop, the
:class:`wfctl.model.ExitCode` of any start-up error, one line on stderr.

The hand-over replaces this process with ``python -m wfctl serve`` (same process ID, the
interpreter's own options kept), so the server package never imports the CLI above it.
"""

from __future__ import annotations

import os
import sys


def serve_command(args: list[str]) -> list[str]:
    """The command line of ``python -m wfctl serve ARGS`` for this interpreter, with the
    options it was started with (``-X``, ``-W``, ...)."""
    orig = list(getattr(sys, "orig_argv", []))
    for i in range(len(orig) - 1):
        if orig[i] == "-m" and orig[i + 1] == "wfctl.server":
            return [*orig[:i], "-m", "wfctl", "serve", *args]
    return [sys.executable, "-m", "wfctl", "serve", *args]


def main(argv: list[str] | None = None) -> int:
    cmd = serve_command(sys.argv[1:] if argv is None else argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, cmd)
    return 1  # not reached: execv replaces the process or raises OSError


if __name__ == "__main__":
    sys.exit(main())
