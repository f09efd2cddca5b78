"""Make ``import dapr.ext.workflow`` (and friends) load wfctl's implementations.

``install_dapr_alias()`` puts modules into ``sys.modules`` for ``dapr``, ``dapr.ext``,
``dapr.ext.workflow`` (and its submodules apps import from: ``workflow_runtime``,
``dapr_workflow_context``, ``workflow_activity_context``, ``retry_policy``,
``workflow_state``, ``dapr_workflow_client``, ``workflow_context``; ``aio`` with the asyncio
``DaprWorkflowClient``), ``dapr.conf``,
``dapr.clients`` (its ``DaprClient`` workflow calls) and ``dapr.clients.exceptions``. It
replaces the real Dapr SDK's modules of those names if it is installed, so a loaded app
always runs on wfctl. Other ``dapr.*`` modules are not provided.
Calling it again is harmless; ``uninstall_dapr_alias()`` removes what it added.
"""

from __future__ import annotations

import sys
import types
from typing import Any

_SUBMODULES = (
    "workflow_runtime",
    "dapr_workflow_context",
    "workflow_activity_context",
    "workflow_context",
    "retry_policy",
    "workflow_state",
    "dapr_workflow_client",
)
_MARK = "__wfctl_alias__"
_saved: dict[str, types.ModuleType | None] = {}


def _delegate(name: str, target: str) -> types.ModuleType:
    """A module whose attributes are those of ``target`` (resolved on use, so lazy names
    such as DaprWorkflowClient load only when touched)."""
    mod = types.ModuleType(name, f"wfctl alias of {target}")

    def __getattr__(attr: str) -> Any:
        import importlib

        return getattr(importlib.import_module(target), attr)

    setattr(mod, "__getattr__", __getattr__)  # noqa: B010 - a module's own, as PEP 562 has it
    setattr(mod, _MARK, True)
    return mod


def _package(name: str) -> types.ModuleType:
    mod = types.ModuleType(name, "wfctl alias package")
    mod.__path__ = []  # a package: submodules not provided here fail with ModuleNotFoundError
    setattr(mod, _MARK, True)
    return mod


def _put(name: str, mod: types.ModuleType) -> None:
    if name not in _saved:
        _saved[name] = sys.modules.get(name)
    sys.modules[name] = mod
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, mod)


def install_dapr_alias() -> None:
    """Alias the Dapr SDK modules workflow apps import to wfctl (idempotent)."""
    if getattr(sys.modules.get("dapr.ext.workflow"), _MARK, False):
        return
    import wfctl.workflow as wf
    from wfctl.workflow import dapr_compat

    _put("dapr", _package("dapr"))
    _put("dapr.ext", _package("dapr.ext"))
    workflow = _delegate("dapr.ext.workflow", "wfctl.workflow")
    workflow.__path__ = []
    workflow.__all__ = list(wf.__all__)  # type: ignore[attr-defined]
    _put("dapr.ext.workflow", workflow)
    for sub in _SUBMODULES:
        _put(f"dapr.ext.workflow.{sub}", _delegate(f"dapr.ext.workflow.{sub}", "wfctl.workflow"))
    _put("dapr.ext.workflow.aio", _delegate("dapr.ext.workflow.aio", "wfctl.workflow.aio"))
    _put("dapr.conf", _delegate("dapr.conf", "wfctl.workflow.dapr_compat"))
    clients = _delegate("dapr.clients", dapr_compat.__name__)
    clients.__path__ = []
    _put("dapr.clients", clients)
    _put("dapr.clients.exceptions", _delegate("dapr.clients.exceptions", dapr_compat.__name__))


def uninstall_dapr_alias() -> None:
    """Undo ``install_dapr_alias`` (restores any real Dapr modules it replaced)."""
    for name, old in reversed(list(_saved.items())):
        if old is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = old
    _saved.clear()
