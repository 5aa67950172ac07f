"""Encoding, thumbnails, redaction, blank-grab detection and owner-only writes, on real QImages.

Most test images are built from raw BGRA bytes (no QGuiApplication, no fonts): "text" is rows of
glyph-sized dark runs on white, which compresses like real text. The legibility tests encode the
realistic 1920×1080 desktops of ``tracker.demo.screens``, drawn with real fonts.
"""

from __future__ import annotations

import math
import os
import random
import resource
import signal
import stat
import statistics
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from common.errors import StorageProblem
from tracker.capture import imaging
from tracker.demo import screens

WHITE, INK = b"\xff\xff\xff\xff", b"\x30\x30\x30\xff"
QUADRANTS = [(220, 30, 30), (30, 200, 30), (30, 30, 220), (230, 230, 40)]  # RGB: TL, TR, BL, BR


def text_like(width: int, height: int, seed: int = 1) -> bytes:
    """Lines of words: 7×10 px glyphs (random 1-bit shapes) in words of 2–9, on white."""
    rng = random.Random(seed)
    glyphs = [
        [b"".join(INK if rng.random() < 0.3 else WHITE for _ in range(7)) for _ in range(10)]
        for _ in range(40)
    ]
    space = [WHITE * 7] * 10
    blank = WHITE * width
    rows = []
    while len(rows) < height:
        line = []
        while len(line) * 8 < width:
            line += [rng.choice(glyphs) for _ in range(rng.randint(2, 9))] + [space]
        for y in range(10):
            rows.append(b"".join(glyph[y] + WHITE for glyph in line)[: width * 4])
        rows += [blank] * 12
    return b"".join(rows[:height])


def quadrants(width: int, height: int) -> bytes:
    def pixel(rgb):
        red, green, blue = rgb
        return bytes((blue, green, red, 255))

    top = pixel(QUADRANTS[0]) * (width // 2) + pixel(QUADRANTS[1]) * (width - width // 2)
    bottom = pixel(QUADRANTS[2]) * (width // 2) + pixel(QUADRANTS[3]) * (width - width // 2)
    return top * (height // 2) + bottom * (height - height // 2)


def rgb(image: QImage, x: int, y: int) -> tuple[int, int, int]:
    value = image.pixel(x, y)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF


def close(actual, expected, tolerance: int) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def edge_energy(image: QImage, left: int, top: int, width: int, height: int) -> float:
    """Mean brightness step between horizontal neighbours: high for text, ~0 for flat blocks."""
    total = 0
    for y in range(top, top + height, 3):
        previous = sum(rgb(image, left, y))
        for x in range(left + 1, left + width):
            current = sum(rgb(image, x, y))
            total += abs(current - previous)
            previous = current
    return total / ((height // 3) * (width - 1))


def mean_difference(a: QImage, b: QImage, left: int, top: int, width: int, height: int) -> float:
    total = count = 0
    for y in range(top, top + height, 4):
        for x in range(left, left + width, 4):
            total += sum(abs(p - q) for p, q in zip(rgb(a, x, y), rgb(b, x, y), strict=True))
            count += 1
    return total / count


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_encoded_image_decodes_to_the_same_size_and_colours(fmt):
    image = imaging.from_bgra(quadrants(640, 480), 640, 480)

    decoded = QImage.fromData(imaging.encode_screenshot(image, fmt))

    assert (decoded.width(), decoded.height()) == (640, 480)
    for (x, y), colour in zip([(160, 120), (480, 120), (160, 360), (480, 360)], QUADRANTS, strict=True):
        assert close(rgb(decoded, x, y), colour, 16)


def is_webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def test_dense_text_stays_legible_within_the_size_budget(qapp):
    """A documentation page at 13–14 px: JPEG at a quality that fits 100 KB blurs it to ~28 dB."""
    page = screens.documentation()

    encoded = imaging.encode_screenshot(page)

    assert is_webp(encoded)
    assert imaging.luma_psnr(page, QImage.fromData(encoded)) >= 38.0
    assert len(encoded) <= 100 * 1024
    thumbnail = imaging.thumbnail(page)
    assert is_webp(thumbnail)
    assert len(thumbnail) <= 10 * 1024
    small = QImage.fromData(thumbnail)
    assert (small.width(), small.height()) == (320, 180)


def test_every_kind_of_desktop_is_legible_and_the_median_size_is_in_budget(qapp):
    sizes = {}
    for name, render in screens.CONTENTS.items():
        screen = render()
        encoded = imaging.encode_screenshot(screen)
        assert imaging.luma_psnr(screen, QImage.fromData(encoded)) >= 38.0, name
        sizes[name] = len(encoded)
    assert statistics.median(sizes.values()) <= 100 * 1024, sizes


def test_the_quality_is_raised_only_for_screens_that_need_it(qapp):
    low, high = imaging.QUALITIES["webp"]
    code = screens.code()
    assert imaging.encode_screenshot(code) == imaging.encode(code, "webp", low)
    desktop = screens.desktop()  # a photo wallpaper and three windows of small text
    assert imaging.luma_psnr(desktop, QImage.fromData(imaging.encode(desktop, "webp", low))) < 38.0
    assert imaging.encode_screenshot(desktop) == imaging.encode(desktop, "webp", high)


def test_a_screen_that_no_quality_makes_legible_gets_the_highest():
    noise = imaging.from_bgra(bytes(random.Random(3).randbytes(640 * 480 * 4)), 640, 480)
    for fmt, qualities in imaging.QUALITIES.items():
        assert imaging.encode_screenshot(noise, fmt) == imaging.encode(noise, fmt, qualities[-1])


def test_luma_psnr_weighs_the_channels_as_luma_does():
    grey = imaging.from_bgra(b"\x80\x80\x80\xff" * (64 * 48), 64, 48)
    lighter = imaging.from_bgra(b"\x84\x84\x84\xff" * (64 * 48), 64, 48)  # 4 levels on every channel
    greener = imaging.from_bgra(b"\x80\x8e\x80\xff" * (64 * 48), 64, 48)  # 14 levels of green: Y′ + 10

    assert imaging.luma_psnr(grey, grey) == math.inf
    assert imaging.luma_psnr(grey, lighter) == pytest.approx(10 * math.log10(255**2 / 4**2))
    assert imaging.luma_psnr(grey, greener) == pytest.approx(10 * math.log10(255**2 / 10**2))
    with pytest.raises(ValueError, match="cannot compare"):
        imaging.luma_psnr(grey, imaging.from_bgra(b"\x80\x80\x80\xff" * 16, 4, 4))


def test_a_small_image_is_not_enlarged_for_its_thumbnail():
    image = imaging.from_bgra(quadrants(200, 100), 200, 100)

    small = QImage.fromData(imaging.thumbnail(image))

    assert (small.width(), small.height()) == (200, 100)


def test_uniform_grabs_are_told_apart_from_desktops():
    width, height = 1920, 1080
    black = bytes(width * height * 4)
    assert imaging.is_uniform(black, width, height)
    assert imaging.is_uniform(b"\x80\x20\x10\xff" * (width * height), width, height)
    dithered = bytes(random.Random(2).randrange(0, 6) for _ in range(4096)) * (width * height // 1024)
    assert imaging.is_uniform(dithered, width, height)

    panel = b"\xc0\xc0\xc0\xff" * (width * 24) + black[width * 24 * 4 :]
    assert not imaging.is_uniform(panel, width, height)
    window = bytearray(black)
    for y in range(500, 700):
        start = (y * width + 900) * 4
        window[start : start + 200 * 4] = WHITE * 200
    assert not imaging.is_uniform(window, width, height)
    assert not imaging.is_uniform(text_like(width, height), width, height)


def write_screenshot(
    directory: Path, raw: bytes, width: int, height: int, fmt: str = imaging.DEFAULT_FORMAT
) -> tuple[Path, Path]:
    image = imaging.from_bgra(raw, width, height)
    path = directory / f"shot-m1.{imaging.EXTENSIONS[fmt]}"
    thumbnail = imaging.thumbnail_path(path)
    files = {path: imaging.encode_screenshot(image, fmt), thumbnail: imaging.thumbnail(image, fmt)}
    imaging.write_private_files(files)
    return path, thumbnail


@pytest.mark.parametrize("fmt", ["webp", "jpeg"])  # JPEG: screenshots of earlier versions
def test_redacting_a_region_destroys_its_detail_and_keeps_the_rest(tmp_path, fmt):
    path, thumbnail = write_screenshot(tmp_path, text_like(1280, 720), 1280, 720, fmt)
    before, thumbnail_before = QImage(str(path)), thumbnail.read_bytes()
    region = (100, 100, 400, 200)

    digest = imaging.redact(path, thumbnail, region)

    after = QImage(str(path))
    assert digest == imaging.digest(path.read_bytes())
    assert (after.width(), after.height()) == (1280, 720)
    assert edge_energy(before, *region) > 30
    assert edge_energy(after, *region) < edge_energy(before, *region) / 10
    reencoded = QImage.fromData(imaging.encode_screenshot(before, fmt))  # the codec's own loss
    outside = (700, 100, 400, 500)
    # WebP tunes its filters to the whole picture, so a changed area moves the rest by a little more
    # than the codec's own loss; pixelating it would move it by tens of levels.
    assert mean_difference(before, after, *outside) <= 3 * mean_difference(before, reencoded, *outside) + 1
    assert edge_energy(after, *outside) > 0.9 * edge_energy(before, *outside)
    assert thumbnail.read_bytes() != thumbnail_before
    assert is_webp(path.read_bytes()) == (fmt == "webp")  # still in its format
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(thumbnail.stat().st_mode) == 0o600


def test_redacting_the_whole_screenshot_leaves_no_detail(tmp_path):
    path, thumbnail = write_screenshot(tmp_path, text_like(1280, 720), 1280, 720)
    before = QImage(str(path))

    imaging.redact(path, thumbnail)

    after = QImage(str(path))
    for area in [(0, 0, 1280, 60), (600, 300, 300, 200), (1000, 600, 280, 120)]:
        assert edge_energy(after, *area) < edge_energy(before, *area) / 10


def test_a_region_outside_the_image_is_refused(tmp_path):
    path, thumbnail = write_screenshot(tmp_path, quadrants(320, 240), 320, 240)
    original = path.read_bytes()

    with pytest.raises(ValueError, match="outside"):
        imaging.redact(path, thumbnail, (400, 300, 50, 50))
    assert path.read_bytes() == original


def test_files_are_written_owner_only_whatever_the_umask(tmp_path):
    folder = tmp_path / "screenshots" / "2026-11-23"
    previous = os.umask(0)
    try:
        imaging.write_private_files({folder / "a.jpg": b"abc", folder / "a-thumb.jpg": b"de"})
    finally:
        os.umask(previous)

    assert (folder / "a.jpg").read_bytes() == b"abc"
    assert stat.S_IMODE((folder / "a.jpg").stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "a-thumb.jpg").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert sorted(p.name for p in folder.iterdir()) == ["a-thumb.jpg", "a.jpg"]


def test_a_folder_that_is_a_file_is_a_storage_problem(tmp_path):
    blocker = tmp_path / "screenshots"
    blocker.write_bytes(b"not a folder")

    with pytest.raises(StorageProblem, match="cannot be saved"):
        imaging.write_private_files({blocker / "a.jpg": b"abc"})
    assert blocker.read_bytes() == b"not a folder"


def test_a_failure_on_a_later_file_leaves_none_of_the_files(tmp_path):
    (tmp_path / "b.jpg").mkdir()  # os.replace onto a directory fails after a.jpg was placed

    with pytest.raises(StorageProblem):
        imaging.write_private_files({tmp_path / "a.jpg": b"abc", tmp_path / "b.jpg": b"def"})
    assert [p.name for p in tmp_path.iterdir()] == ["b.jpg"]


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_disk_that_fills_up_mid_write_leaves_no_partial_file(tmp_path):
    """The file size limit makes write() fail with EFBIG part-way, as a full disk does."""
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, limits[1]))
    try:
        with pytest.raises(StorageProblem, match="too large"):
            imaging.write_private_files({tmp_path / "a.jpg": b"x" * 1000, tmp_path / "b.jpg": b"y" * 10_000})
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, handler)
    assert list(tmp_path.iterdir()) == []
