"""The Dapr SDK's "simple" sample pattern: activities sharing module globals, an activity and
a child workflow retried by a RetryPolicy, when_any of an event and a timer, pause, resume,
raise-event, wait with a timeout, purge, and DaprInternalError for a purged instance."""

from datetime import timedelta
from time import sleep

from dapr.clients.exceptions import DaprInternalError
from dapr.conf import Settings
from dapr.ext.workflow import (
    DaprWorkflowClient,
    DaprWorkflowContext,
    RetryPolicy,
    WorkflowActivityContext,
    WorkflowRuntime,
    when_any,
)

settings = Settings()

tally = 0
flaky_calls = 0
kid_runs = 0
trail = ""
kid_act_calls = 0
INSTANCE = "lifecycleInstance"
EVENT = "go_on"

policy = RetryPolicy(
    first_retry_interval=timedelta(milliseconds=100),
    max_number_of_attempts=3,
    backoff_coefficient=2,
    max_retry_interval=timedelta(seconds=1),
    retry_timeout=timedelta(seconds=30),
)

wfr = WorkflowRuntime()


@wfr.workflow(name="counting_wf")
def counting_wf(ctx: DaprWorkflowContext, wf_input):
    print(f"{wf_input}", flush=True)
    yield ctx.call_activity(bump, input=2)
    yield ctx.call_activity(bump, input=20)
    yield ctx.call_activity(flaky, retry_policy=policy)
    yield ctx.call_child_workflow(retried_kid, retry_policy=policy)

    event = ctx.wait_for_external_event(EVENT)
    timeout = ctx.create_timer(timedelta(seconds=20))
    winner = yield when_any([event, timeout])
    if winner == timeout:
        print("timed out waiting for the event")
        return "Timeout"

    yield ctx.call_activity(bump, input=200)
    yield ctx.call_activity(bump, input=event.get_result())
    return "Finished"


@wfr.activity(name="bump")
def bump(ctx: WorkflowActivityContext, amount):
    global tally
    tally += amount
    print(f"Tally is now {tally}.", flush=True)


@wfr.activity(name="flaky")
def flaky(ctx: WorkflowActivityContext):
    global flaky_calls
    flaky_calls += 1
    if flaky_calls == 1:
        print(f"Flaky call {flaky_calls} fails.", flush=True)
        raise ValueError("try again")
    print(f"Flaky call {flaky_calls} works.", flush=True)


@wfr.workflow(name="retried_kid")
def retried_kid(ctx: DaprWorkflowContext):
    global kid_runs, trail
    if not ctx.is_replaying:
        kid_runs += 1
        print(f"Kid run {kid_runs}.", flush=True)
        trail += str(kid_runs)
    yield ctx.call_activity(kid_step, input=kid_runs, retry_policy=policy)
    if kid_runs < 3:
        raise ValueError("kid wants another go")


@wfr.activity(name="kid_step")
def kid_step(ctx: WorkflowActivityContext, run):
    global trail, kid_act_calls
    letter = "xyz"[run - 1]
    print(f"Kid step writes {letter}.", flush=True)
    trail += letter
    kid_act_calls += 1
    if kid_act_calls % 2 == 1:
        raise ValueError("kid step flaked")


def main():
    wfr.start()
    client = DaprWorkflowClient()

    client.schedule_new_workflow(workflow=counting_wf, input="Counting!", instance_id=INSTANCE)
    client.wait_for_workflow_start(INSTANCE)

    sleep(3)  # let it get to the event wait

    assert tally == 22, tally
    assert flaky_calls == 2, flaky_calls
    assert trail == "1xx2yy3zz", trail

    client.pause_workflow(instance_id=INSTANCE)
    meta = client.get_workflow_state(instance_id=INSTANCE)
    print(f"After pause: {meta.runtime_status.name}")

    client.resume_workflow(instance_id=INSTANCE)
    meta = client.get_workflow_state(instance_id=INSTANCE)
    print(f"After resume: {meta.runtime_status.name}")

    sleep(0.2)
    client.raise_workflow_event(instance_id=INSTANCE, event_name=EVENT, data=2000)

    try:
        state = client.wait_for_workflow_completion(INSTANCE, timeout_in_seconds=10)
        if state.runtime_status.name == "COMPLETED":
            print("Completed with {}".format(state.serialized_output.strip('"')))
        else:
            print(f"Ended as {state.runtime_status.name}")
    except TimeoutError:
        print("Timed out!")

    client.purge_workflow(instance_id=INSTANCE)
    try:
        gone = client.get_workflow_state(instance_id=INSTANCE)
        print(f"After purge: {gone}")
    except DaprInternalError as err:
        print(f"After purge: error {err._message}")

    wfr.shutdown()


if __name__ == "__main__":
    main()
