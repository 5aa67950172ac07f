"""Refusals, each with the HTTP status that tells the app what to do next and a message for the user;
and malformed input told in a sentence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class Refusal(Exception):
    status = 400

    def __init__(self, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers


class BadContent(Refusal):
    status = 400


class Unauthenticated(Refusal):
    status = 401

    def __init__(self, detail: str) -> None:
        super().__init__(detail, {"WWW-Authenticate": "Bearer"})


class Forbidden(Refusal):
    status = 403


class NotFound(Refusal):
    status = 404


class Conflict(Refusal):
    status = 409


class LengthRequired(Refusal):
    status = 411


class TooLarge(Refusal):
    status = 413


class UnsupportedMedia(Refusal):
    status = 415


class TooManyAttempts(Refusal):
    status = 429

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail, {"Retry-After": str(retry_after_seconds)})


def validation_message(errors: Sequence[Mapping[str, Any]]) -> str:
    """Pydantic's errors as one sentence a person can read: "memo: String should have at most …"."""
    parts = []
    for error in errors:
        location = [str(part) for part in error["loc"]]
        if error["type"] == "json_invalid":
            return f"The body is not valid JSON ({error['ctx']['error']})."
        if location == ["body"] and error["type"] == "missing":
            return "The request needs a JSON body."
        if len(location) > 1 and location[0] in ("body", "query", "path", "header"):
            location = location[1:]
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{'.'.join(location)}: {message}" if location else message)
    return "; ".join(parts) + "."


def unreadable_body_message(cause: BaseException | None) -> str:
    """Why a JSON body could not be read at all (FastAPI's "error parsing the body", by its cause)."""
    if isinstance(cause, UnicodeDecodeError):
        return f"The body is not valid JSON (not UTF-8 text at byte {cause.start})."
    if isinstance(cause, RecursionError):
        return "The body's JSON nests arrays or objects too deeply to be read."
    return "The body cannot be read as JSON."
