"""wfctl's drop-in for ``dapr.ext.workflow``: the Dapr Python workflow authoring API.

Write workflows exactly as for Dapr (``import wfctl.workflow as wf``, or keep
``import dapr.ext.workflow as wf``: wfctl aliases it when it loads or runs an app) and run
them on wfctl's embedded engine::

    wfr = wf.WorkflowRuntime()

    @wfr.workflow(name="hello")
    def hello(ctx: wf.DaprWorkflowContext, name: str):
        greeting = yield ctx.call_activity(greet, input=name)
        return greeting

    @wfr.activity
    def greet(ctx: wf.WorkflowActivityContext, name: str) -> str:
        return f"Hello {name}!"

``DaprWorkflowClient`` (bound to the same SQLite file) is imported lazily from
``wfctl.workflow.client``. This package is the authoring layer: it stands on the engine
(context, tasks, registry, worker) and the engine never imports it. Its modules: ``runtime``
(``WorkflowRuntime``), ``state`` (the SDK's ``WorkflowState``), ``client`` and ``aio`` (the
SDK clients), ``loader`` (``--app`` and ``wfctl exec``), ``alias`` (``import
dapr.ext.workflow`` resolving here) and ``dapr_compat`` (the rest of the SDK apps import).
"""

from __future__ import annotations

from typing import Any

from wfctl.engine.context import DaprWorkflowContext, WorkflowActivityContext
from wfctl.engine.registry import alternate_name
from wfctl.engine.tasks import (
    NonRetryableError,
    RetryPolicy,
    Task,
    TaskFailedError,
    when_all,
    when_any,
)
from wfctl.workflow.runtime import WorkflowRuntime
from wfctl.workflow.state import UNSET, WorkflowState, WorkflowStatus


def __getattr__(name: str) -> Any:
    if name == "DaprWorkflowClient":
        from wfctl.workflow.client import DaprWorkflowClient

        return DaprWorkflowClient
    raise AttributeError(f"module 'wfctl.workflow' has no attribute {name!r}")


__all__ = [
    "UNSET",
    "DaprWorkflowClient",  # noqa: F822 - resolved lazily by __getattr__
    "DaprWorkflowContext",
    "NonRetryableError",
    "RetryPolicy",
    "Task",
    "TaskFailedError",
    "WorkflowActivityContext",
    "WorkflowRuntime",
    "WorkflowState",
    "WorkflowStatus",
    "alternate_name",
    "when_all",
    "when_any",
]
