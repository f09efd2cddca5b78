"""An ordinary Dapr workflow app, as a user writes it: only the SDK's public API
(``dapr.ext.workflow``), connected to its sidecar by DAPR_GRPC_PORT / DAPR_GRPC_ENDPOINT alone.
It runs unchanged on dapr 1.19.0, dapr-ext-workflow 1.18.3 and 1.17.5.

    python sdk_app.py chain PREFIX COUNT SIDE [--gate FILE] [--await-only] [--delay S]
    python sdk_app.py features ID
    python sdk_app.py worker            # only the worker: runs what others start, until SIGTERM

``chain`` starts COUNT three-step workflows PREFIX0..PREFIX{COUNT-1} (``--await-only``: the
workflows exist already, e.g. after this app was killed) and awaits them; every activity
appends ``begin ID STEP`` and ``done ID STEP`` lines to SIDE (its side effect, counted by the
tests); with ``--gate`` step 2 waits until FILE exists. Prints ``DONE ID STATUS OUTPUT`` per
workflow and exits 0 when every one COMPLETED with the expected output.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from datetime import timedelta

import dapr.ext.workflow as wf

wfr = wf.WorkflowRuntime()
SIDE = ""
GATE = ""
DELAY = 0.0


def say(text: str) -> None:
    sys.stdout.write(f"{text}\n")  # one write: lines from several threads do not interleave
    sys.stdout.flush()


def record(line: str) -> None:
    if SIDE:
        fd = os.open(SIDE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{line}\n".encode())
        finally:
            os.close(fd)


def side_effect(ctx: wf.WorkflowActivityContext, step: int, x: int) -> None:
    record(f"begin {ctx.workflow_id} {step}")
    if step == 2 and GATE:
        while not os.path.exists(GATE):  # the test opens the gate once it has killed something
            time.sleep(0.02)
    if DELAY:
        time.sleep(DELAY)
    record(f"done {ctx.workflow_id} {step}")


@wfr.activity(name="step1")
def step1(ctx: wf.WorkflowActivityContext, x: int) -> int:
    side_effect(ctx, 1, x)
    return x + 1


@wfr.activity(name="step2")
def step2(ctx: wf.WorkflowActivityContext, x: int) -> int:
    side_effect(ctx, 2, x)
    return x * 2


@wfr.activity(name="step3")
def step3(ctx: wf.WorkflowActivityContext, x: int) -> int:
    side_effect(ctx, 3, x)
    return x + 3


@wfr.workflow(name="chain3")
def chain3(ctx: wf.DaprWorkflowContext, x: int):
    x = yield ctx.call_activity(step1, input=x)
    x = yield ctx.call_activity(step2, input=x)
    x = yield ctx.call_activity(step3, input=x)
    return x


def expected(x: int) -> int:
    return (x + 1) * 2 + 3


@wfr.activity(name="shout")
def shout(ctx: wf.WorkflowActivityContext, text: str) -> str:
    return text.upper()


@wfr.workflow(name="child_wf")
def child_wf(ctx: wf.DaprWorkflowContext, text: str):
    loud = yield ctx.call_activity(shout, input=text)
    return f"{loud}!"


@wfr.workflow(name="features_wf")
def features_wf(ctx: wf.DaprWorkflowContext, name: str):
    yield ctx.create_timer(timedelta(seconds=0.3))
    if not ctx.is_replaying:
        ctx.set_custom_status("waiting for approval")
    approval = yield ctx.wait_for_external_event("approval")
    # the timeout pattern: an event that never comes against a short timer
    never = ctx.wait_for_external_event("never")
    timeout = ctx.create_timer(timedelta(seconds=0.2))
    winner = yield wf.when_any([never, timeout])
    child = yield ctx.call_child_workflow(
        child_wf, input=f"{name} by {approval['by']}", instance_id=f"{ctx.instance_id}-child"
    )
    return {"child": child, "timed_out": winner == timeout}


def await_all(client: wf.DaprWorkflowClient, ids: list[str], limit: float) -> dict[str, object]:
    """Wait for each workflow; the sidecar may be restarted meanwhile, so a failed call is
    retried (as an app that must see its run through would) until ``limit`` seconds."""
    deadline = time.monotonic() + limit
    states = {}
    for iid in ids:
        while True:
            try:
                st = client.wait_for_workflow_completion(iid, timeout_in_seconds=10)
            except Exception as exc:  # noqa: BLE001 - UNAVAILABLE, deadline, ...: try again
                if time.monotonic() > deadline:
                    raise
                say(f"RETRY {iid} {type(exc).__name__}")
                time.sleep(0.5)
                continue
            if st is None or st.runtime_status not in (
                wf.WorkflowStatus.COMPLETED,
                wf.WorkflowStatus.FAILED,
                wf.WorkflowStatus.TERMINATED,
            ):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{iid} did not finish: {st}")
                continue
            states[iid] = st
            break
    return states


def chain(args: list[str]) -> int:
    global SIDE, GATE, DELAY
    prefix, count, SIDE = args[0], int(args[1]), args[2]
    if "--gate" in args:
        GATE = args[args.index("--gate") + 1]
    if "--delay" in args:
        DELAY = float(args[args.index("--delay") + 1])
    wfr.start()
    client = wf.DaprWorkflowClient()
    ids = [f"{prefix}{i}" for i in range(count)]
    if "--await-only" not in args:
        for i, iid in enumerate(ids):
            client.schedule_new_workflow(chain3, input=i, instance_id=iid)
            say(f"STARTED {iid}")
    states = await_all(client, ids, limit=float(os.environ.get("APP_LIMIT", "240")))
    ok = True
    for i, iid in enumerate(ids):
        st = states[iid]
        say(f"DONE {iid} {st.runtime_status.name} {st.serialized_output}")
        ok = ok and st.runtime_status == wf.WorkflowStatus.COMPLETED
        ok = ok and json.loads(st.serialized_output) == expected(i)
    wfr.shutdown()
    return 0 if ok else 1


def features(args: list[str]) -> int:
    iid = args[0]
    wfr.start()
    client = wf.DaprWorkflowClient()
    client.schedule_new_workflow(features_wf, input="order-7", instance_id=iid)
    # wait until the workflow says it waits (the event would be buffered anyway)
    deadline = time.monotonic() + 120
    while True:
        st = client.get_workflow_state(iid)
        if st is not None and st.serialized_custom_status:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"{iid} never waited for its approval: {st}")
        time.sleep(0.05)
    say(f"CUSTOM {st.serialized_custom_status}")
    client.raise_workflow_event(iid, "approval", data={"by": "ann"})
    st = client.wait_for_workflow_completion(iid, timeout_in_seconds=120)
    child = client.get_workflow_state(f"{iid}-child")
    say(f"DONE {iid} {st.runtime_status.name} {st.serialized_output}")
    say(f"CHILD {child.runtime_status.name if child else None}")
    wfr.shutdown()
    good = st.runtime_status == wf.WorkflowStatus.COMPLETED
    return 0 if good and child and child.runtime_status == wf.WorkflowStatus.COMPLETED else 1


def worker() -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    wfr.start()
    say("WORKER READY")
    stop.wait()
    wfr.shutdown()
    return 0


if __name__ == "__main__":
    mode, rest = sys.argv[1], sys.argv[2:]
    if mode == "chain":
        sys.exit(chain(rest))
    if mode == "features":
        sys.exit(features(rest))
    if mode == "worker":
        sys.exit(worker())
    raise SystemExit(f"unknown mode {mode}")
