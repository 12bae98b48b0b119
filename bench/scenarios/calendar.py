"""Due-date computations per second in process, against plain datetime arithmetic in the same run."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from bench.harness import Measurement, Table
from dossier_api.calendar.engine import Duration, DurationUnit, Pause, WorkingCalendar, default_rules

BATCH = 1000


def batched(label: str, operation: Callable[[int], object], operations: int, note: str = "") -> Measurement:
    """Run ``operation(i)`` in batches; each operation's latency is its batch's mean (timer cost excluded)."""
    for i in range(min(BATCH, operations)):
        operation(i)
    latencies: list[float] = []
    started = time.perf_counter()
    for first in range(0, operations, BATCH):
        size = min(BATCH, operations - first)
        t = time.perf_counter()
        for i in range(first, first + size):
            operation(i)
        latencies.extend([(time.perf_counter() - t) / size] * size)
    return Measurement(label, latencies, time.perf_counter() - started, note=note)


async def run(quick: bool) -> list[Table]:
    operations = 20_000 if quick else 300_000
    rng = random.Random(20250502)  # noqa: S311 - reproducible benchmark data, not secrets
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    received = [start + dt.timedelta(seconds=rng.randrange(2 * 365 * 86_400)) for _ in range(operations)]
    working_days = [rng.choice((1, 2, 3, 5, 7, 10, 15, 20, 30)) for _ in range(operations)]
    durations = [Duration(n, DurationUnit.WORKING_DAYS) for n in working_days]
    hour_durations = [Duration(rng.choice((4, 8, 16, 40)), DurationUnit.WORKING_HOURS) for _ in range(operations)]
    calendar_days = [dt.timedelta(days=n) for n in working_days]
    pauses = [
        (
            Pause(r + dt.timedelta(days=1), r + dt.timedelta(days=2)),
            Pause(r + dt.timedelta(days=4), r + dt.timedelta(days=6)),
        )
        for r in received
    ]
    calendar = WorkingCalendar(default_rules(range(2024, 2029)))
    days_off = calendar.rules.days_off

    def naive_loop(i: int) -> dt.date:
        # What a hand-written version does: walk day by day, asking the holiday set about each day.
        day, left = received[i].date(), working_days[i]
        while left:
            day += dt.timedelta(days=1)
            if day.weekday() < 5 and day not in days_off:
                left -= 1
        return day

    table = Table(
        "Due-date computations in process",
        f"One core, {operations} computations over receptions spread across 2025-2026, working-day durations of "
        f"1-30 days on the Vietnamese calendar (default periods). Batches of {BATCH}; latency is the batch mean.",
        baseline="datetime + timedelta (calendar days, no calendar)",
        target="over 100,000 due-date computations per second",
    )
    table.rows = [
        batched(
            "datetime + timedelta (calendar days, no calendar)",
            lambda i: received[i] + calendar_days[i],
            operations,
        ),
        batched(
            "WorkingCalendar.due_at, working days", lambda i: calendar.due_at(received[i], durations[i]), operations
        ),
        batched(
            "WorkingCalendar.due_at, working hours",
            lambda i: calendar.due_at(received[i], hour_durations[i]),
            operations,
        ),
        batched(
            "WorkingCalendar.due_at with 2 pauses",
            lambda i: calendar.due_at(received[i], durations[i], pauses[i]),
            operations,
        ),
        batched("WorkingCalendar.clock_start", lambda i: calendar.clock_start(received[i]), operations),
        batched(
            "day-by-day loop over a holiday set",
            naive_loop,
            operations // 5,
            note="date only, no hours: the home-made way",
        ),
    ]
    return [table]
