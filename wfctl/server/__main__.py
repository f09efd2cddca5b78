"""``python -m wfctl.server [--host H] [--port N] [--db PATH] [--app APP] [--api-token T]``
``[--no-ui]``.

A stand-in for ``wfctl serve`` (same options, same behaviour) usable without the CLI.
The token comes from ``--api-token``, else ``--api-token-file``, else ``DAPR_API_TOKEN``.
Exit codes: 0 after a graceful stop, the :class:`wfctl.model.ExitCode` of any startup error.
"""

from __future__ import annotations

import argparse
import os
import sys

from wfctl.model import WfctlError


def _token(args: argparse.Namespace) -> str | None:
    from wfctl.settings import check_token, read_token_file  # the CLI's rules, one place

    if args.api_token:
        return check_token(str(args.api_token), "--api-token")
    if args.api_token_file:
        return read_token_file(args.api_token_file)
    env = os.environ.get("DAPR_API_TOKEN")
    return check_token(env, "env DAPR_API_TOKEN") if env else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m wfctl.server",
        description="Serve the Dapr workflow HTTP API over wfctl's embedded engine.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3500, help="0 picks a free port")
    parser.add_argument("--db", default=None, help="SQLite file (default: $WFCTL_DB or XDG)")
    parser.add_argument("--app", default=None, help="module or file registering workflows")
    parser.add_argument("--api-token", default=None)
    parser.add_argument("--api-token-file", default=None)
    parser.add_argument("--no-ui", action="store_true", help="do not serve the web view at /")
    parser.add_argument(
        "--header-timeout",
        type=float,
        default=10.0,
        help="seconds a client has to send a request's headers (default 10)",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    from wfctl.server import serve

    try:
        return serve(
            host=args.host,
            port=args.port,
            db_path=args.db,
            app=args.app,
            api_token=_token(args),
            verbose=args.verbose,
            ui=not args.no_ui,
            header_timeout=args.header_timeout,
        )
    except WfctlError as exc:
        print(f"wfctl serve: {exc}", file=sys.stderr)
        return int(exc.exit_code)


if __name__ == "__main__":
    sys.exit(main())
