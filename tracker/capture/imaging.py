"""Screenshot encoding, thumbnails, redaction and owner-only file writing, with QtGui.QImage only.

QImage encodes and decodes without a QGuiApplication, so this runs off the GUI thread and in the
headless tracker.

Default codec, chosen by measurement (``benchmarks/bench_screenshot.py``): four 1920×1080 desktop
contents rendered with QPainter (a text document, a dark code editor, a web page, a photo), Qt 6.12
on the 2-core development machine, encode time / size:

    codec                   text           code          web            photo         median
    JPEG q60                36 ms 216 KB   29 ms 102 KB  37 ms 224 KB   43 ms 234 KB  220 KB
    JPEG q40 optimized      35 ms 167 KB   27 ms  73 KB  41 ms 166 KB   56 ms 143 KB  155 KB
    JPEG q30 optimized      40 ms 145 KB   33 ms  64 KB  43 ms 140 KB   51 ms 107 KB  123 KB
    JPEG q25 optimized      36 ms 131 KB   34 ms  59 KB  47 ms 124 KB   56 ms  87 KB  105 KB
    JPEG q20 optimized      39 ms 115 KB   36 ms  52 KB  44 ms 107 KB   54 ms  67 KB   87 KB
    JPEG q30 opt+progr.     69 ms 132 KB   51 ms  59 KB  72 ms 131 KB   95 ms 105 KB  118 KB
    WebP q50               210 ms 132 KB  183 ms  51 KB 237 ms 146 KB  318 ms 240 KB  139 KB
    WebP q30               192 ms 110 KB  170 ms  42 KB 213 ms 105 KB  276 ms 130 KB  108 KB
    WebP q20               210 ms  99 KB  223 ms  38 KB 196 ms  88 KB  242 ms  84 KB   86 KB

WebP is smaller at equal quality but takes 170–320 ms here, over the 150 ms pipeline bar on its
own. JPEG with optimized Huffman tables (``setOptimizedWrite``: 5–15 % smaller for a few ms) at
quality 20 is the only single setting within both bars (≤ 150 ms, ≤ 100 KB median); text stays
readable with visible ringing around glyphs. So a screenshot is encoded at quality 40 first, which
keeps text clean, and again at 20 only when that is over the 100 KB budget: the code editor stays
at q40 (72 KB), the heavier text, web and photo contents drop to q20; at most two encodes. The
whole pipeline (mss grab of a 1920×1080 Xvfb screen, encode, thumbnail, write): 59 ms (code) to
119 ms (photo), median size 90 KB. Thumbnails: 320 px wide at JPEG q50, 3–8 KB, ~4 ms.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QBuffer, QIODevice, QPoint, QRect, Qt
from PySide6.QtGui import QImage, QImageWriter, QPainter

from tracker.errors import EnvironmentProblem, StorageProblem

EXTENSIONS = {"jpeg": "jpg", "webp": "webp"}
DEFAULT_FORMAT = "jpeg"
DEFAULT_QUALITIES = (40, 20)  # tried in turn until the image fits SIZE_BUDGET
SIZE_BUDGET = 100 * 1024
THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT = 320, 240
THUMBNAIL_QUALITY = 50
UNIFORM_TOLERANCE = 12  # per channel: dithering and compression noise on a "black" screen


class FileDigest(NamedTuple):
    sha256: str
    size_bytes: int


def digest(data: bytes) -> FileDigest:
    return FileDigest(hashlib.sha256(data).hexdigest(), len(data))


def thumbnail_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-thumb{path.suffix}")


def format_of(path: Path) -> str:
    for fmt, extension in EXTENSIONS.items():
        if path.suffix.lower() == f".{extension}":
            return fmt
    raise ValueError(f"not a screenshot file: {path.name}")


def check_format(fmt: str) -> None:
    if fmt not in EXTENSIONS:
        raise ValueError(f"unknown screenshot format {fmt!r}; choose one of {sorted(EXTENSIONS)}")
    if fmt.encode() not in {bytes(f) for f in QImageWriter.supportedImageFormats()}:
        raise EnvironmentProblem(
            f"Screenshots cannot be saved as {fmt.upper()}: Qt's image plugin for it is missing.",
            "Choose JPEG in the screenshot settings, or reinstall Workdiary.",
        )


def from_bgra(raw: bytes | bytearray, width: int, height: int) -> QImage:
    """A QImage owning a copy of BGRA pixels as mss returns them (Format_RGB32 on little-endian)."""
    return QImage(raw, width, height, width * 4, QImage.Format.Format_RGB32).copy()


def encode_screenshot(
    image: QImage, fmt: str = DEFAULT_FORMAT, qualities: tuple[int, ...] = DEFAULT_QUALITIES
) -> bytes:
    """The image at the first quality whose file fits SIZE_BUDGET (the last one otherwise)."""
    for quality in qualities:
        data = encode(image, fmt, quality)
        if len(data) <= SIZE_BUDGET:
            break
    return data


def encode(image: QImage, fmt: str, quality: int) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, fmt.encode())
    writer.setQuality(quality)
    writer.setOptimizedWrite(True)
    if not writer.write(image):
        raise ValueError(f"cannot encode a {image.width()}×{image.height()} image as {fmt}")
    return buffer.data().data()


def thumbnail(image: QImage, fmt: str = DEFAULT_FORMAT, quality: int = THUMBNAIL_QUALITY) -> bytes:
    if image.width() <= THUMBNAIL_WIDTH and image.height() <= THUMBNAIL_HEIGHT:
        return encode(image, fmt, quality)
    small = image.scaled(
        THUMBNAIL_WIDTH,
        THUMBNAIL_HEIGHT,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    return encode(small, fmt, quality)


def is_uniform(raw: bytes | bytearray, width: int, height: int) -> bool:
    """Whether a BGRA grab is one colour (black, blank), from ~20 000 sampled pixels.

    Samples every 97th pixel (101st when the width is a multiple of 97), so every row is sampled
    at ~20 spread-out columns and a panel or a window of a few rows is enough to tell.
    """
    step = 101 if width % 97 == 0 else 97
    pixels = memoryview(raw)[: width * height * 4]
    for channel in range(3):  # B, G, R; the fourth byte is padding
        samples = pixels[channel :: 4 * step]
        if max(samples) - min(samples) > UNIFORM_TOLERANCE:
            return False
    return True


def pixelate(image: QImage, region: QRect) -> QImage:
    """Averages ``region`` into blocks of 1/32 of the image's longer side: unreadable for good, and
    plainly redacted even in a thumbnail."""
    block = max(12, max(image.width(), image.height()) // 32)
    part = image.copy(region)
    coarse = part.scaled(
        max(1, region.width() // block),
        max(1, region.height() // block),
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    ).scaled(region.width(), region.height())
    result = image.copy()
    painter = QPainter(result)
    painter.drawImage(QPoint(region.x(), region.y()), coarse)
    painter.end()
    return result


def redact(path: Path, thumbnail_file: Path, region: tuple[int, int, int, int] | None = None) -> FileDigest:
    """Pixelates the whole screenshot, or ``region`` (x, y, width, height in its pixels), and
    rewrites it and its thumbnail in place. Returns the new screenshot file's digest."""
    fmt = format_of(path)
    image = QImage(str(path))
    if image.isNull():
        raise StorageProblem(f"The screenshot {path} cannot be read, so it cannot be redacted.")
    bounds = image.rect()
    area = bounds if region is None else QRect(*region).intersected(bounds)
    if area.isEmpty():
        raise ValueError(f"region {region} is outside the {bounds.width()}×{bounds.height()} image")
    redacted = pixelate(image, area)
    data = encode_screenshot(redacted, fmt)
    write_private_files({path: data, thumbnail_file: thumbnail(redacted, fmt)})
    return digest(data)


def write_private_files(files: Mapping[Path, bytes]) -> None:
    """Writes all files owner-only (0600, in folders created 0700), all or none: each goes to a
    temporary file first, then all are renamed into place. On any OSError (disk full,
    permissions) no temporary file and no new file is left behind, and StorageProblem is raised.
    """
    new_paths = {path for path in files if not path.exists()}
    staged: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for folder in {path.parent for path in files}:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for path, data in files.items():
            temporary = path.with_name(f".{path.name}.tmp")
            staged.append((temporary, path))
            _write_new_file(temporary, data)
        for temporary, path in staged:
            os.replace(temporary, path)
            if path in new_paths:
                placed.append(path)
    except OSError as exc:
        for leftover in [temporary for temporary, _ in staged] + placed:
            with contextlib.suppress(OSError):
                leftover.unlink()
        folder = next(iter(files)).parent
        reason = exc.strerror or str(exc)
        raise StorageProblem(
            f"Screenshots cannot be saved in {folder}: {reason}. "
            "Free some disk space or make the folder writable."
        ) from exc


def _write_new_file(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
