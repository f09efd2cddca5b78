"""The SDK's "simple workflow with async client" pattern: `dapr.ext.workflow.aio`'s
DaprWorkflowClient awaited from asyncio.run(main()), with pause, resume, event and purge."""

import asyncio
from datetime import timedelta

from dapr.clients.exceptions import DaprInternalError
from dapr.conf import Settings
from dapr.ext.workflow import DaprWorkflowContext, WorkflowActivityContext, WorkflowRuntime
from dapr.ext.workflow import when_any as first_of
from dapr.ext.workflow.aio import DaprWorkflowClient

settings = Settings()
wfr = WorkflowRuntime()
total = 0


@wfr.workflow(name="adder_wf")
def adder_wf(ctx: DaprWorkflowContext, start: int):
    yield ctx.call_activity(add, input=start)
    event = ctx.wait_for_external_event("more")
    timer = ctx.create_timer(timedelta(seconds=20))
    winner = yield first_of([event, timer])
    if winner == timer:
        return "gave up"
    yield ctx.call_activity(add, input=event.get_result())
    return f"total {total}"


@wfr.activity(name="add")
def add(ctx: WorkflowActivityContext, amount: int):
    global total
    total += amount
    print(f"Total is {total}.", flush=True)


async def main():
    wfr.start()
    client = DaprWorkflowClient()
    try:
        ids = ["adder-1", "adder-2"]
        for n, iid in enumerate(ids, start=1):
            await client.schedule_new_workflow(workflow=adder_wf, input=n, instance_id=iid)
            await client.wait_for_workflow_start(iid)
        await asyncio.sleep(0.3)

        await client.pause_workflow(instance_id="adder-1")
        meta = await client.get_workflow_state(instance_id="adder-1")
        print(f"adder-1 after pause: {meta.runtime_status.name}")
        await client.resume_workflow(instance_id="adder-1")
        meta = await client.get_workflow_state(instance_id="adder-1")
        print(f"adder-1 after resume: {meta.runtime_status.name}")

        # both waits run at once: the client must not block the event loop
        waits = [client.wait_for_workflow_completion(i, timeout_in_seconds=10) for i in ids]
        waiting = asyncio.gather(*waits)
        await asyncio.sleep(0.1)
        await client.raise_workflow_event(instance_id="adder-2", event_name="more", data=20)
        await client.wait_for_workflow_completion("adder-2", timeout_in_seconds=10)
        await client.raise_workflow_event(instance_id="adder-1", event_name="more", data=10)
        states = await waiting
        for st in states:
            print(f"{st.instance_id}: {st.runtime_status.name} {st.serialized_output}")

        try:
            await client.wait_for_workflow_completion("adder-1", timeout_in_seconds=1)
            await client.schedule_new_workflow(adder_wf, input=0, instance_id="adder-3")
            await client.wait_for_workflow_completion("adder-3", timeout_in_seconds=0.3)
        except TimeoutError:
            print("adder-3: timed out waiting")
        await client.terminate_workflow("adder-3")
        st = await client.get_workflow_state("adder-3", fetch_payloads=False)
        print(f"adder-3: {st.runtime_status.name} {st.serialized_input}")

        for iid in [*ids, "adder-3"]:
            await client.purge_workflow(instance_id=iid)
        try:
            gone = await client.get_workflow_state(instance_id="adder-1")
            print(f"after purge: {gone}")
        except DaprInternalError as err:
            print(f"after purge: {err._message}")
    finally:
        wfr.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
