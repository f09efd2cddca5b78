"""``wfctl`` and ``python -m wfctl``: the program's entry point (not a library module).

Ctrl-C ends wfctl with exit code 130 and no traceback from the first instruction on: until
the CLI's error boundary is in place, and again once it is gone, SIGINT ends the process at
once (there is nothing to clean up then); while a command runs it raises KeyboardInterrupt as
usual, which the boundary (and ``main`` below) turn into 130. A closed stdout (``wfctl list |
head -1``) ends it quietly with 141, as a shell reports a process killed by SIGPIPE.

``--version`` is answered here, before Typer (or anything else heavy) is imported, and
``status ID... -o json|yaml`` runs without Typer (:mod:`wfctl.cli._lean`).
"""

import _signal  # type: ignore[import-not-found]  # the C module: no wait for `signal`'s enums
import atexit
import os
import sys


def _interrupted(signum: int, frame: object) -> None:
    os._exit(130)


def _take_sigint(handler: object = _interrupted) -> None:
    try:  # noqa: SIM105 - contextlib costs start-up time, before Ctrl-C is ours
        _signal.signal(_signal.SIGINT, handler)
    except ValueError:  # not the main thread (a test calling main() in a thread)
        pass


_take_sigint()
# The interpreter's shutdown puts back the default action (death by SIGINT, no exit code of
# ours) once exit handlers have run: from the last of them on, a Ctrl-C changes nothing.
atexit.register(_take_sigint, _signal.SIG_IGN)

INTERRUPTED = 130
BROKEN_PIPE = 141


def main(argv: list[str] | None = None) -> int:
    """The console-script entry point; returns (and, as a script, exits with) the exit code."""
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        _take_sigint()
        sys.stderr.write("\nInterrupted\n")
        return INTERRUPTED
    except BrokenPipeError:
        return _broken_pipe()
    except SystemExit as exc:  # Typer ends a command that met a closed stdout with exit(1)
        if isinstance(exc.__context__, BrokenPipeError):
            return _broken_pipe()
        raise
    finally:
        _take_sigint()


def _main(args: list[str]) -> int:
    if args[:1] == ["__complete"]:  # shell completion's fast path: no Typer, no rich
        from wfctl._complete import main as complete

        return complete(args[1:])
    if args == ["--version"]:
        from wfctl import __version__

        sys.stdout.write(f"wfctl {__version__}\n")
        return 0
    from wfctl.cli import _lean, errors

    _take_sigint(errors.on_sigint)  # KeyboardInterrupt from here on, for the error boundary
    code = _lean.run(args)  # `status ID -o json` without Typer; None: anything else
    if code is None:
        from wfctl.cli.app import run

        code = run(args)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return _broken_pipe()
    return code


def _broken_pipe() -> int:
    from wfctl.cli.errors import quiet_stdout

    quiet_stdout()
    return BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
