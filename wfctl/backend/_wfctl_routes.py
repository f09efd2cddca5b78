"""The part of HttpBackend that uses wfctl's own read-only routes (``/wfctl/v1/...``).

`wfctl serve` offers them on the same base URL, with the same token and error bodies (see the
bottom of :mod:`wfctl.wire`); a real daprd answers 404, which becomes an UnsupportedError that
says the Dapr HTTP API has no such call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from wfctl import wire
from wfctl.model import (
    HistoryEntry,
    NotFoundError,
    PurgeResult,
    RuntimeStatus,
    UnsupportedError,
    WfctlError,
    WorkflowState,
)


def quote_segment(text: str) -> str:
    """``text`` percent-encoded as one path segment (``/`` included). ``.`` and ``..`` have
    their dots encoded too, so no HTTP client or proxy collapses them as dot segments:
    the server decodes ``%2E`` back and sees the ID itself."""
    seg = quote(text, safe="")
    return seg.replace(".", "%2E") if seg in (".", "..") else seg


class WfctlRoutes:
    """Mixin: list, history and bulk purge over HTTP. Needs ``_call``, ``_server_error``,
    ``_check``, ``_parse`` and ``location`` from the class it is mixed into."""

    location: str

    def _call(self, method: str, path: str, **kw: Any) -> Any: ...  # pragma: no cover

    def _server_error(self, resp: Any) -> WfctlError: ...  # pragma: no cover

    def _check(self, resp: Any, ok: Sequence[int] = ...) -> None: ...  # pragma: no cover

    def _parse(self, resp: Any, parse: Callable[[Any], Any]) -> Any: ...  # pragma: no cover

    def _ext(
        self, method: str, path: str, params: Any, what: str, parse: Callable[[Any], Any]
    ) -> Any:
        resp = self._call(method, wire.EXT_PREFIX + path, params=params)
        if resp.status_code == 404:
            err = self._server_error(resp)
            if isinstance(err, NotFoundError):
                raise err
            raise UnsupportedError(
                f"the Dapr HTTP API has no {what} call ({self.location} answered 404): "
                "use --embedded, or point --url at `wfctl serve`"
            )
        self._check(resp, ok=(200,))
        return self._parse(resp, parse)

    def list_instances(
        self,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        name: str | None = None,
        max_age: float | None = None,
        limit: int | None = None,
    ) -> list[WorkflowState]:
        params: list[tuple[str, str]] = [("status", s.value) for s in statuses]
        if name:
            params.append(("name", name))
        if max_age is not None:
            params.append(("maxAge", _seconds(max_age)))
        if limit is not None:
            params.append(("limit", str(limit)))
        states: list[WorkflowState] = self._ext("GET", "/instances", params, "list", _states)
        return states

    def history(self, instance_id: str) -> list[HistoryEntry]:
        path = "/instances/" + quote_segment(instance_id) + "/history"
        try:
            entries: list[HistoryEntry] = self._ext("GET", path, None, "history", _history)
        except NotFoundError:
            raise NotFoundError(
                f"no workflow instance {instance_id!r} at {self.location}"
            ) from None
        return entries

    def purge_older_than(
        self,
        older_than: float,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        dry_run: bool = False,
    ) -> PurgeResult:
        params: list[tuple[str, str]] = [("olderThan", _seconds(older_than))]
        params += [("status", s.value) for s in statuses]
        if dry_run:
            params.append(("dryRun", "true"))
        ids: list[str] = self._ext("POST", "/purge", params, "bulk purge", _purged)
        return PurgeResult(instance_ids=ids, dry_run=dry_run)


def _list_of(body: Any, key: str) -> list[Any]:
    if not isinstance(body, dict):
        raise wire.WireError(f"the answer is {wire.kind_of(body)}, not an object")
    items = body.get(key)
    if not isinstance(items, list):
        raise wire.WireError(f"{key} is {wire.kind_of(items)}, not a list")
    return items


def _states(body: Any) -> list[WorkflowState]:
    return [wire.state_from_dapr(item) for item in _list_of(body, "instances")]


def _history(body: Any) -> list[HistoryEntry]:
    return [wire.history_from_dict(ev) for ev in _list_of(body, "events")]


def _purged(body: Any) -> list[str]:
    ids = _list_of(body, "instanceIDs")
    for i in ids:
        if not isinstance(i, str):
            raise wire.WireError(f"instanceIDs holds {wire.kind_of(i)}, not only strings")
    return ids


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
