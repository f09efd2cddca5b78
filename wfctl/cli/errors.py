"""The one error boundary: every exception becomes one line on stderr and an exit code.

* :class:`wfctl.model.WfctlError` subclasses -> their ``exit_code`` (wfctl/model.py's table);
* a usage error of the command-line parser -> 2;
* Ctrl-C -> 130;
* anything else is a bug -> 1, with a traceback only under ``--verbose``.

Secrets registered with :func:`add_secret` (the API token) are replaced by ``****`` in
everything printed here, tracebacks included.
"""

from __future__ import annotations

import sys

from wfctl.model import ExitCode, WfctlError

_secrets: set[str] = set()


def add_secret(value: str | None) -> None:
    """Never print ``value``: it is masked in every message and traceback."""
    if value and len(value) >= 3:
        _secrets.add(value)


def reset() -> None:
    _secrets.clear()


def scrub(text: str) -> str:
    for s in sorted(_secrets, key=len, reverse=True):
        text = text.replace(s, "****")
    return text


def one_line(text: str) -> str:
    return scrub(" ".join(text.split()))


def print_error(message: str, *, prefix: str = "Error: ") -> None:
    sys.stderr.write(prefix + one_line(message) + "\n")
    sys.stderr.flush()


def print_note(message: str) -> None:
    print_error(message, prefix="Note: ")


def handle(exc: BaseException, *, verbose: bool = False) -> int:
    """Print ``exc`` as wfctl prints errors and return the exit code to end with."""
    if isinstance(exc, WfctlError):
        print_error(str(exc) or type(exc).__name__)
        return int(exc.exit_code)
    if isinstance(exc, KeyboardInterrupt):
        sys.stderr.write("\nInterrupted\n")
        return int(ExitCode.INTERRUPTED)
    if isinstance(exc, BrokenPipeError):
        return int(ExitCode.INTERNAL)
    if verbose:
        import traceback

        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        sys.stderr.write(scrub(text))
    detail = str(exc)
    print_error(
        f"internal error: {type(exc).__name__}{': ' + detail if detail else ''}"
        + ("" if verbose else " (run with --verbose for a traceback; this is a bug in wfctl)")
    )
    return int(ExitCode.INTERNAL)
