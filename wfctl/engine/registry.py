"""Workflows and activities by name, and the ``WorkflowRuntime`` apps register them with.

Names: ``name=`` when given, else the function's ``__name__``. Decorators return a wrapper
that remembers the registered name (``_dapr_alternate_name``, as the Dapr SDK does), so
``call_activity(fn)``, ``call_child_workflow(fn)`` and ``schedule_new_workflow(fn)`` resolve
through it; plain string names work everywhere.

Every ``WorkflowRuntime`` ever created is listed in ``WorkflowRuntime.instances`` so a loader
can collect an app's registrations after importing it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from wfctl.engine import appid

NAME_ATTR = "_dapr_alternate_name"
_WORKFLOW_MARK = "_workflow_registered"
_ACTIVITY_MARK = "_activity_registered"
DEMO_APP = appid.DEMO_APP  # the app identity of the built-in demo
# The identity of the app ``wfctl exec`` is running (set by wfctl.engine.loader.exec_app).
exec_app_identity: str | None = None


def default_app_identity() -> str:
    """The app identity a ``WorkflowRuntime`` or ``DaprWorkflowClient`` of this process
    uses: the app ``wfctl exec`` runs (its file's real path, or its module name), else the
    real path of the ``__main__`` script, else ``"__main__"``. ``wfctl --app SPEC`` gives
    the same identity for the same file (see :func:`wfctl.engine.appid.app_identity`)."""
    if exec_app_identity:
        return exec_app_identity
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return os.path.realpath(main) if main else "__main__"


def callable_name(fn: Callable[..., Any] | str) -> str:
    """The name a function (or wrapper, or string) is known by."""
    if isinstance(fn, str):
        return fn
    name = getattr(fn, "__dict__", {}).get(NAME_ATTR) or getattr(fn, NAME_ATTR, None)
    if name:
        return str(name)
    name = getattr(fn, "__name__", None)
    if not name:
        raise TypeError(f"cannot tell the name of {fn!r}; register it with name=")
    return str(name)


class Registry:
    """Name → function tables for workflows and activities."""

    def __init__(self, app_identity: str | None = None) -> None:
        self.workflows: dict[str, Callable[..., Any]] = {}
        self.activities: dict[str, Callable[..., Any]] = {}
        # The app these registrations come from: engines take only work of instances that
        # carry this identity (or none); None: no such filter.
        self.app_identity = app_identity

    def add_workflow(self, fn: Callable[..., Any], name: str | None = None) -> str:
        """Register ``fn`` as workflow ``name`` (default ``fn.__name__``); returns the name.

        Registering the same function again under the same name is a no-op; another
        function under a taken name raises ValueError.
        """
        return self._add(self.workflows, "workflow", fn, name)

    def add_activity(self, fn: Callable[..., Any], name: str | None = None) -> str:
        """Register ``fn`` as activity ``name``; same rules as ``add_workflow``."""
        return self._add(self.activities, "activity", fn, name)

    @staticmethod
    def _add(table: dict[str, Callable[..., Any]], kind: str, fn: Any, name: str | None) -> str:
        if not callable(fn):
            raise TypeError(f"a {kind} must be a function, got {type(fn).__name__}")
        fn = _unwrap(fn)
        key = name or callable_name(fn)
        old = table.get(key)
        if old is not None and old is not fn:
            raise ValueError(f"{kind} {key!r} is already registered")
        table[key] = fn
        return key

    def workflow_name(self, wf: Callable[..., Any] | str) -> str:
        """The registered name for a workflow function, wrapper or string."""
        return self._resolve(self.workflows, wf)

    def activity_name(self, act: Callable[..., Any] | str) -> str:
        """The registered name for an activity function, wrapper or string."""
        return self._resolve(self.activities, act)

    @staticmethod
    def _resolve(table: dict[str, Callable[..., Any]], x: Any) -> str:
        if isinstance(x, str):
            return x
        name = callable_name(x)
        if name in table:
            return name
        target = _unwrap(x)
        for key, fn in table.items():
            if fn is target:
                return key
        return name

    def merge(self, other: Registry) -> Registry:
        """Add ``other``'s registrations to this registry (same-name clashes raise)."""
        for key, fn in other.workflows.items():
            self._add(self.workflows, "workflow", fn, key)
        for key, fn in other.activities.items():
            self._add(self.activities, "activity", fn, key)
        return self

    def __repr__(self) -> str:
        return f"Registry(workflows={sorted(self.workflows)}, activities={sorted(self.activities)})"


def _unwrap(fn: Any) -> Any:
    """The user's function behind one of our decorator wrappers."""
    return getattr(fn, "__wfctl_wrapped__", fn)


def alternate_name(name: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator giving a workflow or activity the name it registers under (Dapr SDK API)."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.__dict__[NAME_ATTR] = name or fn.__name__
        return fn

    return deco


class WorkflowRuntime:
    """Dapr's ``WorkflowRuntime``: register workflows and activities, then ``start()``.

    Constructor arguments of the Dapr SDK (host, port, logger_options, interceptors,
    maximum_concurrent_*...) are accepted; ``maximum_concurrent_activity_work_items`` bounds
    the activities the worker runs at once (default 8), the others do not matter in-process.
    ``start()`` runs wfctl's embedded worker in the background (bound to ``WFCTL_DB`` or the
    default database, owning the instances of :func:`default_app_identity`);
    ``shutdown()`` stops it.
    """

    instances: ClassVar[list[WorkflowRuntime]] = []
    _instances_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self, host: str | None = None, port: str | None = None, *args: Any, **options: Any
    ) -> None:
        self.registry = Registry()
        self.host = host
        self.port = port
        self.options = options
        self._handle: Any = None
        with WorkflowRuntime._instances_lock:
            WorkflowRuntime.instances.append(self)

    # -- registration ------------------------------------------------------------------
    def register_workflow(self, fn: Callable[..., Any], *, name: str | None = None) -> None:
        """Register ``fn`` as a workflow, under ``name`` or its alternate name or __name__."""
        if getattr(fn, _WORKFLOW_MARK, False) and name is None:
            name = callable_name(fn)
        if name is None:
            name = callable_name(fn)
        key = self.registry.add_workflow(fn, name)
        _set_name(fn, key)

    def register_activity(self, fn: Callable[..., Any], *, name: str | None = None) -> None:
        """Register ``fn`` as an activity, under ``name`` or its alternate name or __name__."""
        if name is None:
            name = callable_name(fn)
        key = self.registry.add_activity(fn, name)
        _set_name(fn, key)

    def workflow(self, __fn: Callable[..., Any] | None = None, *, name: str | None = None) -> Any:
        """``@wfr.workflow`` or ``@wfr.workflow(name=...)``: register and return a wrapper."""

        def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.register_workflow(fn, name=name)
            return _wrapper(fn, callable_name(fn), _WORKFLOW_MARK)

        return deco(__fn) if __fn is not None else deco

    def activity(self, __fn: Callable[..., Any] | None = None, *, name: str | None = None) -> Any:
        """``@wfr.activity`` or ``@wfr.activity(name=...)``: register and return a wrapper."""

        def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.register_activity(fn, name=name)
            return _wrapper(fn, callable_name(fn), _ACTIVITY_MARK)

        return deco(__fn) if __fn is not None else deco

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        """Start the embedded worker for this runtime's registrations (idempotent)."""
        if self._handle is not None:
            return
        try:
            from wfctl.engine.background import start_runtime_worker
        except ImportError as exc:  # the store half of the engine is missing
            raise RuntimeError(
                "wfctl's embedded worker is not available (wfctl.engine.background failed to "
                f"import: {exc}); reinstall wfctl"
            ) from exc
        if self.registry.app_identity is None:
            self.registry.app_identity = default_app_identity()
        limit = self.options.get("maximum_concurrent_activity_work_items")
        concurrency = int(limit) if isinstance(limit, int) and limit > 0 else None
        self._handle = start_runtime_worker(self.registry, concurrency=concurrency)

    def shutdown(self) -> None:
        """Stop the worker started by ``start()``; a no-op if it was never started."""
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.stop()

    def __enter__(self) -> WorkflowRuntime:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    @classmethod
    def collect(cls, since: int = 0) -> Registry:
        """One registry merging every runtime created since index ``since`` of ``instances``."""
        merged = Registry()
        with cls._instances_lock:
            runtimes = cls.instances[since:]
        for rt in runtimes:
            merged.merge(rt.registry)
        return merged


def _set_name(fn: Any, name: str) -> None:
    # Builtins and bound methods have no __dict__ to write: they resolve by the table.
    with contextlib.suppress(AttributeError, TypeError):
        fn.__dict__[NAME_ATTR] = name


def _wrapper(fn: Callable[..., Any], name: str, mark: str) -> Callable[..., Any]:
    @functools.wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    inner.__dict__[NAME_ATTR] = name
    inner.__dict__[mark] = True
    inner.__dict__["__wfctl_wrapped__"] = fn
    return inner
