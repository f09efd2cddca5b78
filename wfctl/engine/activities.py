"""Running one activity call: input JSON in, ``ActivityOutcome`` out.

The worker calls ``run_activity`` on a thread pool for ``def`` activities and awaits
``run_activity_async`` on an event loop for ``async def`` ones (``is_async_activity`` tells
which). Neither raises for the activity's own errors: they come back as ``failure``
(exception class name, message, traceback), which the store records as TaskFailed.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wfctl.engine.context import WorkflowActivityContext
from wfctl.engine.registry import Registry
from wfctl.engine.replay import failure_from_exception
from wfctl.engine.serialization import from_json, input_parameter, to_json
from wfctl.model import FailureDetails


@dataclass
class ActivityOutcome:
    """An activity's result (JSON text, None for no output) or its failure."""

    result: str | None = None
    failure: FailureDetails | None = None


def _not_registered(registry: Registry, name: str) -> ActivityOutcome:
    known = ", ".join(sorted(registry.activities)) or "none"
    return ActivityOutcome(
        failure=FailureDetails(
            "ActivityNotRegisteredError",
            f"activity {name!r} is not registered in this app (registered: {known})",
            "",
        )
    )


def _call_args(
    fn: Callable[..., Any], input_json: str | None, instance_id: str, task_id: int
) -> tuple[Any, ...]:
    ctx = WorkflowActivityContext(instance_id, task_id)
    takes_input, annotation = input_parameter(fn)
    return (ctx, from_json(input_json, annotation)) if takes_input else (ctx,)


def _outcome(value: Any) -> ActivityOutcome:
    return ActivityOutcome(result=None if value is None else to_json(value))


def is_async_activity(registry: Registry, name: str) -> bool:
    """True when activity ``name`` is an ``async def`` (run it with ``run_activity_async``)."""
    fn = registry.activities.get(name)
    return fn is not None and inspect.iscoroutinefunction(fn)


def run_activity(
    registry: Registry, name: str, input_json: str | None, *, instance_id: str, task_id: int
) -> ActivityOutcome:
    """Run activity ``name`` synchronously (an ``async def`` one gets its own event loop)."""
    fn = registry.activities.get(name)
    if fn is None:
        return _not_registered(registry, name)
    try:
        value = fn(*_call_args(fn, input_json, instance_id, task_id))
        if inspect.isawaitable(value):
            import asyncio

            value = asyncio.run(_await(value))
        return _outcome(value)
    except Exception as exc:
        return ActivityOutcome(failure=failure_from_exception(exc))


async def _await(awaitable: Any) -> Any:
    return await awaitable


async def run_activity_async(
    registry: Registry, name: str, input_json: str | None, *, instance_id: str, task_id: int
) -> ActivityOutcome:
    """Run activity ``name`` on the running event loop (a ``def`` one runs inline)."""
    fn = registry.activities.get(name)
    if fn is None:
        return _not_registered(registry, name)
    try:
        value = fn(*_call_args(fn, input_json, instance_id, task_id))
        if inspect.isawaitable(value):
            value = await value
        return _outcome(value)
    except Exception as exc:
        return ActivityOutcome(failure=failure_from_exception(exc))
