"""What goes over the wire: the request bodies with their limits, and the answers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from common.states import ActivitySource, BlockSource, Role
from common.timeutil import SLOT, slot_start
from common.wire import MAX_BATCH, MAX_CAPTURE_NOTE_CHARS, MAX_MEMO_CHARS

FIRST_YEAR, LAST_YEAR = 1970, 2999  # and no arithmetic on times ever overflows
SHA256_PATTERN = r"^[0-9a-f]{64}$"
# Every id is a UUID in its canonical lower-case form (as str(uuid.uuid4()) makes it): one spelling
# per id, so that a replay finds what it wrote.
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
# The largest JSON body (FastAPI reads it whole before validating it). The largest valid request,
# MAX_BATCH blocks with the longest memos and capture notes in escaped astral characters (12 bytes
# each), is 1.8 MB.
MAX_JSON_BYTES = 2 * 1024 * 1024


def _text_only(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("a time is an ISO 8601 text with its offset, e.g. 2026-11-23T09:00:00Z")
    return value


def _utc_whole_seconds(value: datetime) -> datetime:
    try:
        utc: datetime | None = value.astimezone(UTC).replace(microsecond=0)
    except OverflowError:  # in UTC it would fall in the year 0 or 10000
        utc = None
    if utc is None or not FIRST_YEAR <= utc.year <= LAST_YEAR:
        raise ValueError(f"a time lies between the years {FIRST_YEAR} and {LAST_YEAR}")
    return utc


def _uuid(value: str) -> str:
    if not re.fullmatch(UUID_PATTERN, value):
        raise ValueError("an id is a UUID in lower-case hex, such as 3b241101-e2bb-4255-8caf-4136c566a962")
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:  # PostgreSQL's text cannot hold it
        raise ValueError("the text holds a NUL character")
    return value


# Naive times are refused (which zone would they be in?); numbers are not taken for times either.
UTCTime = Annotated[AwareDatetime, BeforeValidator(_text_only), AfterValidator(_utc_whole_seconds)]
NoNul = AfterValidator(_no_nul)
# Checked by _uuid rather than by a pattern, so that a wrong id is told in a sentence; the schema
# still shows the pattern.
Id = Annotated[
    str, AfterValidator(_uuid), Field(json_schema_extra={"format": "uuid", "pattern": UUID_PATTERN})
]
Sha256 = Annotated[str, Field(pattern=SHA256_PATTERN, description="lower-case hex SHA-256")]
Minute = Annotated[int, Field(ge=0, le=9)]
EventCount = Annotated[int, Field(ge=0, le=1_000_000)]
ActiveSeconds = Annotated[int, Field(ge=0, le=60)]


def _plausible_day(day: date) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"a date lies between the years {FIRST_YEAR} and {LAST_YEAR}")
    return day


Day = Annotated[date, AfterValidator(_plausible_day)]


class Problem(BaseModel):
    """Every refusal: what is wrong, or what to do, in a sentence for the user."""

    detail: str


class SignIn(BaseModel):
    email: Annotated[str, Field(min_length=3, max_length=254), NoNul]
    password: Annotated[str, Field(min_length=1, max_length=1024), NoNul]
    device_name: Annotated[str, Field(max_length=100), NoNul] = ""


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    name: str
    role: Role
    title: str = Field(description="the profile line's title, e.g. Python developer")
    time_zone: str = Field(description="an IANA time zone, e.g. Europe/Paris")


class SignedIn(BaseModel):
    token: str
    expires_at: datetime
    user: UserOut


class BlockIn(BaseModel):
    """The whole new state of a block. ``over_limit`` and other fields the app may send are ignored:
    the service decides over_limit itself."""

    contract_id: Id
    device_id: Id
    start: UTCTime
    end: UTCTime
    activity: Annotated[
        list[tuple[Minute, EventCount | None, EventCount | None, ActiveSeconds]],
        Field(
            max_length=10,
            description="[minute 0–9, keyboard events, mouse events, active seconds 0–60]; the counts "
            "null (absent) with activity_source idle_time, numbers otherwise",
        ),
    ] = []
    activity_source: ActivitySource = Field(
        ActivitySource.INPUT_COUNTS,
        description="input_counts: counted keyboard and mouse events (an app that does not say); "
        "idle_time: the compositor's idle time (Wayland), active seconds without counts",
    )
    memo: Annotated[str, Field(max_length=MAX_MEMO_CHARS), NoNul] = ""
    capture_note: Annotated[
        str,
        Field(
            max_length=MAX_CAPTURE_NOTE_CHARS,
            description="why the app took no usable screenshot, e.g. a private app was on screen",
        ),
        NoNul,
    ] = ""
    source: BlockSource
    deleted: bool = False
    updated_at: UTCTime

    @model_validator(mode="after")
    def _inside_one_slot(self) -> BlockIn:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if self.end > slot_start(self.start) + SLOT:
            raise ValueError("start and end must lie in one 10-minute slot (hh:00, hh:10, …)")
        absent = self.activity_source == ActivitySource.IDLE_TIME
        if any(
            (keyboard is None) != absent or (mouse is None) != absent
            for _, keyboard, mouse, _ in self.activity
        ):
            raise ValueError(
                "activity from idle time has null keyboard and mouse counts; counted activity has numbers"
            )
        return self


class ImageIn(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    monitor: Annotated[int, Field(ge=0, le=64)]
    sha256: Sha256
    thumbnail_sha256: Sha256
    width: Annotated[int, Field(ge=1, le=100_000)]
    height: Annotated[int, Field(ge=1, le=100_000)]


class ScreenshotIn(BaseModel):
    id: Id
    taken_at: UTCTime
    redacted: bool = False
    images: Annotated[list[ImageIn], Field(min_length=1, max_length=16)]

    @model_validator(mode="after")
    def _one_image_per_monitor(self) -> ScreenshotIn:
        if len({image.monitor for image in self.images}) != len(self.images):
            raise ValueError("each monitor appears once")
        return self


class BlockItem(BlockIn):
    """A block in a batch: its id travels with it instead of in the path."""

    id: Id


class ScreenshotItem(ScreenshotIn):
    block_id: Id


# A batch's items are checked one by one (a malformed one is answered 422 in its result, and the
# others are stored), so the batch itself takes any objects.
class BlocksIn(BaseModel):
    blocks: Annotated[
        list[dict[str, Any]],
        Field(max_length=MAX_BATCH, description="blocks as PUT /blocks/{id} takes them, each with its id"),
    ]


class ScreenshotsIn(BaseModel):
    screenshots: Annotated[
        list[dict[str, Any]],
        Field(
            max_length=MAX_BATCH,
            description="screenshots as PUT /blocks/{id}/screenshot takes them, each with its block_id",
        ),
    ]


class ImageOut(ImageIn):
    content_type: Literal["image/jpeg", "image/webp"] = Field(description="the image's format")


class ScreenshotOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    taken_at: datetime
    redacted: bool
    images: list[ImageOut]


class BlockOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    contract_id: str
    device_id: str
    start: datetime
    end: datetime
    activity: list[list[int | None]] = Field(description="the counts null with activity_source idle_time")
    activity_source: ActivitySource
    memo: str
    capture_note: str
    source: BlockSource
    over_limit: bool
    deleted: bool
    updated_at: datetime
    screenshot: ScreenshotOut | None


class BlobOut(BaseModel):
    sha256: str
    size: int
    content_type: str


class BlobStored(BaseModel):
    sha256: str
    status: Literal[200] = 200


class BlobNotStored(BaseModel):
    """An image of PUT /blobs refused with the status and detail PUT /blobs/{sha256} would answer."""

    sha256: str | None  # None when its part has no name
    status: int
    detail: str


class BlobResults(BaseModel):
    results: list[BlobStored | BlobNotStored] = Field(description="one per part, in the order sent")


class Stored(BaseModel):
    """A batch item the service took (or already had): the block as PUT /blocks/{id} answers it."""

    id: str | None  # the item's id (a screenshot's own id)
    status: Literal[200] = 200
    block: BlockOut


class NotStored(BaseModel):
    """A batch item refused with the status and the detail its single PUT would answer."""

    id: str | None  # None when the item has no id that could be read
    status: int
    detail: str


class Results(BaseModel):
    results: list[Stored | NotStored] = Field(description="one per item, in the order sent")
