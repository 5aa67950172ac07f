"""multipart/form-data bodies (RFC 7578) split into their parts, for the batch image upload."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

if TYPE_CHECKING:  # declared for type checkers alone
    from python_multipart.multipart import MultipartCallbacks


class Malformed(ValueError):
    """The body is not multipart/form-data that can be read."""


class TooManyParts(ValueError):
    pass


MAX_BOUNDARY = 70  # characters (RFC 2046)


@dataclass
class Part:
    name: str | None = None  # of its Content-Disposition; None when it has none
    content_type: str = ""  # its Content-Type header, as sent
    data: bytearray = field(default_factory=bytearray)


def boundary(content_type: str) -> bytes | None:
    """The boundary of a multipart/form-data Content-Type; None for any other type, or without one;
    Malformed when it is empty or too long to be one."""
    media_type, options = parse_options_header(content_type)
    found = options.get(b"boundary") if media_type == b"multipart/form-data" else None
    if found is not None and not 0 < len(found) <= MAX_BOUNDARY:
        raise Malformed(f"its boundary is not 1 to {MAX_BOUNDARY} characters long")
    return found


def split(body: bytes | bytearray, boundary: bytes, most: int) -> list[Part]:
    """The parts of a whole body; TooManyParts as soon as there are more than ``most``."""
    splitter = _Splitter(most)
    try:
        # (it reads any buffer: the body stays as read, not copied to bytes)
        MultipartParser(boundary, splitter.callbacks()).write(body)  # type: ignore[arg-type]
    except FormParserError as error:
        raise Malformed(str(error)) from error
    if not splitter.ended:  # python-multipart does not check it
        raise Malformed("the body ends before its closing boundary")
    return splitter.parts


class _Splitter:
    def __init__(self, most: int) -> None:
        self.most = most
        self.parts: list[Part] = []
        self.headers: dict[bytes, bytes] = {}
        self.header_name = self.header_value = b""
        self.ended = False

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        if len(self.parts) == self.most:
            raise TooManyParts(f"more than {self.most} parts")
        self.parts.append(Part())
        self.headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_name.strip().lower()] = self.header_value.strip()
        self.header_name = self.header_value = b""

    def on_headers_finished(self) -> None:
        part = self.parts[-1]
        name = parse_options_header(self.headers.get(b"content-disposition", b""))[1].get(b"name")
        part.name = name.decode("latin-1") if name is not None else None
        part.content_type = self.headers.get(b"content-type", b"").decode("latin-1")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self.parts[-1].data += data[start:end]

    def on_end(self) -> None:
        self.ended = True
