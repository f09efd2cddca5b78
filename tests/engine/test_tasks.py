"""Task objects and their composites on their own."""

from __future__ import annotations

import pytest

from wfctl.engine.tasks import CompletableTask, TaskFailedError, when_all, when_any
from wfctl.model import FailureDetails


def test_a_task_completes_once_and_get_result_raises_its_failure():
    t = CompletableTask()
    with pytest.raises(ValueError):
        t.get_result()
    t.fail(TaskFailedError("nope", FailureDetails("KeyError", "nope", "tb")))
    t.complete("ignored")
    with pytest.raises(TaskFailedError) as info:
        t.get_result()
    assert info.value.details.error_type == "KeyError"
    assert info.value.details.stack_trace == "tb"


def test_when_all_of_completed_tasks_is_complete_and_nests():
    a, b, c = CompletableTask(), CompletableTask(), CompletableTask()
    a.complete(1)
    inner = when_all([b, c])
    outer = when_all([a, inner])
    assert not outer.is_complete and inner.pending_tasks == 2
    c.complete(3)
    b.complete(2)
    assert outer.get_result() == [1, [2, 3]]


def test_when_any_reports_the_first_to_finish_even_a_failure():
    a, b = CompletableTask(), CompletableTask()
    any_ = when_any([a, b])
    b.fail(RuntimeError("first"))
    a.complete("late")
    assert any_.get_result() is b


def test_composites_refuse_things_that_are_not_tasks():
    with pytest.raises(TypeError):
        when_all([1])
