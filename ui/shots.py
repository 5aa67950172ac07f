"""What the app shows about a screenshot, read from the local database.

``tracker.diary.Diary`` has the edits (redact, delete) and the images; these few reads fill what
the main window and the review dialog need besides: when a screenshot was taken, and its block;
and how its image files are described wherever they are shown (their format and size).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from common.timeutil import SLOT, slot_start
from tracker.capture.imaging import FORMAT_NAMES, format_of
from tracker.diary import Diary, images_of
from tracker.logged import LIVE
from tracker.tables import blocks, contracts, screenshots


@dataclass(frozen=True)
class Image:
    monitor: int
    path: Path
    thumbnail_path: Path
    width: int
    height: int
    size_bytes: int


@dataclass(frozen=True)
class ShotFacts:
    id: str
    block_id: str
    taken_at: datetime
    redacted: bool
    block_start: datetime
    block_end: datetime
    block_open: bool  # the block is being tracked: the Work Diary's rules refuse edits until it ends
    block_seconds: int
    contract_title: str
    capture_note: str
    images: tuple[Image, ...]

    @property
    def slot_end(self) -> datetime:
        """When an open block ends at the latest (its slot's end)."""
        return slot_start(self.block_start) + SLOT

    def hold_until(self, hold_minutes: int) -> datetime:
        return self.taken_at + timedelta(minutes=hold_minutes)

    def files_text(self) -> str:
        """The images' format and total size: "WebP, 98 KB"."""
        if not self.images:
            return "no image"
        formats = dict.fromkeys(format_name(image.path) for image in self.images)
        return f"{' and '.join(formats)}, {kilobytes(sum(image.size_bytes for image in self.images))}"


def format_name(path: Path | str) -> str:
    """A screenshot file's format as the user knows it: "WebP", "JPEG"."""
    try:
        return FORMAT_NAMES[format_of(Path(path))]
    except ValueError:
        return Path(path).suffix.lstrip(".").upper() or "unknown format"


def kilobytes(size_bytes: int) -> str:
    return f"{max(1, round(size_bytes / 1024))} KB"


def image_details(image) -> str:
    """One monitor's image of a screenshot (an ``Image`` or a ``ScreenshotImage``) as the user
    sees it described: "1920×1080 · WebP, 98 KB"."""
    return f"{image.width}×{image.height} · {format_name(image.path)}, {kilobytes(image.size_bytes)}"


def screenshot_facts(diary: Diary, screenshot_id: str) -> ShotFacts | None:
    """The screenshot, or None when it does not exist (any more)."""
    data_dir = diary.db.data_dir
    query = (
        select(
            screenshots.c.block_id,
            screenshots.c.taken_at,
            screenshots.c.redacted,
            blocks.c.start,
            blocks.c.end,
            blocks.c.is_open,
            blocks.c.capture_note,
            contracts.c.title,
        )
        .join(blocks, blocks.c.id == screenshots.c.block_id)
        .join(contracts, contracts.c.id == blocks.c.contract_id)
        .where(screenshots.c.id == screenshot_id, screenshots.c.deleted.is_(False), LIVE)
    )
    with diary.db.engine.connect() as connection:
        shot = connection.execute(query).first()
        if shot is None:
            return None
        images = images_of(connection, screenshot_id)
    return ShotFacts(
        id=screenshot_id,
        block_id=shot.block_id,
        taken_at=shot.taken_at,
        redacted=shot.redacted,
        block_start=shot.start,
        block_end=shot.end,
        block_open=shot.is_open,
        block_seconds=int((shot.end - shot.start).total_seconds()),
        contract_title=shot.title,
        capture_note=shot.capture_note,
        images=tuple(
            Image(i.monitor, data_dir / i.path, data_dir / i.thumbnail_path, i.width, i.height, i.size_bytes)
            for i in images
        ),
    )


def latest_screenshot_id(diary: Diary, since: datetime) -> str | None:
    """The newest live screenshot taken since ``since`` (the main window shows it at start-up)."""
    query = (
        select(screenshots.c.id)
        .where(screenshots.c.taken_at >= since, screenshots.c.deleted.is_(False))
        .order_by(screenshots.c.taken_at.desc())
        .limit(1)
    )
    with diary.db.engine.connect() as connection:
        return connection.scalar(query)


def latest_contract_id(diary: Diary, since: datetime) -> str | None:
    """The contract of the newest block since ``since``: the one the user most likely works on."""
    query = (
        select(blocks.c.contract_id)
        .where(blocks.c.start >= since, blocks.c.deleted.is_(False))
        .order_by(blocks.c.start.desc())
        .limit(1)
    )
    with diary.db.engine.connect() as connection:
        return connection.scalar(query)
