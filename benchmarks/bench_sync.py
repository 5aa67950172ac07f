"""Sync throughput: a heavy offline week sent to a loopback service, and the service's ingest rate.

A week of 420 closed blocks, each with a screenshot (a ~90 KB image and a ~6 KB thumbnail, as the
screenshot benchmark measures them), waits in a fresh local database; one sync pass sends it all to
the contract service on a loopback port (SQLite, and PostgreSQL where installed). The service runs
in this process on a thread; the app's side runs in a child process, so the two do not share a GIL,
as they never do for real. Both sides' clocks stand at the end of that week, inside its editable
window. The ingest rate is the service's answered block PUTs per second from one client.

    python -m benchmarks --only sync
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from sqlalchemy import insert

from common.timeutil import SLOT, WEEK, week_start
from common.wire import bearer
from service.local import running_service
from service.postgres_cluster import postgres_cluster, server_binaries
from tracker.demo.images import jpeg
from tracker.simulation import SimulatedClock
from tracker.storage import Database
from tracker.tables import activity_columns, blocks, contracts, screenshot_images, screenshots

BLOCKS = 420  # 6 days × 70 blocks: a heavy week
IMAGE_BYTES, THUMBNAIL_BYTES = 90_000, 6_000
INGEST_BLOCKS = 500
SYNC_BAR_S = 10.0
FREELANCER, CLIENT = "bench@example.test", "client@example.test"
# The end of a past work week: Sunday 23:00 UTC, inside that week's editable window.
NOW = week_start(datetime(2026, 11, 23, tzinfo=UTC)) + WEEK - timedelta(hours=1)


def offline_week(data_dir: Path, contract_id: str) -> None:
    """The local database with BLOCKS closed, pending blocks and their screenshots."""
    rng = random.Random(420)
    database = Database(data_dir)
    device = database.device_id()
    monday = week_start(NOW)
    starts = [monday + timedelta(days=day, hours=8) + n * SLOT for day in range(6) for n in range(70)]
    shots_dir = data_dir / "screenshots"
    shots_dir.mkdir(exist_ok=True)
    block_rows, shot_rows, image_rows = [], [], []
    for index, start in enumerate(starts[:BLOCKS]):
        block_id, shot_id = str(uuid.uuid4()), str(uuid.uuid4())
        end = start + SLOT
        activity = [
            [minute, rng.randrange(200), rng.randrange(400), rng.randrange(61)] for minute in range(10)
        ]
        block_rows.append(
            {
                "id": block_id,
                "contract_id": contract_id,
                "device_id": device,
                "start": start,
                "end": end,
                **activity_columns(activity),
                "memo": "Checkout flow",
                "updated_at": end,
            }
        )
        # real JPEGs (the service checks their framing), padded to a screenshot's size
        image, thumbnail = jpeg(2 * len(starts) + index, IMAGE_BYTES), jpeg(index, THUMBNAIL_BYTES)
        (shots_dir / f"{block_id}.jpg").write_bytes(image)
        (shots_dir / f"{block_id}.thumb.jpg").write_bytes(thumbnail)
        shot_rows.append({"id": shot_id, "block_id": block_id, "taken_at": start + timedelta(minutes=4)})
        image_rows.append(
            {
                "screenshot_id": shot_id,
                "monitor": 1,
                "path": f"screenshots/{block_id}.jpg",
                "thumbnail_path": f"screenshots/{block_id}.thumb.jpg",
                "sha256": hashlib.sha256(image).hexdigest(),
                "size_bytes": len(image),
                "width": 1920,
                "height": 1080,
            }
        )
    with database.transaction() as connection:
        connection.execute(
            insert(contracts).values(
                id=contract_id, title="Bench", origin="service", started_at=monday - WEEK
            )
        )
        connection.execute(insert(blocks), block_rows)
        connection.execute(insert(screenshots), shot_rows)
        connection.execute(insert(screenshot_images), image_rows)
    database.close()


def sync_in_child(data_dir: Path, url: str, token: str) -> dict:
    """One pass in a child process (``--child``): its seconds and report."""
    command = [sys.executable, "-m", "benchmarks.bench_sync", "--child", str(data_dir), url]
    answer = subprocess.run(
        command, env=os.environ | {"WORKDIARY_TOKEN": token}, capture_output=True, text=True, check=True
    )
    return json.loads(answer.stdout)


def child(data_dir: str, url: str) -> None:
    from sync.client import ServiceClient
    from sync.worker import Syncer

    database = Database(Path(data_dir))
    client = ServiceClient(url, os.environ["WORKDIARY_TOKEN"])
    started = time.perf_counter()
    report = Syncer(database, client, SimulatedClock(NOW), timedelta(minutes=10)).run_once()
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "blocks": report.sent_blocks,
                "screenshots": report.sent_screenshots,
                "error": report.error,
                "rejected": len(report.rejected),
            }
        )
    )


def ingest_rate(api: str, token: str, contract_id: str) -> float:
    """Block PUTs per second, one client with keep-alive, each a new block of the week."""
    session = requests.Session()
    session.headers.update(bearer(token))
    monday = week_start(NOW)
    device_id = str(uuid.uuid4())
    started = time.perf_counter()
    for n in range(INGEST_BLOCKS):
        start = monday + timedelta(days=6, hours=0) + n * timedelta(seconds=60)
        body = {
            "contract_id": contract_id,
            "device_id": device_id,
            "start": f"{start:%Y-%m-%dT%H:%M:%SZ}",
            "end": f"{start + timedelta(seconds=30):%Y-%m-%dT%H:%M:%SZ}",
            "activity": [[0, 5, 9, 30]],
            "memo": "ingest",
            "source": "tracked",
            "over_limit": False,
            "deleted": False,
            "updated_at": f"{start + timedelta(seconds=30):%Y-%m-%dT%H:%M:%SZ}",
        }
        session.put(f"{api}/blocks/{uuid.uuid4()}", json=body, timeout=30).raise_for_status()
    return INGEST_BLOCKS / (time.perf_counter() - started)


def measure(name: str, database_url: str | None, folder: Path) -> list[dict]:
    with running_service(folder / "service", SimulatedClock(NOW), database_url=database_url) as service:
        service.add_user(FREELANCER, "freelancer")
        service.add_user(CLIENT, "client")
        contract_id = service.add_contract("Bench", FREELANCER, CLIENT, started_at=NOW - 4 * WEEK)
        offline_week(folder / "app", contract_id)
        result = sync_in_child(folder / "app", service.url, service.sign_in(FREELANCER))
        stored = service.stored_blocks(contract_id)
        complete = (
            result["error"] is None
            and result["blocks"] == BLOCKS
            and result["screenshots"] == BLOCKS
            and len(stored) == BLOCKS
            and all(block.screenshot for block in stored)
        )
        rate = ingest_rate(service.api, service.sign_in(FREELANCER), contract_id)
    megabytes = BLOCKS * (IMAGE_BYTES + THUMBNAIL_BYTES) / 1e6
    return [
        {
            "name": f"sync a heavy offline week ({BLOCKS} blocks + screenshots, {megabytes:.0f} MB), {name}",
            "value": result["seconds"],
            "unit": "s",
            "bar": SYNC_BAR_S,
            "ok": complete and result["seconds"] <= SYNC_BAR_S,
        },
        {
            "name": f"service ingest, block PUTs from one client, {name}",
            "value": rate,
            "unit": "blocks/s",
            "bar": None,
            "ok": None,
        },
    ]


def run() -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as temporary, ExitStack() as stack:
        rows += measure("SQLite", None, Path(temporary) / "sqlite")
        if server_binaries() is not None:
            cluster = stack.enter_context(postgres_cluster())
            rows += measure("PostgreSQL", cluster.create_database(), Path(temporary) / "postgres")
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:4])
    else:
        for row in run():
            print(row)
