"""A workflow app whose run is almost all engine bookkeeping: ``fan`` calls the trivial activity
``echo`` N times in a row (default 400), so a Ctrl-C sent at any moment of
``wfctl --embedded start fan --wait`` most likely lands between two steps of the engine's loop
(tests/cli/test_signals.py)."""

from __future__ import annotations

from typing import Any

from wfctl.workflow import WorkflowRuntime

wfr = WorkflowRuntime()


@wfr.workflow(name="fan")
def fan(ctx: Any, n: Any = None):  # type: ignore[no-untyped-def]
    count = n if isinstance(n, int) and n > 0 else 400
    for i in range(count):
        yield ctx.call_activity(echo, input=i)
    return count


@wfr.activity(name="echo")
def echo(ctx: Any, x: Any) -> Any:
    return x
