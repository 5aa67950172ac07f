"""Small real JPEG and WebP files, made by Qt's encoders as the app makes them: the service's tests
and the sync benchmark send them as screenshots."""

from __future__ import annotations

import random

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QColor, QImage

_COMMENT = b"\xff\xfe"  # a JPEG comment segment: its length (2 bytes, itself included), then anything
_MOST_COMMENT = 0xFFFF - 2


def jpeg(seed: int, size: int | None = None) -> bytes:
    """A small JPEG, another for each seed; padded to ``size`` bytes by comment segments if given."""
    data = _encoded(seed, "JPEG")
    if size is None:
        return data
    padding, rng, comments = size - len(data), random.Random(seed), b""
    if padding < 0 or padding % (_MOST_COMMENT + 4) in (1, 2, 3):
        raise ValueError(f"a JPEG of {size} bytes cannot be made from one of {len(data)}")
    while padding:
        payload = min(padding - 4, _MOST_COMMENT)
        comments += _COMMENT + (payload + 2).to_bytes(2, "big") + rng.randbytes(payload)
        padding -= payload + 4
    return data[:2] + comments + data[2:]  # right after the start of image


def webp(seed: int) -> bytes:
    """A small lossy WebP, another for each seed."""
    return _encoded(seed, "WEBP")


def _encoded(seed: int, image_format: str) -> bytes:
    rng = random.Random(seed)
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    for x in range(8):
        for y in range(8):
            image.setPixelColor(x, y, QColor(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, image_format, 80)  # type: ignore[call-overload]  # the stub says bytes; Qt takes str
    return bytes(buffer.data().data())
