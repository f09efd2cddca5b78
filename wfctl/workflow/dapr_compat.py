"""What Dapr workflow apps import from the Dapr SDK besides ``dapr.ext.workflow``.

``Settings`` (``dapr.conf``), ``DaprInternalError`` (``dapr.clients.exceptions``) and the
workflow calls of ``DaprClient`` (``dapr.clients``: ``raise_workflow_event``,
``start_workflow``, ``get_workflow``, ``pause_workflow``, ``resume_workflow``,
``terminate_workflow``, ``purge_workflow``), so an unchanged app loads and runs under wfctl's
alias. ``DaprClient`` talks to the same engine file as ``DaprWorkflowClient`` (``$WFCTL_DB``);
its other Dapr building blocks (state, pub/sub, invoke...) are not provided.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ERROR_CODE_UNKNOWN = "UNKNOWN"
ERROR_CODE_DOES_NOT_EXIST = "ERR_DOES_NOT_EXIST"


class DaprInternalError(Exception):
    """An error answered by the Dapr runtime (``_message``, ``_error_code`` as in the SDK)."""

    def __init__(
        self,
        message: str | None,
        error_code: str | None = ERROR_CODE_UNKNOWN,
        raw_response_bytes: bytes | None = None,
    ) -> None:
        super().__init__(message)
        self._message = message
        self._error_code = error_code
        self._raw_response_bytes = raw_response_bytes

    def as_dict(self) -> dict[str, Any]:
        return {"message": self._message, "errorCode": self._error_code}

    def as_json_safe_dict(self) -> dict[str, Any]:
        return self.as_dict()

    def __str__(self) -> str:
        return json.dumps(self.as_dict()) if self._error_code else str(self._message)


class DaprHttpError(DaprInternalError):
    """An HTTP-level error answered by the Dapr runtime."""


_DEFAULTS: dict[str, Any] = {
    "DAPR_RUNTIME_HOST": "127.0.0.1",
    "DAPR_HTTP_ENDPOINT": None,
    "DAPR_GRPC_ENDPOINT": None,
    "DAPR_HTTP_PORT": 3500,
    "DAPR_GRPC_PORT": 50001,
    "DAPR_API_TOKEN": None,
    "DAPR_HEALTH_TIMEOUT": 60,
    "DAPR_API_MAX_RETRIES": 0,
    "DAPR_API_TIMEOUT_SECONDS": 60,
    "DAPR_API_METHOD_INVOCATION_PROTOCOL": "http",
    "DAPR_HTTP_TIMEOUT_SECONDS": 60,
    "DAPR_API_VERSION": "v1.0",
    "DAPR_CONF_RETRY_ON_RESOURCE_EXHAUSTED": True,
}


class Settings:
    """``dapr.conf.Settings``: Dapr connection settings from the environment (unused here),
    read when an attribute is read, as the SDK does: a malformed variable an app never reads
    (``DAPR_HTTP_PORT=http``) stops nothing; reading it raises the SDK's ValueError."""

    def __getattr__(self, name: str) -> Any:  # only names not assigned on the instance
        if name not in _DEFAULTS:
            raise AttributeError(f"'Settings' object has no attribute {name!r}")
        default = _DEFAULTS[name]
        raw = os.environ.get(name)
        if not raw or default is None:
            return raw or default
        if isinstance(default, bool):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        try:
            return type(default)(raw)
        except ValueError:
            raise ValueError(f"Invalid value for {name}: {raw!r}") from None

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *_DEFAULTS})


settings = Settings()


@dataclass
class StartWorkflowResponse:
    """``DaprClient.start_workflow``'s answer."""

    instance_id: str


@dataclass
class GetWorkflowResponse:
    """``DaprClient.get_workflow``'s answer; ``runtime_status`` is the status name."""

    instance_id: str
    workflow_name: str
    created_at: datetime | None
    last_updated_at: datetime | None
    runtime_status: str
    properties: dict[str, str] = field(default_factory=dict)


class DaprClient:
    """The workflow calls of the Dapr SDK's ``DaprClient``, on wfctl's embedded engine.

    Connection arguments are accepted and ignored; ``workflow_component`` is accepted and
    ignored (there is one engine). ``with DaprClient() as d:`` works; ``wait()`` returns at
    once. Event data is sent as JSON (``bytes`` with ``send_raw_bytes=True`` are decoded as
    UTF-8 JSON text), falsy data arrives as no payload, as with ``DaprWorkflowClient``.
    """

    def __init__(self, address: str | None = None, *args: Any, **kwargs: Any) -> None:
        self._wf: Any = None

    def _client(self) -> Any:
        if self._wf is None:
            from wfctl.workflow.client import DaprWorkflowClient

            self._wf = DaprWorkflowClient()
        return self._wf

    def wait(self, timeout_s: float = 0) -> None:
        """Ready at once: there is no sidecar to wait for."""

    def close(self) -> None:
        """Release the engine file."""
        if self._wf is not None:
            self._wf.close()
            self._wf = None

    def __enter__(self) -> DaprClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _data(data: Any, send_raw_bytes: bool) -> Any:
        if isinstance(data, (bytes, bytearray)):
            text = bytes(data).decode("utf-8")
            return json.loads(text) if text else None
        return data

    def raise_workflow_event(
        self,
        instance_id: str,
        workflow_component: str = "dapr",
        event_name: str = "",
        event_data: Any = None,
        send_raw_bytes: bool = False,
    ) -> None:
        """Send event ``event_name`` with ``event_data`` to ``instance_id``."""
        self._client().raise_workflow_event(
            instance_id, event_name, data=self._data(event_data, send_raw_bytes)
        )

    def start_workflow(
        self,
        workflow_component: str = "dapr",
        workflow_name: str = "",
        input: Any = None,
        instance_id: str | None = None,
        workflow_options: dict[str, str] | None = None,
        send_raw_bytes: bool = False,
    ) -> StartWorkflowResponse:
        """Start workflow ``workflow_name``; the answer carries the instance ID."""
        iid = self._client().schedule_new_workflow(
            workflow_name, input=self._data(input, send_raw_bytes), instance_id=instance_id
        )
        return StartWorkflowResponse(instance_id=iid)

    def get_workflow(
        self, instance_id: str, workflow_component: str = "dapr"
    ) -> GetWorkflowResponse:
        """The instance's metadata; DaprInternalError when there is no such instance."""
        st = self._client().get_workflow_state(instance_id)
        if st is None:
            raise DaprInternalError(
                f"no such instance exists: {instance_id}", ERROR_CODE_DOES_NOT_EXIST
            )
        props: dict[str, str] = {}
        if st.serialized_input is not None:
            props["dapr.workflow.input"] = st.serialized_input
        if st.serialized_output is not None:
            props["dapr.workflow.output"] = st.serialized_output
        if st.serialized_custom_status is not None:
            props["dapr.workflow.custom_status"] = st.serialized_custom_status
        return GetWorkflowResponse(
            instance_id=st.instance_id,
            workflow_name=st.name,
            created_at=st.created_at,
            last_updated_at=st.last_updated_at,
            runtime_status=st.runtime_status.name,
            properties=props,
        )

    def pause_workflow(self, instance_id: str, workflow_component: str = "dapr") -> None:
        """Suspend the instance."""
        self._client().pause_workflow(instance_id)

    def resume_workflow(self, instance_id: str, workflow_component: str = "dapr") -> None:
        """Resume a suspended instance."""
        self._client().resume_workflow(instance_id)

    def terminate_workflow(self, instance_id: str, workflow_component: str = "dapr") -> None:
        """End the instance as TERMINATED."""
        self._client().terminate_workflow(instance_id)

    def purge_workflow(self, instance_id: str, workflow_component: str = "dapr") -> None:
        """Delete a finished instance and its history."""
        self._client().purge_workflow(instance_id)
