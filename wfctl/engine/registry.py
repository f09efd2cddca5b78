"""Workflows and activities by name (:class:`Registry`), and whose they are (app identities).

Names: ``name=`` when given, else the function's ``__name__``. The decorators of
:class:`wfctl.workflow.WorkflowRuntime` return a wrapper that remembers the registered name
(``_dapr_alternate_name``, as the Dapr SDK does), so ``call_activity(fn)``,
``call_child_workflow(fn)`` and ``schedule_new_workflow(fn)`` resolve through it; plain
string names work everywhere.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from wfctl.engine import appid

NAME_ATTR = "_dapr_alternate_name"
WRAPPED_ATTR = "__wfctl_wrapped__"  # on a decorator's wrapper: the user's function
DEMO_APP = appid.DEMO_APP  # the app identity of the built-in demo
# The identity of the app ``wfctl exec`` is running (set by wfctl.workflow.loader.exec_app).
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
    return getattr(fn, WRAPPED_ATTR, fn)


def alternate_name(name: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator giving a workflow or activity the name it registers under (Dapr SDK API)."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.__dict__[NAME_ATTR] = name or fn.__name__
        return fn

    return deco
