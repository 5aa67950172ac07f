"""A sync pass: pull the contracts, push blocks, push screenshots, pull the other devices' blocks,
then the workrooms: push what was written in them, pull their news (``sync.workroom``).

``Syncer.run_once`` never raises for a network, service or disk problem: its report says what was
done and why it stopped. The caller waits ``Backoff.failed()`` seconds after a report with an error.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from common.errors import WorkdiaryError
from common.states import SyncState
from common.timeutil import WEEK, Clock, week_start
from common.wire import MAX_UPLOAD_IMAGES, wire_time
from sync import inbox, outbox
from sync.client import ServiceClient
from sync.errors import Refused, SignedOut
from sync.outbox import OutgoingBlock, OutgoingScreenshot
from sync.workroom import WorkroomSync
from tracker.storage import Database

log = logging.getLogger(__name__)

PAGE = 100  # rows peeked, and sent in one request, at a time (the service takes up to MAX_BATCH)
UPLOADS = 2  # upload requests at once
# Images in one upload request, and about their bytes (the service takes up to MAX_UPLOAD_BYTES).
UPLOAD_IMAGES, UPLOAD_BYTES = MAX_UPLOAD_IMAGES, 8 * 1024 * 1024
Image = tuple[str, bytes, str]  # SHA-256, bytes, content type: as ServiceClient.put_blobs takes them
CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}


@dataclass
class SyncReport:
    sent_blocks: int = 0
    sent_screenshots: int = 0
    sent_workroom_writes: int = 0
    rejected: list[str] = field(default_factory=list)  # "what: the service's reason", one per item
    changed_contracts: int = 0  # pulled and new or changed here
    changed_blocks: int = 0  # of other devices, pulled and new or changed here
    error: str | None = None  # why the pass stopped early; None when it went through
    signed_out: bool = False


class Backoff:
    """Exponential backoff with full jitter: after the n-th failure in a row, a random wait
    between 0 and min(cap, first × 2ⁿ⁻¹), so that many apps coming back online do not all ask at
    once."""

    def __init__(
        self,
        rng: random.Random | None = None,
        first: timedelta = timedelta(seconds=5),
        cap: timedelta = timedelta(minutes=15),
    ) -> None:
        self.rng = rng or random.Random()
        self.first = first.total_seconds()
        self.cap = cap.total_seconds()
        self.failures = 0

    def failed(self) -> float:
        """Seconds to wait before the next attempt."""
        ceiling = min(self.cap, self.first * 2 ** min(self.failures, 32))
        self.failures += 1
        return self.rng.uniform(0, ceiling)

    def succeeded(self) -> None:
        self.failures = 0


class Syncer:
    def __init__(self, database: Database, client: ServiceClient, clock: Clock, hold: timedelta) -> None:
        self.db = database
        self.client = client
        self.clock = clock
        self.hold = hold

    def run_once(self) -> SyncReport:
        report = SyncReport()
        try:
            contracts = self._pull_contracts(report)
            self._push_blocks(report)
            self._push_screenshots(report)
            self._pull_blocks(contracts, report)
            self._sync_workrooms(contracts, report)
        except WorkdiaryError as problem:  # unreachable, signed out, or the local disk failing
            log.info("sync pass stopped: %s", problem)
            report.error = str(problem)
            report.signed_out = isinstance(problem, SignedOut)
        return report

    def _pull_contracts(self, report: SyncReport) -> list[str]:
        listed = self.client.contracts()
        with self.client.reading("the contracts"):
            mine = inbox.freelance_contracts(listed)
            report.changed_contracts = inbox.store_contracts(self.db, mine)
            inbox.store_offers(self.db, listed)
        return [contract["id"] for contract in mine]

    def _push_blocks(self, report: SyncReport) -> None:
        last = None
        while page := outbox.peek_blocks(self.db, PAGE, after=last):
            answers = self.client.put_blocks([block.body for block in page])
            for block, answer in zip(page, answers, strict=True):
                self._settle_block(block, answer, report)
            last = page[-1]

    def _settle_block(self, block: OutgoingBlock, answer: dict | Refused, report: SyncReport) -> None:
        if isinstance(answer, Refused):
            if outbox.reject_block(self.db, block, str(answer)):
                report.rejected.append(f"the block of {wire_time(block.start)}: {answer}")
            return
        with self.client.reading("a block"):
            state = outbox.acknowledge_block(self.db, block, answer)
        if state == SyncState.SYNCED:
            report.sent_blocks += 1
        elif state == SyncState.REJECTED:
            report.rejected.append(f"the block of {wire_time(block.start)}: {outbox.CHANGED_ELSEWHERE}")

    def _push_screenshots(self, report: SyncReport) -> None:
        outbox.settle_deleted_screenshots(self.db)
        now, last = self.clock.now(), None
        with ThreadPoolExecutor(UPLOADS, thread_name_prefix="upload") as uploads:
            while page := outbox.peek_screenshots(self.db, now, self.hold, PAGE, after=last):
                self._push_screenshot_page(page, uploads, report)
                last = page[-1]

    def _push_screenshot_page(
        self, page: list[OutgoingScreenshot], uploads: ThreadPoolExecutor, report: SyncReport
    ) -> None:
        sendable = []
        for shot, item in zip(page, self._upload_images(page, uploads), strict=True):
            if isinstance(item, dict):
                sendable.append((shot, item))
            else:
                self._set_aside(shot, item, report)
        if not sendable:
            return
        answers = self.client.put_screenshots([item for _, item in sendable])
        for (shot, _), answer in zip(sendable, answers, strict=True):
            if isinstance(answer, Refused):
                self._set_aside(shot, answer, report)
            elif outbox.acknowledge_screenshot(self.db, shot):
                report.sent_screenshots += 1

    def _upload_images(
        self, page: list[OutgoingScreenshot], uploads: ThreadPoolExecutor
    ) -> list[dict | Refused | _Unreadable]:
        """Upload the page's images, a few screenshots' in each request, UPLOADS requests at a time:
        per screenshot, its item for PUT /screenshots or why it is set aside. A failure that ends the
        pass (unreachable, signed out) is raised once the requests in flight are done; the requests
        not begun by then are not begun."""
        failures: list[Exception] = []

        def upload(group: list[OutgoingScreenshot]) -> list[dict | Refused | _Unreadable]:
            if not failures:
                try:
                    return self._upload_group(group)
                except Exception as failure:
                    failures.append(failure)
            return []  # the pass ends with the first failure: nothing of this group is used

        items = [item for group in uploads.map(upload, _upload_groups(page)) for item in group]
        if failures:
            raise failures[0]
        return items

    def _upload_group(self, group: list[OutgoingScreenshot]) -> list[dict | Refused | _Unreadable]:
        prepared = [_prepared(shot) for shot in group]
        readable = [shot for shot in prepared if isinstance(shot, _Prepared)]
        images = {image[0]: image for shot in readable for image in shot.images}
        try:
            answers = self.client.put_blobs(list(images.values())) if images else []
        except Refused as refusal:  # the whole request (too large, most likely)
            answers = [refusal] * len(images)
        refusals = {sha256: answer for sha256, answer in zip(images, answers, strict=True) if answer}
        return [
            next((refusals[sha256] for sha256, _, _ in shot.images if sha256 in refusals), shot.item)
            if isinstance(shot, _Prepared)
            else shot
            for shot in prepared
        ]

    def _set_aside(
        self, shot: OutgoingScreenshot, refusal: Refused | _Unreadable, report: SyncReport
    ) -> None:
        if outbox.reject_screenshot(self.db, shot, str(refusal)):
            report.rejected.append(f"the screenshot of {wire_time(shot.taken_at)}: {refusal}")

    def _pull_blocks(self, contract_ids: list[str], report: SyncReport) -> None:
        this_week = week_start(self.clock.now())
        device_id = self.db.device_id()
        for contract_id in contract_ids:
            for week in (this_week - WEEK, this_week):
                blocks = self.client.blocks(contract_id, week.date())
                with self.client.reading("the blocks"):
                    report.changed_blocks += inbox.store_other_devices_blocks(self.db, device_id, blocks)

    def _sync_workrooms(self, contract_ids: list[str], report: SyncReport) -> None:
        sent, refused = WorkroomSync(self.db, self.client, self.clock).run(contract_ids)
        report.sent_workroom_writes = sent
        report.rejected += refused


def _upload_groups(page: list[OutgoingScreenshot]) -> Iterator[list[OutgoingScreenshot]]:
    """The page's screenshots a request's worth at a time: up to UPLOAD_IMAGES images and, by the
    sizes of their files, UPLOAD_BYTES (or one screenshot alone, whatever its size)."""
    group: list[OutgoingScreenshot] = []
    count = size = 0
    for shot in page:
        paths = [path for image in shot.images for path in (image.path, image.thumbnail_path)]
        shot_size = sum(_file_size(path) for path in paths)
        if group and (count + len(paths) > UPLOAD_IMAGES or size + shot_size > UPLOAD_BYTES):
            yield group
            group, count, size = [], 0, 0
        group.append(shot)
        count += len(paths)
        size += shot_size
    if group:
        yield group


def _prepared(shot: OutgoingScreenshot) -> _Prepared | _Unreadable:
    images, item_images = [], []
    try:
        for image in shot.images:
            picture = _read_image(image.path, expected=image.sha256)
            thumbnail = _read_image(image.thumbnail_path)
            images += [picture, thumbnail]
            item_images.append(
                {
                    "monitor": image.monitor,
                    "sha256": picture[0],
                    "thumbnail_sha256": thumbnail[0],
                    "width": image.width,
                    "height": image.height,
                }
            )
    except _Unreadable as problem:
        return problem
    item = {
        "block_id": shot.block_id,
        "id": shot.id,
        "taken_at": wire_time(shot.taken_at),
        "redacted": shot.redacted,
        "images": item_images,
    }
    return _Prepared(item, images)


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # its screenshot is set aside once the file is read


def _read_image(path: Path, expected: str | None = None) -> Image:
    """An image file to upload; ``expected`` is the SHA-256 its row holds."""
    content_type = CONTENT_TYPES.get(path.suffix.lower())
    if content_type is None:
        raise _Unreadable(f"Its image file {path} is neither JPEG nor WebP.")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _Unreadable(f"Its image file {path} cannot be read ({error.strerror}).") from error
    sha256 = hashlib.sha256(data).hexdigest()
    if expected is not None and sha256 != expected:  # damaged, or being redacted (which re-pends it)
        raise _Unreadable(f"Its image file {path} is not the screenshot that was taken.")
    return sha256, data, content_type


@dataclass(frozen=True)
class _Prepared:
    item: dict  # for PUT /screenshots
    images: list[Image]


class _Unreadable(Exception):
    """A screenshot's file is missing or changed on disk: it is set aside like a refusal."""
