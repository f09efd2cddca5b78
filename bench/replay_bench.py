"""Turn cost of the replay executor for an N-step sequential workflow.

Drives one instance through N activity steps the way the store does (history grows by a
turn marker, the completion and the next TaskScheduled per step) and times only
``WorkflowExecutor.execute``. "cached" keeps the live generator between turns (the normal
case while a process holds the instance); "full replay" forgets it before every turn (what a
restart costs). Run: ``python bench/replay_bench.py [N ...]``.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime, timedelta

from wfctl.engine.history import (
    ExecutionStarted,
    OrchestratorStarted,
    ScheduleTask,
    TaskCompleted,
    TaskScheduled,
)
from wfctl.engine.registry import Registry
from wfctl.engine.replay import WorkflowExecutor


def add_one(ctx, x):
    return x + 1


def steps_wf(ctx, n):
    total = 0
    for _ in range(n):
        total = yield ctx.call_activity(add_one, input=total)
    return total


def run(n: int, cached: bool) -> tuple[float, float, float]:
    """(seconds for all turns, mean µs per turn over the last 10% of steps, steps/s)."""
    reg = Registry()
    reg.add_workflow(steps_wf)
    reg.add_activity(add_one)
    ex = WorkflowExecutor(reg)
    clock = datetime(2026, 1, 1)
    history: list = []
    new: list = [
        OrchestratorStarted(timestamp=clock),
        ExecutionStarted(name="steps_wf", input=str(n), instance_id="bench", timestamp=clock),
    ]
    per_turn: list[float] = []
    for _ in range(n + 1):
        if not cached:
            ex.forget("bench")
        t0 = time.perf_counter()
        result = ex.execute("bench", history, new)
        per_turn.append(time.perf_counter() - t0)
        history.extend(new)
        clock += timedelta(milliseconds=1)
        (action,) = result.actions
        if not isinstance(action, ScheduleTask):
            assert action.result == str(n), action
            break
        history.append(TaskScheduled(task_id=action.task_id, name=action.name, timestamp=clock))
        answer = str(int(action.input) + 1)
        new = [
            OrchestratorStarted(timestamp=clock),
            TaskCompleted(task_id=action.task_id, result=answer, timestamp=clock),
        ]
    total = sum(per_turn)
    tail = per_turn[-max(1, len(per_turn) // 10) :]
    return total, statistics.mean(tail) * 1e6, n / total


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [10, 100, 1000]
    print(f"python {sys.version.split()[0]}")
    print("| steps | mode | total ms | µs/turn (last 10%) | steps/s |")
    print("|---:|---|---:|---:|---:|")
    for n in sizes:
        for cached in (True, False):
            total, tail_us, rate = run(n, cached)
            mode = "cached" if cached else "full replay"
            print(f"| {n} | {mode} | {total * 1e3:.1f} | {tail_us:.1f} | {rate:,.0f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
