"""Logging, configured once at start-up by each command: the app, the tracker, the sync, the service."""

from __future__ import annotations

import logging


def configure(verbose: bool = False) -> None:
    """Warnings and errors to stderr; with ``verbose``, what happens too."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
