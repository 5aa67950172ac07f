from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import Row, select

from sync.client import ServiceClient
from sync.outbox import summary
from sync.worker import Syncer
from tests.helpers.fakes import FakeCapturer
from tests.helpers.rows import read_rows
from tests.helpers.service import API, LocalService, bearer, running_service
from tracker.capture import Capture
from tracker.simulation import simulate
from tracker.storage import Database
from tracker.tables import blocks, contracts, screenshot_images, screenshots

HOLD = timedelta(minutes=10)
FREELANCER = "ann@example.test"
CLIENT = "bob@example.test"


class DistinctCapturer(FakeCapturer):
    """FakeCapturer's images, each made unique by its id in a JPEG comment segment (which decoders
    skip) right after the start of image, so that every screenshot has blobs of its own."""

    def capture(self, directory: Path, stem: str) -> Capture:
        capture = super().capture(directory, stem)
        comment = b"\xff\xfe" + (len(stem) + 2).to_bytes(2, "big") + stem.encode()
        images = []
        for image in capture.images:
            for path in (image.path, image.thumbnail_path):
                data = path.read_bytes()
                path.write_bytes(data[:2] + comment + data[2:])
            data = image.path.read_bytes()
            images.append(replace(image, sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data)))
        return replace(capture, images=images)


@pytest.fixture
def tracker(make_tracker):
    return make_tracker(capturer=DistinctCapturer())


@dataclass
class Account:
    service: LocalService
    contract_id: str
    token: str

    def client(self, base_url: str = "", **options) -> ServiceClient:
        return ServiceClient(base_url or self.service.url, self.token, **options)


def open_account(handle: LocalService) -> Account:
    """A freelancer with one contract on the service, signed in."""
    handle.add_user(FREELANCER, "freelancer")
    handle.add_user(CLIENT, "client")
    contract_id = handle.add_contract("Website rebuild", FREELANCER, CLIENT)
    return Account(handle, contract_id, handle.sign_in(FREELANCER))


@pytest.fixture
def account(tmp_path, clock, blob_settings) -> Iterator[Account]:
    """The real service (SQLite) on a loopback port, on the test's SimulatedClock, with an account."""
    with running_service(tmp_path / "service", clock, **blob_settings) as handle:
        yield open_account(handle)


@pytest.fixture
def syncer(database, account, clock) -> Syncer:
    """A syncer whose first pass has brought the service's contract in."""
    syncer = Syncer(database, account.client(), clock, HOLD)
    assert syncer.run_once().error is None
    return syncer


def track_days(
    tracker, clock, contract_id: str, days: int, minutes: int, memo: str = "Checkout page"
) -> None:
    """Track ``minutes`` a day from the clock's time of day on, for ``days`` days in a row."""
    for _ in range(days):
        tracker.start(contract_id, memo)
        simulate(tracker, clock, minutes * 60)
        tracker.stop()
        clock.advance(24 * 3600 - minutes * 60)


def sync_until_done(syncer: Syncer, passes: int = 10) -> None:
    """Pass until one goes through with nothing left to send."""
    for _ in range(passes):
        report = syncer.run_once()
        waiting = summary(syncer.db, syncer.clock.now(), syncer.hold)
        if report.error is None and not waiting.pending_blocks and not waiting.pending_screenshots:
            return
    raise AssertionError(f"still not done after {passes} passes: {report}, {waiting}")


def assert_service_holds_local(database: Database, account: Account) -> None:
    """The service holds exactly this device's blocks of the service's contracts (same ids, times,
    memos, capture notes, activity, tombstones), and their screenshots with images hash-equal to the
    local files."""
    services_blocks = select(blocks).join(contracts).where(contracts.c.origin == "service")
    local = {block.id: block for block in read_rows(database, services_blocks)}
    local_shots = {shot.block_id: shot for shot in shots_of(database)}
    stored = {block.id: block for block in account.service.stored_blocks()}
    assert sorted(stored) == sorted(local), "lost or duplicated blocks"
    for block_id, block in local.items():
        held = stored[block_id]
        assert (
            held.start,
            held.end,
            held.activity,
            held.memo,
            held.capture_note,
            held.deleted,
            held.source,
        ) == (
            block.start,
            block.end,
            block.activity,
            block.memo,
            block.capture_note,
            block.deleted,
            block.source,
        )
        assert block.sync_state == "synced", block_id
        shot = local_shots.get(block_id)
        if shot is None or shot.deleted:
            assert held.screenshot is None
            continue
        assert shot.sync_state == "synced"
        assert held.screenshot is not None and held.screenshot.id == shot.id
        assert held.screenshot.redacted == shot.redacted
        assert len(held.screenshot.images) == len(shot.images)
        for image, held_image in zip(shot.images, held.screenshot.images, strict=True):
            assert held_image.sha256 == image.sha256
            assert _service_blob_sha256(account, image.sha256) == _file_sha256(database, image.path)
            assert _service_blob_sha256(account, held_image.thumbnail_sha256) == _file_sha256(
                database, image.thumbnail_path
            )


def shots_of(database: Database) -> list[SimpleNamespace]:
    """The app's screenshots in the order taken, each with its images' rows (by monitor) as
    ``images``."""
    images: defaultdict[str, list[Row]] = defaultdict(list)
    for image in read_rows(database, select(screenshot_images).order_by(screenshot_images.c.monitor)):
        images[image.screenshot_id].append(image)
    shots = read_rows(database, select(screenshots).order_by(screenshots.c.taken_at))
    return [SimpleNamespace(**shot._mapping, images=images[shot.id]) for shot in shots]


def _file_sha256(database: Database, relative: str) -> str:
    return hashlib.sha256((database.data_dir / relative).read_bytes()).hexdigest()


def _service_blob_sha256(account: Account, sha256: str) -> str:
    answer = requests.get(
        f"{account.service.url}{API}/blobs/{sha256}", headers=bearer(account.token), timeout=10
    )
    answer.raise_for_status()
    return hashlib.sha256(answer.content).hexdigest()
