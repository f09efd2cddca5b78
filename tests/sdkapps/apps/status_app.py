"""An unmodified Dapr SDK app that sets custom statuses (a str, a dict, a str that is JSON)
and prints each as its client reads it back. Run it on a sidecar (``DAPR_GRPC_PORT``) or
under ``wfctl --embedded exec status_app.py ID``: the lines must be the same."""

from __future__ import annotations

import sys
import time

import dapr.ext.workflow as wf

wfr = wf.WorkflowRuntime()


@wfr.workflow(name="status_wf")
def status_wf(ctx: wf.DaprWorkflowContext, _: object):
    ctx.set_custom_status("plain text, é")
    yield ctx.wait_for_external_event("next")
    ctx.set_custom_status({"step": 2, "ok": True})  # deprecated by the SDK, still sent
    yield ctx.wait_for_external_event("next")
    ctx.set_custom_status('"quoted"')  # a str is sent as it is, JSON or not
    return "done"


def changed(client: wf.DaprWorkflowClient, iid: str, old: str | None) -> str | None:
    """The instance's custom status once it differs from ``old`` (polled, 120 s at most)."""
    deadline = time.monotonic() + 120
    while True:
        st = client.get_workflow_state(iid)
        if st is not None and st.serialized_custom_status != old:
            return st.serialized_custom_status
        if time.monotonic() > deadline:
            raise TimeoutError(f"{iid}: the custom status stayed {old!r}")
        time.sleep(0.05)


def main(iid: str) -> int:
    wfr.start()
    client = wf.DaprWorkflowClient()
    client.schedule_new_workflow(status_wf, instance_id=iid)
    status = None
    for _ in range(2):
        status = changed(client, iid, status)
        print(f"CUSTOM {status}", flush=True)
        client.raise_workflow_event(iid, "next")
    st = client.wait_for_workflow_completion(iid, timeout_in_seconds=120)
    print(f"FINAL {st.runtime_status.name} {st.serialized_custom_status}", flush=True)
    wfr.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
