"""Logging, configured once at start-up by each command: the app, the tracker, the sync, the service."""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

# The request being answered (the service sets it for each), for the lines logged meanwhile.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


class JsonLines(logging.Formatter):
    """A record as one JSON object on one line, for a log collector."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (answering := request_id.get()) is not None:
            line["request_id"] = answering
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(verbose: bool = False, json_lines: bool = False) -> None:
    """Warnings and errors to stderr; with ``verbose``, what happens too; with ``json_lines``, as
    JSON objects, one a line."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonLines() if json_lines else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler])
