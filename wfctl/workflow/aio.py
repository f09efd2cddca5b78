"""``dapr.ext.workflow.aio.DaprWorkflowClient``: the Dapr SDK's asyncio workflow client.

The same methods, arguments and answers as the blocking ``DaprWorkflowClient``
(:mod:`wfctl.workflow.client`), as coroutines: each call runs the blocking call in a worker
thread (``asyncio.to_thread``), so waiting for a workflow never blocks the event loop.
Cancelling a ``wait_for_*`` stops the await at once; its thread ends at the call's own
timeout or when the instance reaches the awaited state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any


class DaprWorkflowClient:
    """Async twin of :class:`wfctl.workflow.client.DaprWorkflowClient` (same constructor)."""

    def __init__(
        self,
        host: str | None = None,
        port: str | None = None,
        logger_options: Any = None,
        *,
        db_path: str | Path | None = None,
        **sdk_options: Any,
    ) -> None:
        from wfctl.workflow.client import DaprWorkflowClient as _Blocking

        self._sync = _Blocking(host, port, logger_options, db_path=db_path, **sdk_options)

    async def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def schedule_new_workflow(
        self,
        workflow: Callable[..., Any] | str,
        *,
        input: Any = None,
        instance_id: str | None = None,
        start_at: datetime | None = None,
        reuse_id_policy: Any = None,
    ) -> str:
        """Start ``workflow``; the instance ID."""
        return await self._call(
            self._sync.schedule_new_workflow,
            workflow,
            input=input,
            instance_id=instance_id,
            start_at=start_at,
            reuse_id_policy=reuse_id_policy,
        )

    async def get_workflow_state(self, instance_id: str, *, fetch_payloads: bool = True) -> Any:
        """The instance's ``WorkflowState``, or None when there is no such instance."""
        return await self._call(
            self._sync.get_workflow_state, instance_id, fetch_payloads=fetch_payloads
        )

    async def wait_for_workflow_start(
        self, instance_id: str, *, fetch_payloads: bool = False, timeout_in_seconds: int = 0
    ) -> Any:
        """Wait until the instance has left PENDING (0 s = forever); TimeoutError after."""
        return await self._call(
            self._sync.wait_for_workflow_start,
            instance_id,
            fetch_payloads=fetch_payloads,
            timeout_in_seconds=timeout_in_seconds,
        )

    async def wait_for_workflow_completion(
        self, instance_id: str, *, fetch_payloads: bool = True, timeout_in_seconds: int = 0
    ) -> Any:
        """Wait until the instance has finished (0 s = forever); TimeoutError after."""
        return await self._call(
            self._sync.wait_for_workflow_completion,
            instance_id,
            fetch_payloads=fetch_payloads,
            timeout_in_seconds=timeout_in_seconds,
        )

    async def raise_workflow_event(
        self, instance_id: str, event_name: str, *, data: Any = None
    ) -> None:
        """Send an event (falsy ``data`` arrives as no payload)."""
        await self._call(self._sync.raise_workflow_event, instance_id, event_name, data=data)

    async def terminate_workflow(
        self, instance_id: str, *, output: Any = None, recursive: bool = True
    ) -> None:
        """End the instance (and its children) as TERMINATED."""
        await self._call(
            self._sync.terminate_workflow, instance_id, output=output, recursive=recursive
        )

    async def pause_workflow(self, instance_id: str) -> None:
        """Suspend the instance; returns once it reads SUSPENDED."""
        await self._call(self._sync.pause_workflow, instance_id)

    async def resume_workflow(self, instance_id: str) -> None:
        """Resume the instance; returns once it reads RUNNING."""
        await self._call(self._sync.resume_workflow, instance_id)

    async def purge_workflow(self, instance_id: str, *, recursive: bool = True) -> None:
        """Delete a finished instance (and its children)."""
        await self._call(self._sync.purge_workflow, instance_id, recursive=recursive)

    async def close(self) -> None:
        """Release the engine file."""
        self._sync.close()

    async def __aenter__(self) -> DaprWorkflowClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


__all__ = ["DaprWorkflowClient"]
