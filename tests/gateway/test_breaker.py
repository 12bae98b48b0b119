"""The circuit breaker's states, on a clock the test moves."""

from __future__ import annotations

from motcua_gateway.breaker import CircuitBreaker, CircuitState


def state(breaker: CircuitBreaker) -> CircuitState:
    """Read afresh each time (mypy would otherwise narrow the property across calls)."""
    return breaker.state


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_it_opens_after_consecutive_failures_and_a_success_resets_the_count() -> None:
    breaker = CircuitBreaker(failure_threshold=3, reset_seconds=10, clock=Clock())
    for _ in range(2):
        breaker.record_failure()
    breaker.record_success()
    for _ in range(2):
        breaker.record_failure()
    assert state(breaker) is CircuitState.CLOSED
    breaker.record_failure()
    assert state(breaker) is CircuitState.OPEN
    assert not breaker.allow()
    assert breaker.retry_after() == 10


def test_half_open_lets_one_trial_through_which_closes_or_reopens_it() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, reset_seconds=10, clock=clock)
    breaker.record_failure()
    clock.now += 10
    assert state(breaker) is CircuitState.HALF_OPEN
    assert breaker.allow()
    assert not breaker.allow()  # only one trial at a time
    breaker.record_failure()
    assert state(breaker) is CircuitState.OPEN
    assert breaker.retry_after() == 10
    clock.now += 10
    assert breaker.allow()
    breaker.release()  # the trial's caller went away: another may try
    assert breaker.allow()
    breaker.record_success()
    assert state(breaker) is CircuitState.CLOSED
    assert breaker.allow()
    assert breaker.allow()
