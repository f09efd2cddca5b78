"""The part of GrpcBackend that lists: ListInstanceIDs paging, concurrent bounded
GetInstance, the filters the RPC lacks, and bulk purge built on that listing."""

from __future__ import annotations

import abc
import time
from collections.abc import Callable, Sequence
from typing import Any

from wfctl.backend import _grpc_convert as convert
from wfctl.backend.protocol import Backend
from wfctl.model import (
    ConflictError,
    NotFoundError,
    PurgeResult,
    RuntimeStatus,
    WfctlError,
    WorkflowState,
)

#: Instance IDs asked for per ListInstanceIDs page.
PAGE_SIZE = 500
#: GetInstance calls in flight at once while listing.
LIST_CONCURRENCY = 16


class RpcFailure(Exception):
    """A failed call, before translation: the status code's name, the details, the method."""

    def __init__(self, code: str, message: str, method: str, deadline: float | None) -> None:
        super().__init__(f"{method}: {code}: {message}")
        self.code, self.message, self.method, self.deadline = code, message, method, deadline


class GrpcListing(Backend):
    """The listing calls of GrpcBackend, on the channel, stubs and calls it sets up (the
    abstract ``_call`` and ``_error`` below; ``purge`` is the interface's)."""

    _pb: Any
    _stub: Any
    _grpc: Any
    _timeout: float
    _metadata: tuple[tuple[str, str], ...]
    _snapshot: tuple[tuple[Any, ...], list[WorkflowState]] | None = None

    @abc.abstractmethod
    def _call(self, method: str, request: Any, **kw: Any) -> Any:
        """One unary call, its failure translated (WfctlError)."""

    @abc.abstractmethod
    def _error(self, rpc: RpcFailure) -> WfctlError:
        """The WfctlError of a failed call."""

    def list_instances(
        self,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        name: str | None = None,
        max_age: float | None = None,
        limit: int | None = None,
    ) -> list[WorkflowState]:
        """Every ID from ListInstanceIDs (paged), then GetInstance for each (LIST_CONCURRENCY
        in flight), filtered here (the RPC has no filters), newest first, at most ``limit``."""
        states = self.states_of(self.instance_ids())
        cutoff = None if max_age is None else time.time() - max_age
        wanted = set(statuses)
        out = [
            s
            for s in states
            if (not wanted or s.runtime_status in wanted)
            and (not name or s.name == name)
            and (
                cutoff is None or (s.created_at is not None and s.created_at.timestamp() >= cutoff)
            )
        ]
        out.sort(key=lambda s: s.created_at.timestamp() if s.created_at else 0.0, reverse=True)
        return out[:limit] if limit is not None else out

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
        """One page of the filtered listing newest first, and the cursor of the next (the last
        ID of this page; None: last page), for bulk actions. The sidecar cannot page by filter:
        the first page lists everything once, and later pages walk that snapshot."""
        key = (tuple(statuses), name, id_prefix, max_age)
        snap = self._snapshot
        if after is None or snap is None or snap[0] != key:
            states = self.list_instances(statuses=statuses, name=name, max_age=max_age)
            if id_prefix:
                states = [s for s in states if s.instance_id.startswith(id_prefix)]
            snap = self._snapshot = (key, states)
        states = snap[1]
        start = 0
        if after is not None:
            ids = [s.instance_id for s in states]
            start = ids.index(after) + 1 if after in ids else len(ids)
        chunk = states[start : start + limit]
        more = start + limit < len(states)
        return chunk, (chunk[-1].instance_id if more and chunk else None)

    def instance_ids(self, *, pages: int | None = None, page_size: int = PAGE_SIZE) -> list[str]:
        """The IDs ListInstanceIDs gives, over at most ``pages`` pages (None: all)."""
        ids: list[str] = []
        token = ""
        seen_tokens: set[str] = set()
        while pages is None or pages > 0:
            # No token on the first page, not "": daprd hands a present "" to its state store
            # (SQLite then matches nothing after `rowid > ''`).
            req = self._pb.ListInstanceIDsRequest(
                pageSize=page_size, continuationToken=token or None
            )
            resp = self._call("ListInstanceIDs", req)
            ids.extend(resp.instanceIds)
            token = resp.continuationToken
            if not token or token in seen_tokens:  # a server that repeats itself ends here
                break
            seen_tokens.add(token)
            pages = None if pages is None else pages - 1
        return list(dict.fromkeys(ids))

    def states_of(self, ids: Sequence[str]) -> list[WorkflowState]:
        """GetInstance (no payloads) for each ID, at most LIST_CONCURRENCY in flight; IDs
        purged since the listing are left out."""
        pending: list[tuple[str, Any]] = []
        out: list[WorkflowState] = []

        def collect(iid: str, fut: Any) -> None:
            try:
                resp = fut.result()
            except self._grpc.RpcError as exc:
                if exc.code().name == "NOT_FOUND":
                    return
                raise self._error(
                    RpcFailure(exc.code().name, exc.details() or "", "GetInstance", self._timeout)
                ) from None
            if resp.exists:
                out.append(convert.state_of(iid, resp.workflowState))

        for iid in ids:
            req = self._pb.GetInstanceRequest(instanceId=iid, getInputsAndOutputs=False)
            fut = self._stub.GetInstance.future(req, timeout=self._timeout, metadata=self._metadata)
            pending.append((iid, fut))
            if len(pending) >= LIST_CONCURRENCY:
                collect(*pending.pop(0))
        for item in pending:
            collect(*item)
        return out

    def purge_older_than(
        self,
        older_than: float,
        *,
        statuses: Sequence[RuntimeStatus] = (),
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> PurgeResult:
        """Built on :meth:`list_instances`: finished instances (of ``statuses``) last updated
        over ``older_than`` seconds ago, purged one by one; ones that changed meanwhile are
        left alone."""
        cutoff = time.time() - older_than
        wanted = [s for s in statuses if s.is_terminal] if statuses else []
        if statuses and not wanted:
            return PurgeResult(instance_ids=[], dry_run=dry_run)
        chosen = [
            s.instance_id
            for s in self.list_instances(statuses=wanted)
            if s.runtime_status.is_terminal
            and s.last_updated_at is not None
            and s.last_updated_at.timestamp() <= cutoff
        ]
        if dry_run:
            return PurgeResult(instance_ids=chosen, dry_run=True)
        done = []
        for n, iid in enumerate(chosen, start=1):
            try:
                self.purge(iid)
            except (ConflictError, NotFoundError):
                continue  # restarted or purged by someone else since the listing
            finally:
                if progress is not None:
                    progress(n, len(chosen))
            done.append(iid)
        return PurgeResult(instance_ids=done)
