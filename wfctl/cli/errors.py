"""The one error boundary: every exception becomes one line on stderr and an exit code.

* :class:`wfctl.model.WfctlError` subclasses -> their ``exit_code`` (wfctl/model.py's table);
* a usage error of the command-line parser -> 2;
* Ctrl-C -> 130;
* a closed stdout (``wfctl list | head -1``) -> 141, quietly (a shell's code for SIGPIPE);
* anything else is a bug -> 1, with a traceback only under ``--verbose``.

Everything printed here has control characters escaped (:func:`wfctl.textsafe.escape_control`):
messages carry text from servers and stores (error messages, names, IDs).

Secrets registered with :func:`add_secret` (the API token) are replaced by ``****`` in
everything printed here, tracebacks included.
"""

from __future__ import annotations

import os
import sys

from wfctl.model import ExitCode, WfctlError
from wfctl.textsafe import escape_control

_secrets: set[str] = set()
_interrupted = False


def on_sigint(signum: int, frame: object) -> None:
    """SIGINT while a command runs: Python's KeyboardInterrupt, remembered, so that the
    boundary still exits 130 when C code turned it into another error (an ImportError from a
    lazy import, say)."""
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt


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
    """``text`` for one line on a terminal or in a log: whitespace runs collapsed, secrets
    masked, control characters escaped."""
    return escape_control(scrub(" ".join(text.split())))


def print_error(message: str, *, prefix: str = "Error: ") -> None:
    sys.stderr.write(prefix + one_line(message) + "\n")
    sys.stderr.flush()


def print_note(message: str) -> None:
    print_error(message, prefix="Note: ")


def handle(exc: BaseException, *, verbose: bool = False) -> int:
    """Print ``exc`` as wfctl prints errors and return the exit code to end with."""
    if isinstance(exc, KeyboardInterrupt) or _interrupted:
        # First: an error met while the interrupted command was stopping (a database
        # write cut short, say) is not what the user is told. Ctrl-C is 130, always.
        sys.stderr.write("\nInterrupted\n")
        return int(ExitCode.INTERRUPTED)
    if isinstance(exc, WfctlError):
        print_error(str(exc) or type(exc).__name__)
        return int(exc.exit_code)
    if isinstance(exc, BrokenPipeError):
        quiet_stdout()
        return int(ExitCode.BROKEN_PIPE)
    if verbose:
        import traceback

        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        sys.stderr.write(escape_control(scrub(text), keep_newlines=True))
    detail = str(exc)
    print_error(
        f"internal error: {type(exc).__name__}{': ' + detail if detail else ''}"
        + ("" if verbose else " (run with --verbose for a traceback; this is a bug in wfctl)")
    )
    return int(ExitCode.INTERNAL)


def quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit cannot fail on a closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (a test's capture): nothing to flush
        pass
