"""The demo data's work from "another computer": what the app shows beside its own time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from common.timeutil import WEEK, week_start
from service.demo import laptop_blocks

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday afternoon


def test_the_laptop_logged_weekday_afternoons_of_the_last_two_weeks_until_an_hour_ago():
    afternoons = laptop_blocks("c2", "u1", "Regression pass, release 2.4", NOW)
    blocks = sorted(afternoons, key=lambda block: block.start)
    assert {block.device_id for block in blocks} == {"demo-laptop"}
    assert all(
        week_start(NOW) - WEEK <= block.start and block.end <= NOW - timedelta(hours=1) for block in blocks
    )
    assert all(first.end <= second.start for first, second in pairwise(blocks))  # never overlapping
    assert {b.start.hour for b in afternoons} <= {13, 14, 15}
    assert {block.start.date().weekday() for block in blocks} == {0, 1, 2, 3, 4}
    assert max(block.start for block in afternoons).date() == NOW.date()
    assert (
        laptop_blocks("c2", "u1", "Regression pass, release 2.4", NOW)[0].id == afternoons[0].id
    )  # the same
