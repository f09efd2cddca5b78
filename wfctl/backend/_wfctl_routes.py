"""The part of HttpBackend that uses wfctl's own routes (``/wfctl/v1/...``).

`wfctl serve` offers them on the same base URL, with the same token and error bodies (see the
bottom of :mod:`wfctl.wire`). Once the backend knows it talks to daprd, these calls raise
UnsupportedError without a request; before that, daprd's 404 says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from wfctl import wire
from wfctl.backend._http_client import HttpClient
from wfctl.backend.protocol import Backend, Capability, OnRecorded
from wfctl.durations import seconds_text
from wfctl.model import (
    HistoryEntry,
    NotFoundError,
    PurgeResult,
    RuntimeStatus,
    ServerError,
    WorkflowState,
)


def quote_segment(text: str) -> str:
    """``text`` percent-encoded as one path segment (``/`` included). ``.`` and ``..`` have
    their dots encoded too, so no HTTP client or proxy collapses them as dot segments:
    the server decodes ``%2E`` back and sees the ID itself."""
    seg = quote(text, safe="")
    return seg.replace(".", "%2E") if seg in (".", "..") else seg


class WfctlRoutes(Backend):
    """The part of HttpBackend that calls `wfctl serve`'s own routes (list, pages, history,
    rerun, bulk purge, workflow names) through ``http``, the client HttpBackend makes."""

    http: HttpClient

    def _ext(
        self,
        method: str,
        path: str,
        params: Any,
        cap: Capability,
        parse: Callable[[Any], Any] | None = None,
        *,
        body: Any = None,
        ok: int = 200,
    ) -> Any:
        if self.http.serve is False:  # daprd: known from an earlier answer, no request
            raise self.unsupported(cap)
        kw: dict[str, Any] = {"params": params}
        if body is not None:
            # Not idempotent (a rerun without a new ID makes a new instance each time): only
            # a request that never reached the server is retried.
            kw.update(content=json.dumps(body).encode(), retry_sent=False)
        resp = self.http.call(method, wire.EXT_PREFIX + path, **kw)
        if resp.status_code == 404:
            err = self.http.server_error(resp)
            if isinstance(err, NotFoundError):
                raise err
            raise self.unsupported(cap, why=f"{self.location} answered 404")
        self.http.check(resp, ok=(ok,))
        return self.http.parse(resp, parse or _object)

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
            params.append(("maxAge", seconds_text(max_age)))
        if limit is not None:
            params.append(("limit", str(limit)))
        states: list[WorkflowState] = self._ext(
            "GET", "/instances", params, Capability.LIST, _states
        )
        return states

    def page_instances(
        self,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        name: str | None = None,
        id_prefix: str | None = None,
        max_age: float | None = None,
        limit: int = 50,
        after: str | None = None,
    ) -> tuple[list[WorkflowState], str | None]:
        """One page of instances newest first and the cursor of the next (None: last page),
        from `wfctl serve`'s keyset-paged route; the cursor is the server's, opaque here."""
        params: list[tuple[str, str]] = [("status", s.value) for s in statuses]
        if name:
            params.append(("name", name))
        if id_prefix:
            params.append(("idPrefix", id_prefix))
        if max_age is not None:
            params.append(("maxAge", seconds_text(max_age)))
        params.append(("limit", str(limit)))
        if after:
            params.append(("cursor", after))
        body = self._ext("GET", "/page", params, Capability.PAGE)
        items = body.get("instances", []) if isinstance(body, dict) else []
        nxt = body.get("next") if isinstance(body, dict) else None
        states = [wire.state_from_dapr(item) for item in items if isinstance(item, dict)]
        return states, (str(nxt) if nxt else None)

    def workflow_names(self) -> list[str]:
        """The workflow names the served app registers (`wfctl serve` only)."""
        body = self._ext("GET", "/workflows", None, Capability.WORKFLOWS)
        names = body.get("workflows") if isinstance(body, dict) else None
        return [str(n) for n in names] if isinstance(names, list) else []

    def history(self, instance_id: str) -> list[HistoryEntry]:
        return self.history_with_waits(instance_id)[0]

    def history_with_waits(self, instance_id: str) -> tuple[list[HistoryEntry], list[str]]:
        """The history and the event names the instance waits for (`wfctl serve` sends them
        beside the events as ``waitingFor``), in one GET."""
        path = "/instances/" + quote_segment(instance_id) + "/history"
        try:
            got: tuple[list[HistoryEntry], list[str]] = self._ext(
                "GET", path, None, Capability.HISTORY, _history_and_waits
            )
        except NotFoundError:
            raise NotFoundError(
                f"no workflow instance {instance_id!r} at {self.location}"
            ) from None
        return got

    def pending_reason(self, instance_id: str) -> str | None:
        """What a PENDING instance waits for, when `wfctl serve` knows (a gRPC worker); None
        against daprd, without a request."""
        if not self.supports(Capability.HISTORY):
            return None
        path = "/instances/" + quote_segment(instance_id) + "/history"
        body = self._ext("GET", path, None, Capability.HISTORY)
        why = body.get("waitingForWorker") if isinstance(body, dict) else None
        return str(why) if why else None

    def rerun(
        self,
        instance_id: str,
        event_id: int,
        *,
        new_instance_id: str | None = None,
        new_input: str | None = None,
        overwrite_input: bool = False,
        on_recorded: OnRecorded | None = None,
    ) -> str:
        path = "/instances/" + quote_segment(instance_id) + "/rerun"
        body = wire.rerun_to_dict(event_id, new_instance_id, new_input, overwrite_input)
        try:
            got = self._ext("POST", path, None, Capability.RERUN, body=body, ok=202)
        except NotFoundError:
            raise NotFoundError(
                f"no workflow instance {instance_id!r} at {self.location}"
            ) from None
        new = got.get("instanceID") if isinstance(got, dict) else None
        if not isinstance(new, str) or not new:
            raise ServerError(f"{self.location} answered the rerun with no instanceID")
        if on_recorded is not None:
            on_recorded(new)
        return new

    def purge_older_than(
        self,
        older_than: float,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> PurgeResult:
        """One request: the server purges in batches of its own (``progress`` is not called)."""
        params: list[tuple[str, str]] = [("olderThan", seconds_text(older_than))]
        params += [("status", s.value) for s in statuses]
        if dry_run:
            params.append(("dryRun", "true"))
        ids: list[str] = self._ext("POST", "/purge", params, Capability.BULK_PURGE, _purged)
        return PurgeResult(instance_ids=ids, dry_run=dry_run)


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise wire.WireError(f"the answer is {wire.kind_of(body)}, not an object")
    return body


def _list_of(body: Any, key: str) -> list[Any]:
    items = _object(body).get(key)
    if not isinstance(items, list):
        raise wire.WireError(f"{key} is {wire.kind_of(items)}, not a list")
    return items


def _states(body: Any) -> list[WorkflowState]:
    return [wire.state_from_dapr(item) for item in _list_of(body, "instances")]


def _history(body: Any) -> list[HistoryEntry]:
    return [wire.history_from_dict(ev) for ev in _list_of(body, "events")]


def _history_and_waits(body: Any) -> tuple[list[HistoryEntry], list[str]]:
    waits = _object(body).get("waitingFor")
    return _history(body), [str(x) for x in waits] if isinstance(waits, list) else []


def _purged(body: Any) -> list[str]:
    ids = _list_of(body, "instanceIDs")
    for i in ids:
        if not isinstance(i, str):
            raise wire.WireError(f"instanceIDs holds {wire.kind_of(i)}, not only strings")
    return ids
