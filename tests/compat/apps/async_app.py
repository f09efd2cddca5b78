"""Async activities (Dapr SDK sample style): `async def` activities fanned out with when_all,
a Pydantic-annotated input under `from __future__ import annotations`, a sync summariser."""

from __future__ import annotations

import asyncio
import os
import sys
from time import sleep

import dapr.ext.workflow as wf
from pydantic import BaseModel


def say(text: str) -> None:
    """print() in one write: it writes text and newline separately, so lines printed from
    the main thread and a worker thread at once could interleave (as under a sidecar)."""
    sys.stdout.write(f"{text}\n")


WIDTH = int(os.environ.get("COMPAT_WIDTH", "4"))
DELAY = float(os.environ.get("COMPAT_DELAY", "0.3"))

wfr = wf.WorkflowRuntime()


class Job(BaseModel):
    index: int
    text: str


@wfr.workflow(name="async_fan")
def async_fan(ctx: wf.DaprWorkflowContext, jobs: list[dict]):
    results = yield wf.when_all([ctx.call_activity(shout, input=j) for j in jobs])
    summary = yield ctx.call_activity(tally, input=results)
    return summary


@wfr.activity(name="shout")
async def shout(ctx: wf.WorkflowActivityContext, job: Job) -> str:
    assert isinstance(job, Job), type(job)
    await asyncio.sleep(DELAY)
    out = job.text.upper()
    say(f"[async] job {job.index}: {job.text} -> {out}")
    return out


@wfr.activity(name="tally")
def tally(ctx: wf.WorkflowActivityContext, results: list[str]) -> str:
    summary = f"{len(results)} results: {','.join(results)}"
    say(f"[sync] {summary}")
    return summary


def main() -> None:
    jobs = [Job(index=i, text=f"item{i}").model_dump() for i in range(WIDTH)]
    wfr.start()
    sleep(0.1)
    client = wf.DaprWorkflowClient()
    iid = client.schedule_new_workflow(workflow=async_fan, input=jobs)
    say(f"Started {iid}")
    state = client.wait_for_workflow_completion(iid, timeout_in_seconds=60)
    assert state is not None
    say(f"Status: {state.runtime_status.name}")
    say(f"Result: {state.serialized_output.strip(chr(34))}")
    wfr.shutdown()


if __name__ == "__main__":
    main()
