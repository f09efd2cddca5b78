"""An in-process app for `wfctl --app local_app.py serve --grpc-port`: its workflow runs in
serve itself; every other workflow goes to the gRPC workers."""

import wfctl.workflow as wf

wfr = wf.WorkflowRuntime()


@wfr.activity(name="where")
def where(ctx, _):
    return "in-process"


@wfr.workflow(name="local_wf")
def local_wf(ctx: wf.DaprWorkflowContext, _):
    return (yield ctx.call_activity(where))
