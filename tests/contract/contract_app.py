"""The contract suite's workflows, written against the Dapr SDK's API.

``wfctl serve --app`` and the embedded engine load it through wfctl's Dapr alias; run as a
script it is an unmodified Dapr SDK worker on ``DAPR_GRPC_PORT`` (for GrpcBackend against
`wfctl serve --grpc-port`), printing ``READY`` and running until SIGTERM.
"""

import signal
import threading

import dapr.ext.workflow as wf

wfr = wf.WorkflowRuntime()


@wfr.activity(name="same")
def same(ctx, value):
    return value


@wfr.workflow(name="echo_wf")
def echo_wf(ctx, value):
    """Returns its input, after one activity."""
    out = yield ctx.call_activity(same, input=value)
    return out


@wfr.workflow(name="waiter_wf")
def waiter_wf(ctx, _):
    """Waits for the event "go" and returns its data."""
    data = yield ctx.wait_for_external_event("go")
    return data


if __name__ == "__main__":
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    wfr.start()
    print("READY", flush=True)
    stop.wait()
    wfr.shutdown()
