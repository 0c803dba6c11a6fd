"""The watchdog that enforces the time limit: the deadline is the clock's, not its thread's."""

from __future__ import annotations

import time

from db.guard import Watchdog


def test_a_query_returning_after_its_deadline_counts_as_stopped_by_the_time_limit():
    """A server may stop a query at its own limit without an error (MariaDB's sleep() returns 1,
    benchmark() returns 0), and a busy machine may run the watchdog's thread late: the caller asks
    the clock, and a query that returned after its deadline is the time limit all the same."""
    cancels: list[float] = []
    with Watchdog(lambda: cancels.append(time.monotonic()), 0.2) as watchdog:
        assert not watchdog.overdue() and watchdog.reason is None
        watchdog.deadline = time.monotonic() - 0.001  # the query returned just after its deadline
        assert watchdog.overdue() and watchdog.reason == "timeout"
        time.sleep(0.5)  # the thread's own deadline passes too: the query has returned, nothing to cancel
    assert cancels == []


def test_the_thread_still_cancels_a_query_running_past_its_deadline():
    cancels: list[float] = []
    start = time.monotonic()
    with Watchdog(lambda: cancels.append(time.monotonic()), 0.1) as watchdog:
        while not cancels and time.monotonic() - start < 5:
            time.sleep(0.01)
        assert watchdog.reason == "timeout" and watchdog.overdue()
    assert len(cancels) == 1 and cancels[0] - start >= 0.1


def test_no_time_limit_is_never_overdue():
    with Watchdog(lambda: None, None) as watchdog:
        assert watchdog.deadline is None and not watchdog.overdue()
