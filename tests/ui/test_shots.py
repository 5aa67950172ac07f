"""How a screenshot's files are described wherever the app shows one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ui.shots import Image, ShotFacts, format_name, image_details

TAKEN = datetime(2026, 11, 23, 9, 2, tzinfo=UTC)


def image(monitor: int, name: str, size_bytes: int) -> Image:
    return Image(
        monitor, Path("screenshots") / name, Path("screenshots") / f"thumb-{name}", 1920, 1080, size_bytes
    )


def facts(*images: Image) -> ShotFacts:
    return ShotFacts("s", "b", TAKEN, False, TAKEN, TAKEN, False, 600, "Website rebuild", "", images)


def test_the_format_is_named_as_users_know_it():
    assert [format_name(name) for name in ("a.webp", "a.jpg", "A.JPG", "a.png", "a")] == [
        "WebP",
        "JPEG",
        "JPEG",
        "PNG",
        "unknown format",
    ]


def test_an_image_is_described_by_its_size_format_and_bytes():
    assert image_details(image(1, "a.webp", 100_300)) == "1920×1080 · WebP, 98 KB"
    assert image_details(image(1, "a.jpg", 300)) == "1920×1080 · JPEG, 1 KB"


def test_a_screenshot_sums_its_monitors_and_names_each_format_once():
    assert facts(image(1, "a-m1.webp", 60_000), image(2, "a-m2.webp", 42_400)).files_text() == "WebP, 100 KB"
    assert (
        facts(image(1, "a-m1.webp", 1024), image(2, "a-m2.jpg", 1024)).files_text() == "WebP and JPEG, 2 KB"
    )
    assert facts().files_text() == "no image"
