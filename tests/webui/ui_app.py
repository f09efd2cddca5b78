"""The web view tests' ``--app``: workflows that wait for an event, fail, retry, sleep on
timers, call children, run many steps, and one whose *name* is an XSS payload."""

from __future__ import annotations

from datetime import timedelta

from wfctl.workflow import RetryPolicy, WorkflowRuntime

XSS = '<img src=x onerror="window.__xss=1;alert(1)">'

wfr = WorkflowRuntime()
_tries: dict[str, int] = {}


@wfr.activity(name="step")
def step(ctx, x):
    return x


@wfr.activity(name="flaky")
def flaky(ctx, key):
    """Fails twice per key, then succeeds (so a retry policy's attempts show)."""
    _tries[key] = _tries.get(key, 0) + 1
    if _tries[key] < 3:
        raise RuntimeError(f"flaky attempt {_tries[key]}")
    return f"ok after {_tries[key]}"


@wfr.activity(name="explode")
def explode(ctx, x):
    raise ValueError(f"kaboom {x}")


@wfr.workflow(name="approval_wf")
def approval_wf(ctx, x):
    """Step, a short timer, then waits for the event ``approve`` and returns its data."""
    yield ctx.call_activity(step, input=x)
    yield ctx.create_timer(timedelta(milliseconds=50))
    ctx.set_custom_status("waiting for approve")
    data = yield ctx.wait_for_external_event("approve")
    ctx.set_custom_status("approved")
    return {"approved": data}


@wfr.workflow(name="retry_wf")
def retry_wf(ctx, key):
    policy = RetryPolicy(first_retry_interval=timedelta(milliseconds=20), max_number_of_attempts=5)
    r = yield ctx.call_activity(flaky, input=key, retry_policy=policy)
    return r


@wfr.workflow(name="failing_wf")
def failing_wf(ctx, x):
    yield ctx.call_activity(step, input=x)
    yield ctx.call_activity(explode, input=x)


@wfr.workflow(name="child_wf")
def child_wf(ctx, x):
    r = yield ctx.call_activity(step, input=x)
    return r


@wfr.workflow(name="parent_wf")
def parent_wf(ctx, x):
    r = yield ctx.call_child_workflow(child_wf, input=x)
    yield ctx.create_timer(timedelta(milliseconds=30))
    return {"child": r}


@wfr.workflow(name="many_steps_wf")
def many_steps_wf(ctx, n):
    for i in range(int(n or 10)):
        yield ctx.call_activity(step, input=i)
    return n


@wfr.workflow(name=XSS)
def xss_wf(ctx, x):
    """Stores the payload as custom status and output, and waits for an event by that name."""
    ctx.set_custom_status(XSS)
    yield ctx.wait_for_external_event(XSS)
    return XSS
