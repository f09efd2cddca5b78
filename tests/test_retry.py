"""wfctl.retry: the one back-off policy every retry loop takes its pauses from."""

from __future__ import annotations

import time

import pytest

from wfctl import retry
from wfctl.retry import Backoff


def test_pauses_double_from_first_up_to_the_cap() -> None:
    b = Backoff(0.1, 2.0)
    assert [b.delay(n) for n in range(7)] == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0])
    assert b.delay(10**9) == 2.0  # no overflow however long it has been failing


def test_attempts_bound_the_retries() -> None:
    b = Backoff(0.1, 1.0, attempts=2)
    assert [b.allows(n) for n in range(4)] == [True, True, False, False]
    assert Backoff(0.1, 1.0).allows(10**6)


@pytest.mark.parametrize(("first", "cap", "factor"), [(-1, 1, 2), (2, 1, 2), (0.1, 1, 0.5)])
def test_a_policy_that_makes_no_sense_is_refused(first, cap, factor) -> None:
    with pytest.raises(ValueError):
        Backoff(first, cap, factor=factor)


def test_a_waits_polls_start_at_50ms_and_end_at_its_interval() -> None:
    assert [retry.polls(1.0).delay(n) for n in range(6)] == pytest.approx(
        [0.05, 0.1, 0.2, 0.4, 0.8, 1.0]
    )
    assert retry.polls(0.01).delay(3) == 0.01  # an interval under 50 ms: every poll


def test_the_policies_wfctl_uses() -> None:
    assert (retry.REQUEST.first, retry.REQUEST.cap, retry.REQUEST.attempts) == (0.1, 2.0, 3)
    assert retry.COMMIT.delay(0) == 0.05 and retry.COMMIT.delay(100) == 5.0
    assert retry.OUTAGE.delay(5) == 0.2


def test_time_left_before_a_deadline_is_never_negative() -> None:
    assert retry.left(None) is None
    assert retry.left(time.monotonic() - 5) == 0.0
    retry.pause(3600, deadline=time.monotonic() - 1)  # a passed deadline: no sleep at all
