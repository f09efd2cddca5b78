"""Running activities: input rules, conversion, results, failures, async activities."""

from __future__ import annotations

import asyncio

from tests.engine.test_serialization import Order
from wfctl.engine.activities import is_async_activity, run_activity, run_activity_async
from wfctl.engine.registry import Registry


def no_input(ctx):
    return f"{ctx.workflow_id}/{ctx.task_id}"


def echo(ctx, value):
    return value


def priced(ctx, order: Order) -> float:
    return order.cost * 2


def explode(ctx, value):
    raise ValueError(f"bad value {value}")


async def slow_echo(ctx, value):
    await asyncio.sleep(0)
    return {"echo": value}


def registry() -> Registry:
    reg = Registry()
    for fn in (no_input, echo, priced, explode, slow_echo):
        reg.add_activity(fn)
    return reg


def run(name: str, data: str | None):
    return run_activity(registry(), name, data, instance_id="wf-1", task_id=7)


def test_activity_without_input_parameter_gets_only_the_context():
    out = run("no_input", '"ignored"')
    assert (out.result, out.failure) == ('"wf-1/7"', None)


def test_result_is_json_and_none_is_no_output():
    assert run("echo", '{"a": 1}').result == '{"a": 1}'
    assert run("echo", None).result is None


def test_annotated_model_parameter_receives_the_model():
    assert run("priced", '{"name": "x", "cost": 2.5}').result == "5.0"


def test_failure_carries_type_message_and_traceback():
    out = run("explode", "3")
    assert out.result is None
    assert out.failure.error_type == "ValueError"
    assert out.failure.message == "bad value 3"
    assert "in explode" in out.failure.stack_trace


def test_unknown_activity_fails_with_a_clear_error():
    out = run("missing", None)
    assert out.failure.error_type == "ActivityNotRegisteredError"
    assert "'missing'" in out.failure.message


def test_async_activities_are_detected_and_awaited():
    reg = registry()
    assert is_async_activity(reg, "slow_echo") and not is_async_activity(reg, "echo")
    out = asyncio.run(run_activity_async(reg, "slow_echo", "1", instance_id="w", task_id=1))
    assert out.result == '{"echo": 1}'
    assert run("slow_echo", "2").result == '{"echo": 2}'  # a sync caller still gets it
    out = asyncio.run(run_activity_async(reg, "explode", "1", instance_id="w", task_id=1))
    assert out.failure.error_type == "ValueError"
