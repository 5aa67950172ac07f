"""The service's settings: from the environment, overridable by the command line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from platformdirs import user_data_dir

DATABASE_URL_VARIABLE = "WORKDIARY_SERVICE_DATABASE_URL"
STORAGE_DIR_VARIABLE = "WORKDIARY_SERVICE_STORAGE_DIR"


@dataclass(frozen=True)
class ServiceConfig:
    database_url: str
    storage_dir: Path
    token_lifetime: timedelta = timedelta(days=30)
    # Failed sign-ins allowed in the window, per account and per client address (an office behind
    # one address has several people mistyping, hence the higher address limit).
    sign_in_failures_per_account: int = 5
    sign_in_failures_per_address: int = 20
    sign_in_window: timedelta = timedelta(minutes=15)
    max_blob_bytes: int = 5 * 1024 * 1024
    # One PUT /blobs request: read whole before it is parsed, so its size is bounded.
    max_upload_images: int = 32
    max_upload_bytes: int = 20 * 1024 * 1024

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] = os.environ,
        database_url: str | None = None,
        storage_dir: Path | None = None,
    ) -> ServiceConfig:
        """The settings of the environment; the arguments (command-line flags) win over it."""
        data_dir = Path(user_data_dir("workdiary-service"))
        return cls(
            database_url=database_url
            or environ.get(DATABASE_URL_VARIABLE)
            or f"sqlite:///{data_dir / 'workdiary-service.sqlite3'}",
            storage_dir=Path(storage_dir or environ.get(STORAGE_DIR_VARIABLE) or data_dir / "blobs"),
        )
