"""What Dapr workflow apps import from the Dapr SDK besides ``dapr.ext.workflow``.

``Settings`` (``dapr.conf``) and ``DaprInternalError`` (``dapr.clients.exceptions``), so an
unchanged app loads under wfctl's alias. wfctl's ``DaprWorkflowClient`` raises this
``DaprInternalError`` where the Dapr client would.
"""

from __future__ import annotations

import json
import os
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
    """``dapr.conf.Settings``: Dapr connection settings from the environment (unused here)."""

    def __init__(self) -> None:
        for key, default in _DEFAULTS.items():
            raw = os.environ.get(key)
            value: Any = default
            if raw is not None:
                value = type(default)(raw) if isinstance(default, (int, float)) else raw
            setattr(self, key, value)


settings = Settings()
