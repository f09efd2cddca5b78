"""Dapr's ``WorkflowRuntime``: the object an app registers its workflows and activities with.

Every ``WorkflowRuntime`` ever created is listed in ``WorkflowRuntime.instances`` so the
loader (:mod:`wfctl.workflow.loader`) can collect an app's registrations after importing it.
``start()`` runs the embedded engine's worker in the background
(:func:`wfctl.engine.background.start_runtime_worker`).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from wfctl.engine.registry import (
    NAME_ATTR,
    WRAPPED_ATTR,
    Registry,
    callable_name,
    default_app_identity,
)

_WORKFLOW_MARK = "_workflow_registered"
_ACTIVITY_MARK = "_activity_registered"


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
    inner.__dict__[WRAPPED_ATTR] = fn
    return inner
