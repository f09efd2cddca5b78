"""The Dapr Python SDK's single-process workflow examples, as apps of our own in the same
style (tests/compat/apps), run unchanged with ``wfctl --embedded exec`` in a subprocess:
each must print what the SDK's README says its example prints against a sidecar."""

from __future__ import annotations

import re
from collections import Counter

from tests.compat.support import first_only, run_exec

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def _pop_started(lines: list[str], prefix: str = "Started ") -> str:
    starts = [ln for ln in lines if ln.startswith(prefix)]
    assert len(starts) == 1, lines
    lines.remove(starts[0])
    return starts[0][len(prefix) :]


def test_task_chaining_prints_each_step_then_the_status_enum(db):
    run = run_exec("chain_app.py", db).ok()
    lines = list(run.lines)
    assert HEX32.match(_pop_started(lines))  # a generated ID is uuid4().hex
    assert lines == [
        "Tax step got 7.",
        "Shipping step got 17.",
        "Rounding step got 51.",
        "Done! Status: WorkflowStatus.COMPLETED",
        "Output: [17, 51, 51]",
    ]


def test_task_chaining_failure_runs_the_handler_and_fails_the_run(db):
    run = run_exec("chain_app.py", db, "--no-shipping").ok()
    lines = list(run.lines)
    iid = _pop_started(lines)
    failed = f"{iid}: Activity task #2 failed: no carrier today"  # the SDK's wording
    assert lines == [
        "Tax step got 7.",
        "Shipping step got 17.",
        f"Problem: {failed}.",
        "Done! Status: WorkflowStatus.FAILED",
        f"Failure: TaskFailedError: {failed}",
    ]


def test_fan_out_fan_in_runs_every_item_and_sums_after_all(db):
    run = run_exec("fanout_app.py", db, "6").ok()
    lines = list(run.lines)
    _pop_started(lines)
    assert lines[-1] == "Total: 91."
    expected = [f"Squaring {i}." for i in range(1, 7)]
    expected += [f"Item {i} squared: {i * i}." for i in range(1, 7)]
    assert Counter(lines[:-1]) == Counter(expected)
    # fan-out means every item started before the first one finished (0.2 s each)
    first_done = next(i for i, ln in enumerate(lines) if ln.startswith("Item "))
    assert first_done >= 2, lines


def test_child_workflows_with_given_and_derived_ids(db):
    run = run_exec("child_app.py", db).ok()
    assert first_only(run.lines, "parent:") == [
        "parent: calling fam-kid",
        "kid: fam-kid running with None",
        "parent: child answered kid-of-fam",
        # without instance_id the child is "<parent>:<task id, 4 hex digits>"
        "kid: fam:0002 running with auto",
        "parent: second child answered kid-of-fam",
        "parent status: COMPLETED",
        'fam-kid: COMPLETED "kid-of-fam"',
        'fam:0002: COMPLETED "kid-of-fam"',
    ]


def test_without_the_replay_cache_unguarded_prints_repeat_as_under_a_sidecar(db):
    # The SDK replays the workflow from the start on every step; WFCTL_REPLAY_CACHE=0 does
    # too, so prints not guarded by is_replaying come out exactly as a sidecar prints them.
    run = run_exec("child_app.py", db, env={"WFCTL_REPLAY_CACHE": "0"}).ok()
    assert run.lines == [
        "parent: calling fam-kid",
        "kid: fam-kid running with None",
        "parent: calling fam-kid",
        "parent: child answered kid-of-fam",
        "kid: fam:0002 running with auto",
        "parent: calling fam-kid",
        "parent: child answered kid-of-fam",
        "parent: second child answered kid-of-fam",
        "parent status: COMPLETED",
        'fam-kid: COMPLETED "kid-of-fam"',
        'fam:0002: COMPLETED "kid-of-fam"',
    ]


def test_simple_example_retries_pause_resume_event_and_purge(db):
    run = run_exec("lifecycle_app.py", db).ok()
    assert first_only(run.lines, "Counting!") == [
        "Counting!",
        "Tally is now 2.",
        "Tally is now 22.",
        "Flaky call 1 fails.",
        "Flaky call 2 works.",
        # the child is retried as a whole (same ID, new run: is_replaying is False again),
        # and the activity inside it is retried on its own
        "Kid run 1.",
        "Kid step writes x.",
        "Kid step writes x.",
        "Kid run 2.",
        "Kid step writes y.",
        "Kid step writes y.",
        "Kid run 3.",
        "Kid step writes z.",
        "Kid step writes z.",
        "After pause: SUSPENDED",
        "After resume: RUNNING",
        "Tally is now 222.",
        "Tally is now 2222.",
        "Completed with Finished",
        "After purge: None",
    ]


def test_async_activities_with_pydantic_input_under_future_annotations(db):
    run = run_exec("async_app.py", db, env={"COMPAT_WIDTH": "5", "COMPAT_DELAY": "0.2"}).ok()
    lines = list(run.lines)
    _pop_started(lines)
    jobs = [f"[async] job {i}: item{i} -> ITEM{i}" for i in range(5)]
    assert Counter(lines[:5]) == Counter(jobs)
    summary = "5 results: ITEM0,ITEM1,ITEM2,ITEM3,ITEM4"  # when_all keeps input order
    assert lines[5:] == [f"[sync] {summary}", "Status: COMPLETED", f"Result: {summary}"]


def test_monitor_continues_as_new_with_a_mutated_dataclass(db):
    expected = [
        "Round 1: 'probe1' is up.",
        "Round 2: 'probe1' is up.",
        "Round 3: 'probe1' is down.",
        "Round 4: 'probe1' is down.",
        "Round 5: 'probe1' is up.",
        'Monitor: COMPLETED "stopped after 5 rounds"',
    ]
    # a second run finds the finished instance and starts it again under the same ID
    for _ in range(2):
        lines = list(run_exec("monitor_app.py", db, "3").ok().lines)
        assert _pop_started(lines) == "probe1"  # printed while round 1 may be running
        # scheduled without yield in round 3, it still runs (racing round 4's timer)
        alarm = lines.index("*** Alarm: 'probe1' went down")
        assert alarm > lines.index("Round 3: 'probe1' is down.")
        del lines[alarm]
        assert lines == expected


def test_human_approval_approved_through_dapr_client(db):
    run = run_exec("approval_app.py", db).ok()
    assert run.lines == [
        "*** Asking approval for: namespace(price=900, item='Desk', count=2)",
        "*** Ordering: namespace(price=900, item='Desk', count=2)",
        "Completed: \"Approved by 'Boss'\"",
    ]


def test_human_approval_expires_and_auto_approves(db):
    run = run_exec("approval_app.py", db, "--no-answer", "--timeout", "0.5").ok()
    assert run.lines == [
        "*** Asking approval for: namespace(price=900, item='Desk', count=2)",
        'Completed: "Expired"',
    ]
    assert run_exec("approval_app.py", db, "--price", "10").ok().lines == [
        'Completed: "Auto-approved"'
    ]


def test_pydantic_models_in_and_plain_json_out(db):
    run = run_exec("models_app.py", db).ok()
    assert run.lines == [
        "[workflow] Ticket T-7 from ops",
        "[activity] Ticket T-7 points=3.0",
        "[workflow] activity gave a dict: accepted=True",
        "[client] T-7 accepted=True note=small",
        '[client] raw {"ticket_id": "T-7", "accepted": true, "note": "small"}',
        "[client] after purge None",
    ]


def test_asyncio_client_from_dapr_ext_workflow_aio(db):
    run = run_exec("aio_client_app.py", db).ok()
    assert run.lines == [
        "Total is 1.",
        "Total is 3.",
        "adder-1 after pause: SUSPENDED",
        "adder-1 after resume: RUNNING",
        "Total is 23.",  # adder-2's event was raised first
        "Total is 33.",
        'adder-1: COMPLETED "total 33"',
        'adder-2: COMPLETED "total 23"',
        "Total is 33.",  # adder-3 added its 0
        "adder-3: timed out waiting",
        "adder-3: TERMINATED None",  # fetch_payloads=False leaves the input out
        "after purge: None",
    ]


def test_an_app_started_again_carries_on_where_it_stopped(db):
    assert run_exec("resume_app.py", db, "first").ok().lines == [
        "step 1 in the first run",
        "step 2 in the first run",
        "first run stops while it waits",
    ]
    assert run_exec("resume_app.py", db, "second").ok().lines == [
        "second run finds it RUNNING",
        "step 3 in the second run",  # steps 1 and 2 are not run again
        "step 4 in the second run",
        'COMPLETED ["1@first", "2@first", "event@second", "3@second", "4@second"]',
    ]
