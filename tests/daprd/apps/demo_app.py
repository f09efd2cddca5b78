"""wfctl's built-in demo workflows (hello_world_wf, OrderProcessingWorkflow) served by the
Dapr Python SDK as an unmodified worker of a real daprd (DAPR_GRPC_PORT): the README's sidecar
example starts OrderProcessingWorkflow, which only an app can run under daprd. The workflow
functions are wfctl.demo's own (written against the same API); this file registers them with
the SDK's WorkflowRuntime, prints READY and runs until SIGTERM."""

import signal
import threading

import dapr.ext.workflow as wf

from wfctl import demo

wfr = wf.WorkflowRuntime()
for fn in demo.wfr.registry.workflows.values():
    wfr.register_workflow(fn)  # under the name wfctl.demo gave it
for fn in demo.wfr.registry.activities.values():
    wfr.register_activity(fn)

if __name__ == "__main__":
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    wfr.start()
    print("READY", flush=True)
    stop.wait()
    wfr.shutdown()
