"""Durable tasks as a workflow generator sees them: what ``yield`` waits on.

A task completes once, with a result or an exception. ``yield task`` in a workflow returns the
result or raises the exception (``TaskFailedError`` for a failed activity or child workflow,
``TimeoutError`` for an event wait that timed out).

- ``when_all(tasks)`` completes when *every* task has completed (dapr 1.19): with the list of
  results in input order, or, if any failed, with the first failure (in completion order).
- ``when_any(tasks)`` completes with the first task *object* to complete (success or failure);
  compare it by identity and call ``.get_result()``.
- Both complete at once with ``[]`` for an empty list.

Tasks compare by identity; nothing here knows about history or the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from wfctl.model import FailureDetails


class TaskFailedError(Exception):
    """An activity or child workflow failed (after its retry policy ran out).

    ``details`` carries ``error_type`` (the exception class name), ``message`` and
    ``stack_trace``.
    """

    def __init__(self, message: str, details: FailureDetails) -> None:
        super().__init__(message)
        self._details = details

    @property
    def details(self) -> FailureDetails:
        return self._details


class NonDeterminismError(Exception):
    """The workflow code no longer matches its recorded history."""


class NonRetryableError(Exception):
    """Raise this (or a class of this name) from an activity to skip its retry policy."""


class WorkflowNotRegisteredError(Exception):
    """A run was started for a workflow name this app does not register."""


class Task:
    """Something a workflow can ``yield``. Completes once."""

    def __init__(self) -> None:
        self._is_complete = False
        self._exception: BaseException | None = None
        self._result: Any = None
        self._parents: list[CompositeTask] = []

    @property
    def is_complete(self) -> bool:
        return self._is_complete

    @property
    def is_failed(self) -> bool:
        return self._exception is not None

    def get_result(self) -> Any:
        """The result; raises the task's exception if it failed, ValueError if still pending."""
        if not self._is_complete:
            raise ValueError("The task has not completed.")
        if self._exception is not None:
            raise self._exception
        return self._result

    def get_exception(self) -> BaseException:
        if self._exception is None:
            raise ValueError("The task has not failed.")
        return self._exception

    def _settle(self, result: Any = None, exc: BaseException | None = None) -> None:
        if self._is_complete:
            return
        self._result = result
        self._exception = exc
        self._is_complete = True
        for parent in list(self._parents):
            parent._child_done(self)


class CompletableTask(Task):
    """A task completed from outside: by a history event or at once."""

    def complete(self, result: Any) -> None:
        self._settle(result=result)

    def fail(self, exc: BaseException) -> None:
        self._settle(exc=exc)


class CompositeTask(Task):
    """A task over child tasks."""

    def __init__(self, tasks: Sequence[Task]) -> None:
        super().__init__()
        self._tasks = list(tasks)
        for t in self._tasks:
            if not isinstance(t, Task):
                raise TypeError(f"expected durable tasks, got {type(t).__name__}")
        self._done: list[Task] = []
        for t in self._tasks:
            t._parents.append(self)
        for t in self._tasks:
            if t.is_complete:
                self._child_done(t)

    def get_tasks(self) -> list[Task]:
        return list(self._tasks)

    def _child_done(self, task: Task) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class WhenAllTask(CompositeTask):
    def __init__(self, tasks: Sequence[Task]) -> None:
        super().__init__(tasks)
        if not self._tasks:
            self._settle(result=[])

    @property
    def pending_tasks(self) -> int:
        return len(self._tasks) - len(self._done)

    def _child_done(self, task: Task) -> None:
        if task in self._done or self._is_complete:
            return
        self._done.append(task)
        if len(self._done) < len(self._tasks):
            return
        failed = [t for t in self._done if t.is_failed]
        if failed:
            self._settle(exc=failed[0].get_exception())
        else:
            self._settle(result=[t._result for t in self._tasks])


class WhenAnyTask(CompositeTask):
    def __init__(self, tasks: Sequence[Task]) -> None:
        super().__init__(tasks)
        if not self._tasks:
            self._settle(result=[])

    def _child_done(self, task: Task) -> None:
        if not self._is_complete:
            self._settle(result=task)


class EventTask(CompletableTask):
    """A wait for an external event (case-folded ``name``)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class TimerTask(CompletableTask):
    def __init__(self, fire_at: datetime) -> None:
        super().__init__()
        self.fire_at = fire_at


class EventWithTimeoutTask(CompositeTask):
    """An event wait raced against a timer; the timer's win fails it with TimeoutError."""

    def __init__(self, event: EventTask, timer: TimerTask, description: str) -> None:
        self._event = event
        self._timer = timer
        self._description = description
        super().__init__([event, timer])

    def _child_done(self, task: Task) -> None:
        if self._is_complete:
            return
        if task is self._event:
            self._settle(result=task._result, exc=task._exception)
        elif task is self._timer:
            self._settle(exc=TimeoutError(self._description))


def when_all(tasks: Sequence[Task]) -> WhenAllTask:
    """A task that completes when every task has completed; see the module docstring."""
    return WhenAllTask(tasks)


def when_any(tasks: Sequence[Task]) -> WhenAnyTask:
    """A task that completes with the first of ``tasks`` to complete (the task object)."""
    return WhenAnyTask(tasks)


class RetryPolicy:
    """How failed activities and child workflows are retried (Dapr's RetryPolicy).

    The delay before attempt n+1 is ``first_retry_interval * backoff_coefficient**(n-1)``,
    capped by ``max_retry_interval``. No retry after ``max_number_of_attempts`` attempts, nor
    when the next attempt would start at or past (first attempt + ``retry_timeout``).
    Failures whose type is named ``NonRetryableError`` (or listed in
    ``non_retryable_error_types``) are never retried.
    """

    def __init__(
        self,
        *,
        first_retry_interval: timedelta,
        max_number_of_attempts: int,
        backoff_coefficient: float | None = 1.0,
        max_retry_interval: timedelta | None = None,
        retry_timeout: timedelta | None = None,
        non_retryable_error_types: Sequence[str | type] | None = None,
    ) -> None:
        if first_retry_interval < timedelta(0):
            raise ValueError("first_retry_interval must be >= 0")
        if max_number_of_attempts < 1:
            raise ValueError("max_number_of_attempts must be >= 1")
        if backoff_coefficient is not None and backoff_coefficient < 1:
            raise ValueError("backoff_coefficient must be >= 1")
        if max_retry_interval is not None and max_retry_interval < timedelta(0):
            raise ValueError("max_retry_interval must be >= 0")
        if retry_timeout is not None and retry_timeout < timedelta(0):
            raise ValueError("retry_timeout must be >= 0")
        self._first_retry_interval = first_retry_interval
        self._max_number_of_attempts = max_number_of_attempts
        self._backoff_coefficient = backoff_coefficient
        self._max_retry_interval = max_retry_interval
        self._retry_timeout = retry_timeout
        names = {t if isinstance(t, str) else t.__name__ for t in non_retryable_error_types or ()}
        self._non_retryable = frozenset(names)

    @property
    def obj(self) -> RetryPolicy:
        """The SDK exposes the wrapped durabletask policy here; this class is its own."""
        return self

    @property
    def first_retry_interval(self) -> timedelta:
        return self._first_retry_interval

    @property
    def max_number_of_attempts(self) -> int:
        return self._max_number_of_attempts

    @property
    def backoff_coefficient(self) -> float | None:
        return self._backoff_coefficient

    @property
    def max_retry_interval(self) -> timedelta | None:
        return self._max_retry_interval

    @property
    def retry_timeout(self) -> timedelta | None:
        return self._retry_timeout

    @property
    def non_retryable_error_types(self) -> frozenset[str]:
        return self._non_retryable

    def is_retryable(self, error_type: str) -> bool:
        return error_type != "NonRetryableError" and error_type not in self._non_retryable

    def delay(self, attempt: int) -> timedelta:
        """The wait after failed attempt ``attempt`` (1-based), before attempt ``attempt+1``."""
        coeff = 1.0 if self._backoff_coefficient is None else float(self._backoff_coefficient)
        seconds = self._first_retry_interval.total_seconds() * coeff ** (attempt - 1)
        if self._max_retry_interval is not None:
            seconds = min(seconds, self._max_retry_interval.total_seconds())
        return timedelta(seconds=seconds)

    def next_delay(self, attempts_made: int) -> timedelta | None:
        """The delay before the next attempt, or None when retrying is over.

        ``attempts_made`` attempts have run and failed. The next attempt's logical start is
        the first attempt's start plus all delays so far (deterministic on replay).
        """
        if attempts_made >= self._max_number_of_attempts:
            return None
        total = sum((self.delay(i) for i in range(1, attempts_made + 1)), timedelta(0))
        if self._retry_timeout is not None and total >= self._retry_timeout:
            return None
        return self.delay(attempts_made)
