"""An unmodified Dapr 1.19 SDK workflow app (it knows nothing of wfctl).

``python seq_app.py run N``: start ``three`` with input N, wait, print ``RESULT <status>
<output>``. ``python seq_app.py worker``: only serve work until SIGTERM (prints ``READY``).
"""

import signal
import sys
import threading

import dapr.ext.workflow as wf

wfr = wf.WorkflowRuntime()


@wfr.activity(name="step")
def step(ctx, x):
    return x + 1


@wfr.activity(name="where")
def where(ctx, _):
    return "worker"


@wfr.workflow(name="three")
def three(ctx: wf.DaprWorkflowContext, x):
    a = yield ctx.call_activity(step, input=x)
    b = yield ctx.call_activity(step, input=a)
    c = yield ctx.call_activity(step, input=b)
    return c


@wfr.workflow(name="cross_app")
def cross_app(ctx: wf.DaprWorkflowContext, _):
    try:
        yield ctx.call_activity("step", input=1, app_id="billing")
    except wf.TaskFailedError as exc:
        return f"refused: {exc}"
    return "routed"


@wfr.workflow(name="app_id")
def app_id(ctx: wf.DaprWorkflowContext, _):
    return ctx._app_id  # the SDK reads it from executionStarted.router


def main() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    wfr.start()
    try:
        if sys.argv[1] == "run":
            c = wf.DaprWorkflowClient()
            name = sys.argv[3] if len(sys.argv) > 3 else "three"
            iid = c.schedule_new_workflow(name, input=int(sys.argv[2]))
            st = c.wait_for_workflow_completion(iid, timeout_in_seconds=60)
            print("ID", iid, flush=True)
            print("RESULT", st.runtime_status.name, st.serialized_output, flush=True)
        else:
            print("READY", flush=True)
            stop.wait()
    finally:
        wfr.shutdown()


if __name__ == "__main__":
    main()
