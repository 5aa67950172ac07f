"""Screenshot encoding, thumbnails, redaction and owner-only file writing, with QtGui.QImage only.

QImage encodes and decodes without a QGuiApplication, so this runs off the GUI thread and in the
headless tracker.

Default codec, chosen by measurement (``python -m benchmarks.bench_screenshot --codecs``): the five
1920×1080 desktops of ``tracker/demo/screens.py`` drawn at real font sizes (a documentation page of
13–14 px text, a dark code editor, a web page, a photo, a desktop with a spreadsheet, a terminal and a
chat), Qt 6.11 (libwebp, method 4) on the 2-core development machine. Size, luma PSNR against the
original (Rec. 709 Y′) and encoding CPU time for each:

    (KB, dB, ms)    text            code            web             photo           desktop
    JPEG q20      94 28.4  23     50 31.3  20     99 28.9  25     51 37.0  30    134 27.1  27
    JPEG q60     172 34.5  24     89 36.5  21    186 34.9  27    109 40.8  31    254 33.2  28
    JPEG q85     259 41.7  26    135 43.3  22    295 41.1  29    226 42.6  34    398 39.3  31
    WebP q40     100 38.4 114     44 39.9  98    102 37.9 112     42 37.3 125    139 36.0 122
    WebP q50     108 39.7 113     48 41.5  98    111 39.1 113     48 38.0 128    151 37.3 136
    WebP q70     121 41.7 115     54 43.6 103    126 40.6 115     61 39.0 136    174 38.5 131
    the rule     100 38.4 171     44 39.9 152    126 40.6 273     61 39.0 317    174 38.5 307

JPEG small enough for the size budget blurs text to 27–29 dB (a client cannot read it); JPEG at
38 dB is 2–3 times the size of WebP at 38 dB, on every content but the photo (where WebP is still
smaller). So WebP is the default, and one quality does not do: q40 keeps dense text and code at
38 dB or more within 100 KB, but leaves the web page, the photo and the desktop under 38 dB; q70
brings every content over 38 dB but makes text 121 KB. The rule: encode at q40, measure the luma
PSNR (decode ~10 ms, ``luma_psnr`` ~40 ms), and encode again at q70 when it is under 38 dB. Median
size 99.8 KB, every image 38.3–40.6 dB. Done one after the other that took up to 370 ms (over
480 ms on a busy machine) for the screens that need both; so with two cores or more q70 is encoded
on a second thread meanwhile: 230–290 ms from grab to file for every content, for 360–410 ms of CPU
(0.07 % of a core at one screenshot a slot). The JPEG setting follows the same rule
at q75, then q90. Pillow's WebP is no better: method 4 gives Qt's bytes, method 0 takes ~40 ms but
is 25–35 % larger. Thumbnails: 320 px wide at q50, 2–8 KB, ~5 ms.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QBuffer, QIODevice, QPoint, QRect, Qt
from PySide6.QtGui import QColorSpace, QImage, QImageWriter, QPainter

from common.errors import EnvironmentProblem, StorageProblem

EXTENSIONS = {"jpeg": "jpg", "webp": "webp"}
FORMAT_NAMES = {"jpeg": "JPEG", "webp": "WebP"}  # as the app and the service show them
DEFAULT_FORMAT = "webp"
MIN_LUMA_PSNR = 38.0  # dB against the grab: a client can read the text (PRODUCT.md section 6)
# Tried in turn until the image reaches MIN_LUMA_PSNR (the last one otherwise): the lowest
# quality that keeps dense text legible first, higher ones only for the screens that need them.
QUALITIES = {"webp": (40, 70), "jpeg": (75, 90)}
THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT = 320, 240
THUMBNAIL_QUALITY = 50
UNIFORM_TOLERANCE = 12  # per channel: dithering and compression noise on a "black" screen
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
_SQUARE_LOW = bytes(d * d & 0xFF for d in range(256))  # a byte's square, in two bytes
_SQUARE_HIGH = bytes(d * d >> 8 for d in range(256))


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
    if fmt.encode() not in {f.data() for f in QImageWriter.supportedImageFormats()}:
        raise EnvironmentProblem(
            f"Screenshots cannot be saved as {fmt.upper()}: Qt's image plugin for it is missing.",
            "Choose JPEG in the screenshot settings, or reinstall Workdiary.",
        )


def from_bgra(raw: bytes | bytearray, width: int, height: int) -> QImage:
    """A QImage owning a copy of BGRA pixels as mss returns them (Format_RGB32 on little-endian)."""
    return QImage(raw, width, height, width * 4, QImage.Format.Format_RGB32).copy()


def encode_screenshot(image: QImage, fmt: str = DEFAULT_FORMAT, qualities: tuple[int, ...] = ()) -> bytes:
    """The image at the first of ``qualities`` (QUALITIES[fmt] by default) whose luma PSNR
    against ``image`` reaches MIN_LUMA_PSNR, or at the last one.

    With more than one core, the last quality is encoded on a thread of its own meanwhile (Qt's
    encoder lets go of the GIL): the wall time is one encode and one check (~220 ms, not ~370 ms
    for a screen that needs both), for ~150 ms more CPU on the screens that do not."""
    *lower, last = qualities or QUALITIES[fmt]
    if lower and _CORES > 1:
        _load_encoder(fmt)
    with ThreadPoolExecutor(1) if lower and _CORES > 1 else contextlib.nullcontext() as pool:
        highest = pool.submit(encode, image, fmt, last) if pool else None
        for quality in lower:
            data = encode(image, fmt, quality)
            if luma_psnr(image, QImage.fromData(data)) >= MIN_LUMA_PSNR:
                return data
        return highest.result() if highest else encode(image, fmt, last)


@functools.cache
def _load_encoder(fmt: str) -> None:
    """Loads Qt's image plugin for ``fmt`` in this thread: two threads loading it at once for their
    first encodes race in Qt's plugin loader ("QObject::moveToThread: Current thread … is not the
    object's thread")."""
    buffer = QBuffer()  # outlives the writer, which only points to it
    QImageWriter(buffer, fmt.encode()).canWrite()


def luma_psnr(original: QImage, decoded: QImage) -> float:
    """PSNR in dB of the luma Y′ (Rec. 709 weights, as for HD video) of ``decoded`` against
    ``original``; infinite when they are equal. About 40 ms for 1920×1080."""
    if decoded.size() != original.size():
        raise ValueError(f"cannot compare a {decoded.width()}×{decoded.height()} image with the original")
    difference = _luma(original)
    painter = QPainter(difference)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Difference)
    painter.drawImage(0, 0, _luma(decoded))
    painter.end()
    bits, stride, width = difference.constBits(), difference.bytesPerLine(), difference.width()
    errors = b"".join(bits[y * stride : y * stride + width] for y in range(difference.height()))
    squared_error = sum(errors.translate(_SQUARE_LOW)) + 256 * sum(errors.translate(_SQUARE_HIGH))
    if not squared_error:
        return math.inf
    return 10 * math.log10(255 * 255 * len(errors) / squared_error)


def _luma(image: QImage) -> QImage:
    """Y′ = 0.2126 R′ + 0.7152 G′ + 0.0722 B′ as a Grayscale8 image: Qt's grey conversion of an
    image said to be in linear light applies exactly these weights to the stored values."""
    linear = QImage(image)
    linear.setColorSpace(QColorSpace(QColorSpace.NamedColorSpace.SRgbLinear))
    return linear.convertToFormat(QImage.Format.Format_Grayscale8)


def encode(image: QImage, fmt: str, quality: int) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, fmt.encode())
    writer.setQuality(quality)
    writer.setOptimizedWrite(True)
    if not writer.write(image):
        raise ValueError(f"cannot encode a {image.width()}×{image.height()} image as {fmt}")
    return bytes(buffer.data().data())


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


def is_uniform(raw: bytes | bytearray | memoryview, width: int, height: int) -> bool:
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
