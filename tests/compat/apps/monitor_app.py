"""Eternal monitor (Dapr SDK sample style): a dataclass input mutated and passed to
continue_as_new, an activity scheduled without yield, a timer, a pre-check on restart."""

import random
import sys
from dataclasses import dataclass
from datetime import timedelta
from time import sleep

import dapr.ext.workflow as wf


def say(text: str) -> None:
    """print() in one write: it writes text and newline separately, so lines printed from
    the main thread and a worker thread at once could interleave (as under a sidecar)."""
    sys.stdout.write(f"{text}\n")


wfr = wf.WorkflowRuntime()
rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
ROUNDS = 5


@dataclass
class Probe:
    target: str
    healthy: bool
    round: int


@wfr.workflow(name="health_monitor")
def health_monitor(ctx: wf.DaprWorkflowContext, probe: Probe):
    verdict = yield ctx.call_activity(probe_target, input=probe)
    if not ctx.is_replaying:
        say(f"Round {probe.round}: '{probe.target}' is {verdict}.")
    if verdict == "up":
        probe.healthy = True
    elif probe.healthy:
        probe.healthy = False
        ctx.call_activity(raise_alarm, input=f"'{probe.target}' went down")
    if probe.round >= ROUNDS:
        return f"stopped after {probe.round} rounds"
    yield ctx.create_timer(fire_at=timedelta(milliseconds=50))
    probe.round += 1
    ctx.continue_as_new(probe)


@wfr.activity
def probe_target(ctx, probe) -> str:
    return rng.choice(["up", "down"])


@wfr.activity
def raise_alarm(ctx, message: str):
    say(f"*** Alarm: {message}")


if __name__ == "__main__":
    wfr.start()
    client = wf.DaprWorkflowClient()
    current = None
    try:  # noqa: SIM105 - the SDK sample's own pattern
        current = client.get_workflow_state("probe1")
    except Exception:
        pass
    if not current or current.runtime_status.name != "RUNNING":
        iid = client.schedule_new_workflow(
            workflow=health_monitor,
            input=Probe(target="probe1", healthy=True, round=1),
            instance_id="probe1",
        )
        say(f"Started {iid}")
    else:
        say("Already running probe1")
    state = client.wait_for_workflow_completion("probe1", timeout_in_seconds=20)
    sleep(0.2)  # let a last un-awaited alarm activity print
    say(f"Monitor: {state.runtime_status.name} {state.serialized_output}")
    wfr.shutdown()
