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


@wfr.activity(name="count")
def count(ctx, path):
    with open(path, "a") as f:  # one line per run of this step
        f.write("ran\n")
    return path


@wfr.activity(name="check")
def check(ctx, x):
    if x < 0:
        raise ValueError(f"bad input {x}")
    return x * 2


@wfr.workflow(name="two_steps")
def two_steps(ctx: wf.DaprWorkflowContext, arg):
    yield ctx.call_activity(count, input=arg["path"])
    return (yield ctx.call_activity(check, input=arg["x"]))


@wfr.activity(name="huge")
def huge(ctx, _):
    return "x" * (6 * 1024 * 1024)  # over serve's 4 MiB message limit


@wfr.workflow(name="too_big")
def too_big(ctx: wf.DaprWorkflowContext, _):
    yield ctx.call_activity(huge)
    return "delivered"


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
        elif sys.argv[1] == "rerun":
            c = wf.DaprWorkflowClient()
            iid = c.schedule_new_workflow(two_steps, input={"path": sys.argv[2], "x": -1})
            st = c.wait_for_workflow_completion(iid, timeout_in_seconds=60)
            print("FIRST", st.runtime_status.name, flush=True)
            step2 = [e.event_id for e in c.get_workflow_history(iid) if e.name == "check"][0]
            new = c.rerun_workflow_from_event(iid, step2, input=21)
            st = c.wait_for_workflow_completion(new, timeout_in_seconds=60)
            print("RERUN", step2, st.runtime_status.name, st.serialized_output, flush=True)
        else:
            print("READY", flush=True)
            stop.wait()
    finally:
        wfr.shutdown()


if __name__ == "__main__":
    main()
