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
import math
import operator
import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QBuffer, QIODevice, QPoint, QRect, Qt
from PySide6.QtGui import QColorSpace, QImage, QImageWriter, QPainter

from tracker.errors import EnvironmentProblem, StorageProblem

EXTENSIONS = {"jpeg": "jpg", "webp": "webp"}
FORMAT_NAMES = {"jpeg": "JPEG", "webp": "WebP"}  # as the app and the service show them
DEFAULT_FORMAT = "webp"
MIN_LUMA_PSNR = 38.0  # dB against the grab: a client can read the text (PRODUCT.md section 6)
# Tried in turn until the image reaches MIN_LUMA_PSNR (the last one otherwise): the lowest
# quality that keeps dense text legible first, higher ones only for the screens that need them.
QUALITIES = {"webp": (40, 70), "jpeg": (75, 90)}
PSNR_ROW_STEP = 2  # the check reads every other row: within 0.05 dB of all rows, half the time
THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT = 320, 240
THUMBNAIL_QUALITY = 50
UNIFORM_TOLERANCE = 12  # per channel: dithering and compression noise on a "black" screen
_SQUARES = [d * d for d in range(256)] + [d * d for d in range(-255, 0)]  # indexed by a - b


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


def encode_screenshot(image: QImage, fmt: str = DEFAULT_FORMAT, qualities: tuple[int, ...] = ()) -> bytes:
    """The image at the first of ``qualities`` (QUALITIES[fmt] by default) whose luma PSNR
    against ``image`` reaches MIN_LUMA_PSNR, or at the last one."""
    *lower, last = qualities or QUALITIES[fmt]
    for quality in lower:
        data = encode(image, fmt, quality)
        if luma_psnr(image, QImage.fromData(data), PSNR_ROW_STEP) >= MIN_LUMA_PSNR:
            return data
    return encode(image, fmt, last)


def luma_psnr(original: QImage, decoded: QImage, row_step: int = 1) -> float:
    """PSNR in dB of the luma Y′ (Rec. 709 weights, as for HD video) of ``decoded`` against
    ``original``, over every ``row_step``-th row; infinite when they are equal."""
    if decoded.size() != original.size():
        raise ValueError(f"cannot compare a {decoded.width()}×{decoded.height()} image with the original")
    first, second = _luma_rows(original, row_step), _luma_rows(decoded, row_step)
    squared_error = sum(map(_SQUARES.__getitem__, map(operator.sub, first, second)))
    if not squared_error:
        return math.inf
    return 10 * math.log10(255 * 255 * len(first) / squared_error)


def _luma_rows(image: QImage, row_step: int) -> bytes:
    """Y′ = 0.2126 R′ + 0.7152 G′ + 0.0722 B′ of every ``row_step``-th row: Qt's grey conversion
    of an image said to be in linear light applies exactly these weights to the stored values."""
    linear = QImage(image)
    linear.setColorSpace(QColorSpace(QColorSpace.NamedColorSpace.SRgbLinear))
    grey = linear.convertToFormat(QImage.Format.Format_Grayscale8)
    bits, stride, width = grey.constBits(), grey.bytesPerLine(), grey.width()
    return b"".join(bits[y * stride : y * stride + width] for y in range(0, grey.height(), row_step))


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
