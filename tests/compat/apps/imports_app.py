"""Every name Dapr workflow apps import, in the spellings they use; prints where each comes
from and exercises the DaprClient workflow calls and Settings."""

import sys

import dapr.ext.workflow as wf
from dapr.clients import DaprClient
from dapr.clients.exceptions import DaprInternalError
from dapr.conf import Settings
from dapr.ext.workflow import (
    DaprWorkflowClient,
    DaprWorkflowContext,
    RetryPolicy,
    WorkflowActivityContext,
    WorkflowRuntime,
    WorkflowStatus,
    when_all,
    when_any,
)
from dapr.ext.workflow.aio import DaprWorkflowClient as AsyncClient
from dapr.ext.workflow.dapr_workflow_client import DaprWorkflowClient as ClientAgain
from dapr.ext.workflow.workflow_state import WorkflowState

names = [
    WorkflowRuntime,
    DaprWorkflowContext,
    WorkflowActivityContext,
    DaprWorkflowClient,
    when_all,
    when_any,
    RetryPolicy,
    WorkflowStatus,
    WorkflowState,
    DaprClient,
    DaprInternalError,
    Settings,
    AsyncClient,
]
print("modules:", sorted({n.__module__.split(".")[0] for n in names}))
print("same client:", ClientAgain is DaprWorkflowClient is wf.DaprWorkflowClient)
print("statuses:", [(s.name, s.value) for s in WorkflowStatus])
settings = Settings()
print(
    "settings:",
    settings.DAPR_GRPC_PORT,
    settings.DAPR_API_MAX_RETRIES,
    settings.DAPR_CONF_RETRY_ON_RESOURCE_EXHAUSTED,
)

wfr = WorkflowRuntime()


@wfr.workflow(name="waiter")
def waiter(ctx: DaprWorkflowContext, who: str):
    got = yield ctx.wait_for_external_event("Knock")
    return f"{who} heard {got}"


wfr.start()
with DaprClient() as d:
    d.wait(1)
    started = d.start_workflow(
        workflow_component="dapr", workflow_name="waiter", input="Ann", instance_id="w1"
    )
    print("started:", started.instance_id, d.get_workflow("w1", "dapr").runtime_status)
    d.pause_workflow("w1", "dapr")
    print("paused:", d.get_workflow("w1", "dapr").runtime_status)
    d.raise_workflow_event("w1", "dapr", event_name="knock", event_data={"n": 2})
    d.resume_workflow("w1", "dapr")
    state = DaprWorkflowClient().wait_for_workflow_completion("w1", timeout_in_seconds=10)
    resp = d.get_workflow("w1", "dapr")
    print("done:", resp.runtime_status, resp.properties["dapr.workflow.output"])
    d.purge_workflow("w1", "dapr")
    try:
        d.get_workflow("w1", "dapr")
    except DaprInternalError as err:
        print("purged:", "no such instance exists" in err._message, err._error_code)
wfr.shutdown()
sys.exit(3)
