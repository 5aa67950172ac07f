"""What the service takes for an image: a JPEG or WebP file whose structure holds together.

The service never decodes an image (it shows none; the app and browsers do, with their own
decoders): it checks the file's framing, which is cheap and refuses anything else sent under an
image type, and serves what it took as inert (its exact type, never sniffed, as a download).
"""

from __future__ import annotations

EXTENSIONS = {"image/jpeg": "jpg", "image/webp": "webp"}

# Start-of-frame markers: every JPEG frame header but DHT (C4), JPG (C8) and DAC (CC).
_JPEG_FRAMES = {*range(0xC0, 0xD0)} - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn: markers without a length
_START_OF_SCAN = 0xDA


def is_image(data: bytes, content_type: str) -> bool:
    """Whether ``data`` is framed as an image of ``content_type`` (image/jpeg or image/webp)."""
    return _is_jpeg(data) if content_type == "image/jpeg" else _is_webp(data)


def _is_jpeg(data: bytes) -> bool:
    """SOI; marker segments whose lengths tile the file up to the first scan, with a frame header
    (of some width, in some components) among them; EOI at the end."""
    if not (data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9")):
        return False
    position, framed = 2, False
    while position + 4 <= len(data) - 2:
        if data[position] != 0xFF:
            return False
        marker = data[position + 1]
        if marker == 0xFF:  # a fill byte
            position += 1
            continue
        if marker in _JPEG_STANDALONE:
            position += 2
            continue
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        end = position + 2 + length
        if length < 2 or end > len(data) - 2:
            return False
        if marker in _JPEG_FRAMES:
            # precision (1 byte), height (2), width (2), components (1)
            if length < 8 or data[position + 7 : position + 9] == b"\0\0" or data[position + 9] == 0:
                return False
            framed = True
        if marker == _START_OF_SCAN:
            return framed
        position = end
    return False


def _is_webp(data: bytes) -> bool:
    """RIFF whose size is the file's; WEBP chunks that tile it exactly; the first one an image
    (VP8 with its frame start code, VP8L with its signature) or the extended header VP8X."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP" or int.from_bytes(data[4:8], "little") + 8 != len(data):
        return False
    position = 12
    while position < len(data):
        fourcc, size = (
            data[position : position + 4],
            int.from_bytes(data[position + 4 : position + 8], "little"),
        )
        payload = data[position + 8 : position + 8 + size]
        if len(payload) != size:
            return False
        if position == 12 and not (
            (fourcc == b"VP8 " and payload[3:6] == b"\x9d\x01\x2a")
            or (fourcc == b"VP8L" and payload[:1] == b"\x2f")
            or (fourcc == b"VP8X" and size >= 10)
        ):
            return False
        position += 8 + size + size % 2  # a chunk of an odd size is padded to an even one
    return position == len(data) and position > 12


def stored_image_type(data: bytes) -> str:
    """The type of an image the service took (``is_image`` checked its framing when it came), told
    by its first bytes: a JPEG's start-of-image marker, or else a WebP's."""
    return "image/jpeg" if data.startswith(b"\xff\xd8") else "image/webp"
