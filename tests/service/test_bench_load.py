"""The load benchmark's smoke run (benchmarks/bench_load.py): a few seconds of one device and one
browser against one worker, so that the benchmark keeps working as the service changes."""

from __future__ import annotations

import pytest

from benchmarks.bench_load import BATCH_KIND, measure

pytestmark = pytest.mark.timeout(180)


def test_a_short_load_run_stores_blocks_without_a_failed_request() -> None:
    rows = {row["name"].removeprefix("load: 1 worker: "): row for row in measure(1, 10, 1, 1)}

    [blocks] = [row for name, row in rows.items() if name.startswith("blocks stored")]
    assert blocks["value"] > 0
    assert rows["failed requests"]["value"] == 0
    measured = [name for name in rows if " p50 / p99 " in name]
    assert any(name.startswith(BATCH_KIND) for name in measured)
    assert any(name.startswith("GET timesheet") for name in measured), measured
    assert {"CPU of workers", "CPU of PostgreSQL", "CPU of nginx", "CPU of Locust"} <= set(rows)
