"""The service's settings: from the environment, overridable by the command line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from platformdirs import user_data_dir

from service.auth import SCRYPT_N

DATABASE_URL_VARIABLE = "WORKDIARY_SERVICE_DATABASE_URL"
STORAGE_DIR_VARIABLE = "WORKDIARY_SERVICE_STORAGE_DIR"


@dataclass(frozen=True)
class ServiceConfig:
    database_url: str
    storage_dir: Path
    token_lifetime: timedelta = timedelta(days=30)
    # Failed sign-ins allowed in the window, per account from one client address, and per address
    # (an office behind one address has several people mistyping, hence the higher address limit).
    # Not per account alone: whoever knows an email could then lock its owner out.
    sign_in_failures_per_account_and_address: int = 5
    sign_in_failures_per_address: int = 20
    sign_in_window: timedelta = timedelta(minutes=15)
    # scrypt's n for new password hashes (2**17, OWASP's minimum: 128 MiB and a few hundred ms per
    # hash); a weaker stored hash is replaced at its user's next sign-in. The tests make it cheaper;
    # never lower it in a real service.
    password_cost: int = SCRYPT_N
    # The reverse proxies whose X-Forwarded-For names the client (serve --forwarded-allow-ips:
    # addresses or networks); none by default, so a client cannot choose the address the sign-in
    # limits count it under.
    forwarded_allow_ips: tuple[str, ...] = ()
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

    def server_options(self) -> dict[str, object]:
        """uvicorn's settings for the client's address: X-Forwarded-For (and X-Forwarded-Proto) are
        read from the trusted proxies alone, and from nobody when there are none."""
        return {
            "proxy_headers": bool(self.forwarded_allow_ips),
            "forwarded_allow_ips": list(self.forwarded_allow_ips),
        }
