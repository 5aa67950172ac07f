"""Refusals, each with the HTTP status that tells the app what to do next and a message for the user."""

from __future__ import annotations


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


class TooLarge(Refusal):
    status = 413


class UnsupportedMedia(Refusal):
    status = 415


class TooManyAttempts(Refusal):
    status = 429

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail, {"Retry-After": str(retry_after_seconds)})
