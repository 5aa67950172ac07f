"""The service's wire contract, declared once for the service and sync: where its API lives, the
largest batches it takes, the longest memo, and its JSON: times are ISO 8601 in UTC with whole seconds
(``2026-11-23T09:00:00Z``), and every field read is checked for its type."""

from __future__ import annotations

from datetime import UTC, datetime

API_PREFIX = "/api/v1"
MAX_BATCH = 200  # items in one PUT /blocks or PUT /screenshots
# One PUT /blobs request (the service's defaults: its settings may change them).
MAX_UPLOAD_IMAGES = 32
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_FILE_BYTES = 25 * 1024 * 1024  # a message's attachment (PUT /files/{sha256}; the service's default)
MEETING_MINUTES = (5, 8 * 60)  # the shortest and the longest meeting
MAX_MEMO_CHARS = 500  # a memo is one line saying what one works on
MAX_CAPTURE_NOTE_CHARS = 200  # the app's sentence on why a block has no usable screenshot


def bearer(token: str) -> dict[str, str]:
    """The header that carries an API token."""
    return {"Authorization": f"Bearer {token}"}


def wire_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_wire_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"a time without its offset: {text!r}")
    return moment.astimezone(UTC)


def field_of(item: dict, name: str, kind: type):
    """``item[name]``, which must be a ``kind``: a malformed answer raises KeyError or TypeError
    (which ``ServiceClient.reading`` turns into ServiceUnreachable)."""
    value = item[name]
    if not isinstance(value, kind):
        raise TypeError(f"{name!r} is {value!r}")
    return value
