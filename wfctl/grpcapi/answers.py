"""The remote front's side of workers' answers: match a completion to the work item in
flight it names, check it against serve's limits, and say why when it matches nothing.

A mixin of :class:`wfctl.grpcapi.front.RemoteFront`, run on its one thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from wfctl.engine.history import CompleteWorkflow, TurnResult
from wfctl.engine.items import TaskOutcome, TurnItem
from wfctl.grpcapi import convert
from wfctl.grpcapi.cache import HistoryCache
from wfctl.grpcapi.checks import check_task_answer, check_turn_answer
from wfctl.grpcapi.streams import Pending
from wfctl.model import FailureDetails, RuntimeStatus

log = logging.getLogger("wfctl.grpc")


class Answers:
    """Answers to work items: see :meth:`_turn_answer` and :meth:`_task_answer`."""

    app_id: str
    max_message: int
    _pending: dict[str, Pending]
    _inflight: dict[str, str]
    _cache: HistoryCache
    clock: Callable[[], float]

    def _refuse(self, what: str, iid: str, task: int | None, reason: str) -> str:
        """Log one line about an answer that matches nothing; daprd's error text for it."""
        where = f"task {task}" if task is not None else "its workflow turn"
        log.warning(
            "wfctl serve: refused %s answer for instance %s (%s): %s",
            what,
            shown(iid),
            where,
            reason,
        )
        if task is None:
            return f"unknown instance ID: {iid} ({reason})"
        return f"unknown instance ID/task ID combo: {iid}/{task} ({reason})"

    def _match(self, token: str, iid: str, peer: str, held: str) -> tuple[Pending | None, str]:
        """The item in flight an answer names (by ``token``, else the one ``held``), or
        why none."""
        if token:
            p = self._pending.get(token)
            return (p, "") if p is not None else (None, "a stale or unknown completion token")
        p = self._pending.get(held)
        if p is None:
            return None, "no completion token, and nothing of it is in flight"
        if p.stream.peer != peer:
            return None, (
                "no completion token, from another connection than the stream the work "
                "went to (token-less answers are taken from that connection only)"
            )
        return p, ""

    def _turn_answer(
        self, resp: Any, peer: str
    ) -> tuple[tuple[TurnItem, TurnResult, list[tuple[int, str]]] | None, str | None]:
        iid = resp.instanceId
        # durabletask-js 1.0 answers without the completion token: match by instance, as daprd
        p, why = self._match(resp.completionToken, iid, peer, self._inflight.get(iid, ""))
        if p is not None and (p.turn is None or p.turn.instance_id != iid):
            p, why = None, "the completion token is another work item's"
        if p is None:
            return None, self._refuse("a workflow", iid, None, why)
        token = resp.completionToken or self._inflight[iid]
        del self._pending[token]
        p.stream.turns.discard(token)
        p.stream.last_ack = self.clock()
        item = p.turn
        assert item is not None
        try:
            check_turn_answer(resp, self.max_message)
            res, refused = convert.actions_from_pb(
                resp, item.instance_id, self.app_id, self._cache.ids(item.instance_id)
            )
        except convert.BadActions as exc:
            failure = FailureDetails(exc.error_type, str(exc))
            res = TurnResult(actions=[CompleteWorkflow(RuntimeStatus.FAILED, failure=failure)])
            refused = []
        return (item, res, refused), None

    def _task_answer(self, resp: Any, peer: str) -> tuple[TaskOutcome | None, str | None]:
        iid, task_id = resp.instanceId, resp.taskId
        held = self._task_token(iid, task_id) if not resp.completionToken else ""
        p, why = self._match(resp.completionToken, iid, peer, held)
        if p is not None and (
            p.task is None or p.task.instance_id != iid or p.task.task_id != task_id
        ):
            p, why = None, "the completion token is another work item's"
        if p is None:
            return None, self._refuse("an activity", iid, task_id, why)
        token = resp.completionToken or held
        del self._pending[token]
        p.stream.tasks.discard(token)
        p.stream.last_ack = self.clock()
        task = p.task
        assert task is not None
        too_big = check_task_answer(resp, self.max_message)
        if too_big is not None:
            return TaskOutcome(task, failure=FailureDetails("PayloadTooLarge", too_big)), None
        if resp.HasField("failureDetails"):
            return TaskOutcome(task, failure=convert.failure_from_pb(resp.failureDetails)), None
        result = resp.result.value if resp.HasField("result") else None
        return TaskOutcome(task, result=result), None

    def _task_token(self, instance_id: str, task_id: int) -> str:
        """The token of the activity in flight for ``(instance_id, task_id)`` ("" if none): for
        workers that answer without the token (durabletask-js 1.0), as daprd matches them."""
        for token, p in self._pending.items():
            task = p.task
            if task is not None and (task.instance_id, task.task_id) == (instance_id, task_id):
                return token
        return ""


def shown(text: str, limit: int = 80) -> str:
    """``text`` for a log line: quoted with control characters escaped, cut at ``limit``."""
    return repr(text[:limit]) + ("..." if len(text) > limit else "")
