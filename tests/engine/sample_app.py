"""A workflow app for the store/worker tests (loaded in-process and by subprocesses).

Activities append ``<instance>:<task_id>`` to the file named by ``$WFCTL_TEST_SIDE`` (when
set) *after* their work, so a line means "this execution completed"; ``$WFCTL_TEST_SLOW``
makes ``inc`` sleep that many seconds first. With ``$WFCTL_TEST_HOLD`` = ``TASK_ID:PATH``,
``inc``'s run of that task ID appends ``<instance>:<task_id>`` to ``PATH.started`` and then
waits until ``PATH`` exists: a test knows the activity is in flight, for as long as it likes.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta

from wfctl import workflow as wf
from wfctl.workflow.runtime import WorkflowRuntime

wfr = WorkflowRuntime()


def _note(ctx: object) -> None:
    side = os.environ.get("WFCTL_TEST_SIDE")
    if side:
        line = f"{ctx.workflow_id}:{ctx.task_id}\n"  # type: ignore[attr-defined]
        fd = os.open(side, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)


def _hold(ctx: object) -> None:
    task, _, path = (os.environ.get("WFCTL_TEST_HOLD") or "").partition(":")
    if not path or str(ctx.task_id) != task:  # type: ignore[attr-defined]
        return
    with open(path + ".started", "a") as f:
        f.write(f"{ctx.workflow_id}:{ctx.task_id}\n")  # type: ignore[attr-defined]
    while not os.path.exists(path):
        time.sleep(0.01)


@wfr.activity
def inc(ctx, x):
    slow = float(os.environ.get("WFCTL_TEST_SLOW") or 0)
    if slow:
        time.sleep(slow)
    _hold(ctx)
    _note(ctx)
    return x + 1


@wfr.activity
async def ainc(ctx, x):
    _note(ctx)
    return x + 1


@wfr.activity
def quick_then_slow(ctx, x):
    if x == 3:
        time.sleep(float(os.environ.get("WFCTL_TEST_SLOW") or 0))
        where = os.environ.get("WFCTL_TEST_THREAD")
        if where:  # which thread ran the slow call (the loop's, once the quick runs inline)
            with open(where, "w") as f:
                f.write(threading.current_thread().name)
    _note(ctx)
    return x + 1


@wfr.workflow
def quick_chain(ctx, n):
    x = 0
    for _ in range(n):
        x = yield ctx.call_activity(quick_then_slow, input=x)
    return x


@wfr.activity
def boom(ctx, x):
    raise ValueError(f"boom {x}")


@wfr.workflow
def chain(ctx, n):
    x = 0
    for _ in range(n or 0):
        x = yield ctx.call_activity(inc, input=x)
    return x


@wfr.workflow
def achain(ctx, n):
    x = 0
    for _ in range(n):
        x = yield ctx.call_activity(ainc, input=x)
    return x


@wfr.workflow
def failing(ctx, x):
    yield ctx.call_activity(boom, input=x)
    return "unreachable"


@wfr.workflow
def waiter(ctx, name):
    ev = yield ctx.wait_for_external_event(name or "go")
    return ev


@wfr.workflow
def counter(ctx, n):
    got = []
    for _ in range(n):
        got.append((yield ctx.wait_for_external_event("tick")))
    return got


@wfr.workflow
def sleeper(ctx, secs):
    yield ctx.create_timer(timedelta(seconds=secs))
    return "woke"


@wfr.workflow
def parent(ctx, n):
    r = yield ctx.call_child_workflow(chain, input=n)
    return r


@wfr.workflow
def parent_of_waiter(ctx, _):
    r = yield ctx.call_child_workflow(waiter, input="go")
    return r


@wfr.workflow
def restarter(ctx, n):
    if n <= 0:
        return "done"
    yield ctx.call_activity(inc, input=n)
    ctx.continue_as_new(n - 1)


@wfr.workflow
def carrier(ctx, n):
    if n > 0:
        yield ctx.call_activity(inc, input=0)
        ctx.continue_as_new(n - 1, save_events=True)
        return None
    got = yield ctx.wait_for_external_event("x")
    return got


@wfr.workflow
def parent_of_failing(ctx, _):
    try:
        yield ctx.call_child_workflow(failing, input=5)
    except Exception as exc:  # TaskFailedError
        return f"caught {type(exc).__name__}"
    return "no error"


@wfr.activity
def gate(ctx, x):
    """Fails while the file named by ``$WFCTL_TEST_GATE`` exists (the bug), else x * 10."""
    closed = os.environ.get("WFCTL_TEST_GATE")
    if closed and os.path.exists(closed):
        raise RuntimeError(f"gate closed for {x}")
    _note(ctx)
    return x * 10


@wfr.workflow
def fixable(ctx, x):
    """Step 1 (inc) then step 2 (gate): the rerun scenario."""
    a = yield ctx.call_activity(inc, input=x)
    return (yield ctx.call_activity(gate, input=a))


@wfr.workflow
def fan_then_gate(ctx, n):
    """n incs at once, a timer, then the gate over their sum."""
    got = yield wf.when_all([ctx.call_activity(inc, input=i) for i in range(n)])
    yield ctx.create_timer(timedelta(seconds=0))
    return (yield ctx.call_activity(gate, input=sum(got)))


@wfr.workflow
def parent_of_fixable(ctx, x):
    return (yield ctx.call_child_workflow(fixable, input=x))


@wfr.workflow
def grandparent_of_fixable(ctx, x):
    return (yield ctx.call_child_workflow(parent_of_fixable, input=x))


registry = wfr.registry
