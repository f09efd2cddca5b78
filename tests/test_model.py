from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wfctl.durations import format_duration, parse_duration
from wfctl.ids import check_instance_id, check_new_instance_id, is_valid_new_instance_id
from wfctl.model import RuntimeStatus, UsageError, WorkflowState
from wfctl.wire import format_time, parse_time, state_from_dapr, state_to_dapr


def dapr_rule(s: str) -> bool:
    # The rule exactly as ../shared/API.md writes it.
    return 0 < len(s.encode()) <= 64 and all(c.isalpha() or c.isdecimal() or c in "-_" for c in s)


@given(st.text(max_size=80))
def test_new_id_rule_agrees_with_dapr(s: str) -> None:
    try:
        s.encode()
    except UnicodeEncodeError:
        return
    assert is_valid_new_instance_id(s) == dapr_rule(s)
    if dapr_rule(s):
        assert check_new_instance_id(s) == s
    else:
        with pytest.raises(UsageError):
            check_new_instance_id(s)


def test_new_id_error_names_char_and_position() -> None:
    with pytest.raises(UsageError, match=r"'\.' at position 4"):
        check_new_instance_id("abc.def")
    with pytest.raises(UsageError, match="65 bytes"):
        check_new_instance_id("a" * 65)
    assert check_new_instance_id("é" * 32) == "é" * 32
    with pytest.raises(UsageError, match="bytes"):
        check_new_instance_id("é" * 33)


def test_existing_id_rule() -> None:
    assert check_instance_id("parent:0001") == "parent:0001"
    for bad in ("", "a/b", "a\nb", "\x00"):
        with pytest.raises(UsageError):
            check_instance_id(bad)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("500ms", 0.5), ("90s", 90), ("5m", 300), ("1h30m", 5400), ("2d", 172800), ("1.5", 1.5)],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5x", "m5", "-1", "1h 30m", "nan", "inf"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(UsageError):
        parse_duration(text)


def test_format_duration() -> None:
    assert format_duration(0.25) == "250ms"
    assert format_duration(3 * 60 + 4) == "3m4s"
    assert format_duration(2 * 86400 + 3600) == "2d1h"


def test_status_parse() -> None:
    assert RuntimeStatus.parse("CANCELLED") is RuntimeStatus.CANCELED
    assert RuntimeStatus.parse("ORCHESTRATION_STATUS_RUNNING") is RuntimeStatus.RUNNING
    assert RuntimeStatus.parse("WHATEVER") is RuntimeStatus.UNKNOWN
    assert RuntimeStatus.COMPLETED.is_terminal and not RuntimeStatus.SUSPENDED.is_terminal


def test_time_round_trip() -> None:
    dt = datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=timezone.utc)
    assert format_time(dt) == "2026-01-02T03:04:05.12Z"
    assert parse_time("2026-01-02T03:04:05.120000000Z") == dt
    assert parse_time("2026-01-02T05:04:05.12+02:00") == dt
    assert parse_time("0001-01-01T00:00:00Z") is None


def test_state_round_trip_and_order() -> None:
    body = {
        "instanceID": "x",
        "workflowName": "wf",
        "createdAt": "2026-01-02T03:04:05Z",
        "lastUpdatedAt": "2026-01-02T03:04:06Z",
        "runtimeStatus": "COMPLETED",
        "properties": {
            "dapr.workflow.input": '"hi"',
            "dapr.workflow.output": '"done"',
            "other": "kept",
        },
    }
    state = state_from_dapr(body)
    assert isinstance(state, WorkflowState)
    assert state.serialized_output == '"done"'
    again = state_to_dapr(state)
    assert list(again) == list(body)
    assert again == body
    assert list(again["properties"]) == sorted(again["properties"])


def test_pending_state_tolerated() -> None:
    state = state_from_dapr({"instanceID": "x", "createdAt": "0001-01-01T00:00:00Z"})
    assert state.runtime_status is RuntimeStatus.UNKNOWN
    assert state.created_at is None
