"""The service's settings: where its data lives from the environment, overridable by the command
line; the rest are the code's (and the tests') to choose."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, TypedDict

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from common.wire import MAX_FILE_BYTES, MAX_UPLOAD_BYTES, MAX_UPLOAD_IMAGES
from service.auth import SCRYPT_N
from service.database import POOL_SIZE

ENVIRONMENT_PREFIX = "WORKDIARY_SERVICE_"
# WORKDIARY_SERVICE_DATABASE_URL, …
FROM_ENVIRONMENT = frozenset(
    {
        "database_url",
        "database_pool_size",
        "storage_dir",
        "service_fee_percent",
        "s3_bucket",
        "s3_prefix",
        "s3_endpoint_url",
        "s3_region",
        "s3_access_key_id",
        "s3_secret_access_key",
        "s3_download_seconds",
        "s3_stream_downloads",
        "due_work_in_process",
        "log_format",
    }
)
WEEK_SECONDS = 7 * 24 * 3600  # the longest a presigned S3 URL may be valid


def _data_dir() -> Path:
    return Path(user_data_dir("workdiary-service"))


class _LocationsFromEnvironment(EnvSettingsSource):
    """The environment, read for FROM_ENVIRONMENT alone: the limits and the password cost are no
    deployment's to lower by a variable."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        if field_name not in FROM_ENVIRONMENT:
            return None, field_name, False
        return super().get_field_value(field, field_name)


class ServerOptions(TypedDict):
    proxy_headers: bool
    forwarded_allow_ips: list[str]


class ServiceConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENVIRONMENT_PREFIX, env_ignore_empty=True, frozen=True)

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{_data_dir() / 'workdiary-service.sqlite3'}"
    )
    # Connections each worker keeps to a PostgreSQL database, and never more: a request finding them
    # all busy waits for one (closing a connection made for a moment more, and opening the next, costs
    # PostgreSQL a process each time, and many connections at once get no more done on a few cores).
    # The workers' pools together must fit under the server's max_connections.
    database_pool_size: Annotated[int, Field(ge=1)] = POOL_SIZE
    storage_dir: Path = Field(default_factory=lambda: _data_dir() / "blobs")
    # The blobs in an S3-compatible object store instead of storage_dir (service.storage.S3BlobStore),
    # under the prefix. Endpoint, region and credentials left unset are found as boto3 finds them
    # (AWS_* variables, ~/.aws, the machine's role).
    s3_bucket: str | None = None
    s3_prefix: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    # Downloads from the bucket: a redirect to a URL presigned for this long, or, with
    # s3_stream_downloads, streamed through the service.
    s3_download_seconds: Annotated[int, Field(gt=0, le=WEEK_SECONDS)] = 60
    s3_stream_downloads: bool = False
    token_lifetime: timedelta = timedelta(days=30)
    web_session_lifetime: timedelta = timedelta(days=14)
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
    max_file_bytes: int = MAX_FILE_BYTES  # a message's attachment, streamed to the blob store
    # One PUT /blobs request: read whole before it is parsed, so its size is bounded.
    max_upload_images: int = MAX_UPLOAD_IMAGES
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    # How often the service does its scheduled work (service.scheduled: due terms, invoices,
    # payments); None: never by itself (the tests run it when their clock says).
    due_work_every: timedelta | None = timedelta(minutes=1)
    # Off (WORKDIARY_SERVICE_DUE_WORK_IN_PROCESS=false, or serve --no-due-work) where a cron job or a
    # systemd timer runs `workdiary-service due-work` instead.
    due_work_in_process: bool = True
    # "json": a JSON object a line (time, level, logger, message, request_id), for a log collector
    # gathering several workers' lines (WORKDIARY_SERVICE_LOG_FORMAT).
    log_format: Literal["text", "json"] = "text"
    # The operator's fee, a percentage of each hourly invoice entered in the ledger when the invoice
    # is paid (WORKDIARY_SERVICE_SERVICE_FEE_PERCENT); None: no fee.
    service_fee_percent: Annotated[Decimal, Field(gt=0, le=100)] | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, _LocationsFromEnvironment(settings_cls)

    def server_options(self) -> ServerOptions:
        """uvicorn's settings for the client's address: X-Forwarded-For (and X-Forwarded-Proto) are
        read from the trusted proxies alone, and from nobody when there are none."""
        return {
            "proxy_headers": bool(self.forwarded_allow_ips),
            "forwarded_allow_ips": list(self.forwarded_allow_ips),
        }
