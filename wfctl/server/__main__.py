"""``python -m wfctl.server [OPTIONS]``: exactly ``wfctl serve [OPTIONS]``, usable without the
``wfctl`` console script.

It hands its arguments to the CLI's ``serve`` command, so there is one set of options (the
HTTP ones, ``--grpc-port`` and the other gRPC options, ``--db``, ``--app``, the token flags,
``--verbose``), one set of checks (``--db :memory:`` is refused: serve keeps workflows in a
file others share) and the same exit codes: 0 after a graceful stop, the
:class:`wfctl.model.ExitCode` of any start-up error, one line on stderr.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from wfctl.__main__ import main as wfctl_main

    return wfctl_main(["serve", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
