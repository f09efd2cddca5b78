"""The e2e suite's ``--app``: the built-in demo's workflows plus a few that fail, sleep long
or call a child workflow (registered on the demo's own runtime, so one server has all)."""

from __future__ import annotations

from datetime import timedelta

from wfctl.demo import wfr


@wfr.activity(name="explode")
def explode(ctx, x):
    raise ValueError(f"kaboom {x}")


@wfr.workflow(name="failing_wf")
def failing_wf(ctx, x):
    yield ctx.call_activity(explode, input=x)
    return "unreachable"


@wfr.workflow(name="sleepy_wf")
def sleepy_wf(ctx, secs):
    """Sleeps ``secs`` seconds (default one hour) on a durable timer, then returns "woke"."""
    yield ctx.create_timer(timedelta(seconds=secs or 3600))
    return "woke"


@wfr.activity(name="double")
def double(ctx, x):
    return 2 * x


@wfr.workflow(name="child_wf")
def child_wf(ctx, x):
    y = yield ctx.call_activity(double, input=x)
    return y


@wfr.workflow(name="parent_wf")
def parent_wf(ctx, x):
    """Calls ``child_wf`` (instance ``<id>:0001``) and returns ``{"child": 2 * x}``."""
    r = yield ctx.call_child_workflow(child_wf, input=x)
    return {"child": r}


@wfr.workflow(name="parent_sleepy_wf")
def parent_sleepy_wf(ctx, secs):
    """Calls ``sleepy_wf`` as a child (instance ``<id>:0001``)."""
    r = yield ctx.call_child_workflow(sleepy_wf, input=secs)
    return r
