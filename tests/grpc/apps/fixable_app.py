"""An unmodified Dapr 1.19 SDK app for the rerun scenario (it knows nothing of wfctl).

Workflow ``fixable``: step ``inc`` (x + 1), then step ``gate`` (x * 10), which fails while the
file ``$FIX_GATE`` exists. Each completed step appends ``<instance>:<step>`` to ``$FIX_SIDE``.

``python fixable_app.py run ID X``: start ``fixable`` as ID with input X, wait, print
``RESULT <status> <output>``. ``python fixable_app.py rerun SRC EVENT [INPUT]``: print the
source's history (``HIST <type> <event id> <rerunnable>``), rerun it from EVENT (with INPUT as
the step's new input, if given), wait, print ``RERUN <new id> <status> <output>``.
``python fixable_app.py serve``: only run the workers, print ``READY`` once they are started,
and keep running them until SIGTERM (for instances a client elsewhere starts).
"""

import json
import os
import signal
import sys
import threading

import dapr.ext.workflow as wf

wfr = wf.WorkflowRuntime()


def _note(ctx, step):
    with open(os.environ["FIX_SIDE"], "a") as f:
        f.write(f"{ctx.workflow_id}:{step}\n")


@wfr.activity(name="inc")
def inc(ctx, x):
    _note(ctx, "inc")
    return x + 1


@wfr.activity(name="gate")
def gate(ctx, x):
    if os.path.exists(os.environ["FIX_GATE"]):
        raise RuntimeError(f"gate closed for {x}")
    _note(ctx, "gate")
    return x * 10


@wfr.workflow(name="fixable")
def fixable(ctx: wf.DaprWorkflowContext, x):
    a = yield ctx.call_activity(inc, input=x)
    b = yield ctx.call_activity(gate, input=a)
    return b


def serve() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("READY", flush=True)
    stop.wait()


def main() -> None:
    wfr.start()
    try:
        if sys.argv[1] == "serve":
            serve()
            return
        c = wf.DaprWorkflowClient()
        if sys.argv[1] == "run":
            iid = sys.argv[2]
            c.schedule_new_workflow("fixable", input=int(sys.argv[3]), instance_id=iid)
            st = c.wait_for_workflow_completion(iid, timeout_in_seconds=60)
            print("RESULT", st.runtime_status.name, st.serialized_output, flush=True)
        else:
            src, event = sys.argv[2], int(sys.argv[3])
            if hasattr(c, "get_workflow_history"):  # wfctl's exec client has none yet
                for e in c.get_workflow_history(src):
                    print("HIST", e.event_type.name, e.event_id, e.is_rerunnable, flush=True)
            kw = {"input": json.loads(sys.argv[4])} if len(sys.argv) > 4 else {}
            new = c.rerun_workflow_from_event(src, event, **kw)
            st = c.wait_for_workflow_completion(new, timeout_in_seconds=60)
            print("RERUN", new, st.runtime_status.name, st.serialized_output, flush=True)
    finally:
        wfr.shutdown()


if __name__ == "__main__":
    main()
