"""Exponential backoff with full jitter, from 5 s doubling to 15 min."""

from __future__ import annotations

import random

from sync.worker import Backoff


def test_waits_are_jittered_below_a_ceiling_that_doubles_up_to_the_cap():
    backoff = Backoff(random.Random(3))

    waits = [backoff.failed() for _ in range(12)]

    ceilings = [5, 10, 20, 40, 80, 160, 320, 640, 900, 900, 900, 900]
    assert all(0 <= wait <= ceiling for wait, ceiling in zip(waits, ceilings, strict=True))
    assert len(set(waits)) == len(waits)  # jittered: apps coming back online do not ask together


def test_full_jitter_spreads_over_the_whole_range():
    waits = []
    for seed in range(200):
        backoff = Backoff(random.Random(seed))
        for _ in range(3):
            backoff.failed()
        waits.append(backoff.failed())  # the 4th failure in a row: up to 40 s

    assert max(waits) <= 40 and min(waits) < 4 and max(waits) > 36


def test_a_success_starts_again_from_the_first_delay():
    backoff = Backoff(random.Random(1))
    for _ in range(10):
        backoff.failed()

    backoff.succeeded()

    assert backoff.failed() <= 5
