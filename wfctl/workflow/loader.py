"""Loading a user's workflow app (``--app``) and running one as ``__main__`` (``exec``).

``load_app(spec, default=...)`` imports ``spec`` (a module name or a ``.py`` path, optionally
``:ATTR`` naming its ``WorkflowRuntime``) with the Dapr alias installed and returns the
registry of its workflows and activities; no ``spec`` gives the caller's ``default()`` (the
fronts pass the built-in demo's, :func:`wfctl.demo.registry`: the loader stands below the
demo and never imports it). A failing import raises ``AppError`` carrying the app's own
error line, never a traceback.

``exec_app(path, args, db_path=...)`` runs a script as ``__main__`` the way ``python path
args...`` would, with ``dapr.ext.workflow`` aliased and ``WFCTL_DB`` pointing at the
database, and returns its exit code.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import runpy
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from wfctl.engine import registry as _registry_mod
from wfctl.engine.appid import app_identity, is_path, split_spec
from wfctl.engine.registry import Registry
from wfctl.model import AppError, UsageError, WfctlError
from wfctl.workflow.alias import install_dapr_alias
from wfctl.workflow.runtime import WorkflowRuntime

_split, _is_path = split_spec, is_path

_WFCTL_DIR = str(Path(__file__).resolve().parent.parent)


def _error_line(exc: BaseException) -> str:
    """``Type: message (file:line)``, the line being the app's innermost frame."""
    where = ""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f" ({exc.filename}:{exc.lineno})"
    else:
        frames = [
            f
            for f in traceback.extract_tb(exc.__traceback__)
            if "importlib" not in f.filename and not f.filename.startswith(_WFCTL_DIR)
        ]
        if frames:
            where = f" ({frames[-1].filename}:{frames[-1].lineno})"
    text = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    text = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {text}{where}" if text else f"{type(exc).__name__}{where}"


def _import_file(path: Path) -> ModuleType:
    name = "wfctl_app_" + re.sub(r"\W", "_", path.stem)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise AppError(f"cannot load {path} as a Python module; give a .py file or module name")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # sibling imports, as `python app.py` allows
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def load_app(spec: str | None, *, default: Callable[[], Registry] | None = None) -> Registry:
    """The workflows and activities of app ``spec``, or ``default()`` when ``spec`` is None or
    empty (see the module docstring); the registry's ``app_identity`` is
    :func:`app_identity` of ``spec``."""
    if spec:
        registry = _load(spec)
    elif default is not None:
        registry = Registry().merge(default())
    else:
        raise AppError("no app to load: give --app MODULE_OR_FILE")
    registry.app_identity = app_identity(spec)
    return registry


def _load(spec: str) -> Registry:
    install_dapr_alias()
    target, attr = _split(spec)
    before = len(WorkflowRuntime.instances)
    try:
        if _is_path(target):
            path = Path(target).expanduser()
            if not path.is_file():
                raise AppError(f"app file not found: {target}; check the --app path")
            module = _import_file(path.resolve())
        else:
            module = importlib.import_module(target)
    except AppError:
        raise
    except SystemExit as exc:
        raise AppError(f"app {spec!r} exited while being imported (exit {exc.code})") from None
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise AppError(f"app {spec!r} failed to import: {_error_line(exc)}") from None
    return _registry_of(module, spec, attr, before)


def _registry_of(module: ModuleType, spec: str, attr: str | None, before: int) -> Registry:
    if attr is not None:
        obj: object = module
        for part in attr.split("."):
            if not hasattr(obj, part):
                raise AppError(f"app {spec!r} has no attribute {attr!r}")
            obj = getattr(obj, part)
        if isinstance(obj, WorkflowRuntime):
            return Registry().merge(obj.registry)
        if isinstance(obj, Registry):
            return Registry().merge(obj)
        raise AppError(f"{spec!r} is a {type(obj).__name__}, not a WorkflowRuntime")
    merged = WorkflowRuntime.collect(since=before)
    for value in list(vars(module).values()):
        if isinstance(value, WorkflowRuntime):
            merged.merge(value.registry)
    if not merged.workflows:
        raise AppError(
            f"app {spec!r} registers no workflows at import time; register them on a "
            "module-level WorkflowRuntime, or run the script with `wfctl exec`"
        )
    return merged


_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _exec_target(path: str) -> tuple[Path | None, str | None, Path]:
    """(file to run, or module to run, the source file tracebacks start at)."""
    file = Path(path).expanduser()
    if file.is_file():
        return file, None, file.resolve()
    if _MODULE.match(path) and not path.endswith(".py"):
        sys.path.insert(0, os.getcwd())  # as `python -m` does
        try:
            spec = importlib.util.find_spec(path)
        except (ImportError, ValueError):
            spec = None
        finally:
            sys.path.pop(0)
        if spec is not None and spec.origin and spec.origin not in ("built-in", "frozen"):
            return None, path, Path(spec.origin).resolve()
        raise UsageError(
            f"no such file or module: {path}; give a Python script or an importable module"
        )
    raise UsageError(f"no such file: {path}; give the path of a Python script to run")


def exec_app(path: str, args: list[str], *, db_path: str | os.PathLike[str] | None = None) -> int:
    """Run ``path`` as ``__main__`` with ``sys.argv = [path, *args]``; return its exit code.

    ``path`` is a script, or a module name run as ``python -m`` runs it (``sys.argv[0]`` is
    then the module's file, the current directory is importable). The app's own uncaught
    exception prints its traceback (as ``python`` would: from the app's frames on) and
    gives 1, except a ``WfctlError`` (bad settings, a storage or ID conflict), which prints
    one ``Error:`` line naming the app's line and gives the error's exit code.
    ``sys.exit(n)`` gives ``n``. Runtimes it started and did not shut down are shut down
    afterwards. A missing script or module raises ``UsageError``.
    """
    install_dapr_alias()  # before the module look-up: a package may import dapr.* on import
    file, module, source = _exec_target(path)
    if db_path is not None:
        os.environ["WFCTL_DB"] = os.fspath(db_path)
    before = len(WorkflowRuntime.instances)
    old_argv, old_path = sys.argv[:], sys.path[:]
    old_identity = _registry_mod.exec_app_identity
    # The app's runtimes and clients own the instances of this identity, the one that
    # `wfctl --app PATH_OR_MODULE` gives for the same app.
    _registry_mod.exec_app_identity = os.path.realpath(file) if file is not None else module
    if file is not None:
        sys.argv = [str(path), *args]
        sys.path.insert(0, str(file.resolve().parent))
    else:
        sys.argv = [str(source), *args]
        sys.path.insert(0, os.getcwd())
    code = 0
    try:
        if file is not None:
            runpy.run_path(str(file), run_name="__main__")
        else:
            runpy.run_module(str(module), run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except KeyboardInterrupt:
        code = 130
    except WfctlError as exc:  # wfctl's own one-line errors (bad settings, storage, conflict)
        print(f"Error: {exc}{_app_location(exc)}", file=sys.stderr)
        code = int(exc.exit_code)
    except BaseException as exc:
        _print_app_traceback(exc, source)
        code = 1
    finally:
        sys.argv, sys.path[:] = old_argv, old_path
        _registry_mod.exec_app_identity = old_identity
        for rt in WorkflowRuntime.instances[before:]:
            try:
                rt.shutdown()
            except Exception as exc:  # shutting down must not mask the app's exit code
                print(f"wfctl: shutting down a workflow runtime failed: {exc}", file=sys.stderr)
        sys.stdout.flush()
    return code


def _app_location(exc: BaseException) -> str:
    """`` (raised at FILE:LINE)`` for the app's innermost frame of ``exc``, or ""."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if not f.filename.startswith(_WFCTL_DIR) and not f.filename.startswith("<frozen")
    ]
    return f" (raised at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""


def _print_app_traceback(exc: BaseException, script: Path) -> None:
    """Print ``exc`` as ``python script`` would: frames from the script's own on, without
    wfctl's and runpy's frames in front of them."""
    tb = exc.__traceback__
    start = tb
    while start is not None:
        code_file = start.tb_frame.f_code.co_filename
        try:
            if Path(code_file).resolve() == script:
                break
        except (OSError, ValueError):
            pass
        start = start.tb_next
    traceback.print_exception(type(exc), exc, start if start is not None else tb)


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
