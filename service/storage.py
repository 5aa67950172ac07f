"""Where uploaded images and files live: a content-addressed blob store behind a small interface,
a local folder (one machine) or an S3-compatible object store (several workers, PRODUCT.md section 8),
as the settings choose (``blob_store``)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, cast

from service.config import ServiceConfig

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CHUNK = 64 * 1024  # a streamed blob's bytes are read and written this many at a time
WORKER_THREADS = 40  # anyio's default limit of the threads a worker runs blocking calls in


class Incoming(Protocol):
    """A blob being received, before anyone knows whether its bytes are the ones announced."""

    size: int

    def write(self, chunk: bytes) -> None: ...

    def sha256(self) -> str:
        """The SHA-256 of the bytes written so far."""

    def keep(self, sha256: str) -> None:
        """Store the bytes written as the blob ``sha256``, which must be their hash (ValueError
        otherwise), durably before this returns; again if called again, as when the blob was
        removed meanwhile."""


class BlobStore(Protocol):
    def put(self, sha256: str, data: bytes) -> None: ...

    def receive(self) -> AbstractContextManager[Incoming]:
        """A blob streamed in chunks, hashed as they come; what was not kept is gone at the end."""

    def get(self, sha256: str) -> bytes:
        """The blob's bytes; FileNotFoundError when it is not there."""

    def open(self, sha256: str) -> BinaryIO:
        """The blob to read in chunks; FileNotFoundError when it is not there."""

    def delete(self, sha256: str) -> None:
        """Remove the blob; nothing happens when it is not there."""

    def exists(self, sha256: str) -> bool: ...

    def hashes(self) -> Iterator[str]:
        """The hash of every blob stored."""

    def check(self) -> None:
        """Raises, saying why, when the store cannot take blobs (the service's readiness)."""

    def download_url(self, sha256: str, content_type: str, content_disposition: str) -> str | None:
        """A short-lived URL its reader downloads the blob from directly, served with this type and
        disposition; None: the service serves the blob itself."""


def blob_store(config: ServiceConfig) -> BlobStore:
    """The store the settings name: the S3 bucket when there is one, else the local folder."""
    if config.s3_bucket is None:
        return LocalBlobStore(config.storage_dir)
    return S3BlobStore.of(config)


class LocalBlobStore:
    """Blobs as files in a folder only the service's user can read, two levels deep by hash prefix."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)

    def _path(self, sha256: str) -> Path:
        return self.folder / sha256[:2] / sha256

    def put(self, sha256: str, data: bytes) -> None:
        path = self._path(sha256)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        # A reader never sees half a file: the bytes go to a temporary file that replaces the name.
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")  # mode 0600
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @contextmanager
    def receive(self) -> Iterator[Incoming]:
        descriptor, temporary = tempfile.mkstemp(dir=self.folder, prefix=".upload-")  # mode 0600
        try:
            with os.fdopen(descriptor, "wb") as stream:
                yield _IncomingFile(self, stream, Path(temporary))
        finally:
            Path(temporary).unlink(missing_ok=True)

    def get(self, sha256: str) -> bytes:
        return self._path(sha256).read_bytes()

    def open(self, sha256: str) -> BinaryIO:
        return self._path(sha256).open("rb")

    def delete(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def hashes(self) -> Iterator[str]:
        return (path.name for path in self.folder.glob("*/*") if not path.name.startswith("."))

    def check(self) -> None:
        if not os.access(self.folder, os.W_OK | os.X_OK):
            raise PermissionError(f"the folder {self.folder} is missing or not writable")

    def download_url(self, sha256: str, content_type: str, content_disposition: str) -> None:
        return None


class _Hashing:
    """A blob being written to ``stream``, hashed and counted as it comes."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self._stream.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    def sha256(self) -> str:
        return self._hash.hexdigest()

    def _check(self, sha256: str) -> None:
        """Refuse to keep the bytes under any name but their own hash."""
        if sha256 != self.sha256():
            raise ValueError(f"the blob received is {self.sha256()}, not {sha256}")


class _IncomingFile(_Hashing):
    """A blob received into a temporary file of the store's folder, which ``keep`` links under its
    hash's name: a reader never sees half a blob, and a blob never kept leaves nothing behind."""

    def __init__(self, store: LocalBlobStore, stream: BinaryIO, path: Path) -> None:
        super().__init__(stream)
        self._store, self._path = store, path
        self._synced = False

    def keep(self, sha256: str) -> None:
        self._check(sha256)
        if not self._synced:
            self._stream.flush()
            os.fsync(self._stream.fileno())
            self._synced = True
        path = self._store._path(sha256)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        # A second name for the received bytes, which replaces the blob's: the temporary file stays
        # for a later keep, and is removed when the receiving ends.
        link = self._path.with_name(f"{self._path.name}.{sha256[:8]}")
        link.unlink(missing_ok=True)
        os.link(self._path, link)
        os.replace(link, path)


class S3BlobStore:
    """Blobs as objects of an S3 bucket, each named by its prefix and hash. Each write is one PUT,
    which S3 makes visible whole or not at all. Downloads are presigned GET URLs valid
    ``download_seconds``; with None, the service streams them itself.

    A received blob is spooled to an anonymous temporary file and PUT once kept, rather than sent
    as a multipart upload while it arrives: its hash, and so its object's name, is known only at the
    end (a web form's file comes without one), multipart parts are at least 5 MB each in memory
    anyway, and a blob never kept (refused, cut short, its worker killed) never reaches the bucket,
    so there are no incomplete uploads to abort or half-named objects to clean up. The price is a
    25 MB file at most on the worker's disk per upload, and its PUT after the last byte arrived."""

    def __init__(
        self, client: S3Client, bucket: str, prefix: str = "", download_seconds: int | None = 60
    ) -> None:
        self._client, self.bucket, self.prefix = client, bucket, prefix
        self.download_seconds = download_seconds

    @classmethod
    def of(cls, config: ServiceConfig) -> S3BlobStore:
        import boto3  # only where a bucket is named: a service on its local folder never loads it
        from botocore.config import Config

        assert config.s3_bucket is not None
        secret = config.s3_secret_access_key
        client = boto3.session.Session(
            aws_access_key_id=config.s3_access_key_id,
            aws_secret_access_key=secret.get_secret_value() if secret else None,
            region_name=config.s3_region,
        ).client(
            "s3",
            endpoint_url=config.s3_endpoint_url,
            # Signature version 4 for presigned URLs too (boto3 may presign with the deprecated 2,
            # whose URLs are not bounded to a week); a connection for each thread of the worker's
            # pool (anyio's 40) that may be talking to the bucket at once, rather than boto3's 10.
            config=Config(signature_version="s3v4", max_pool_connections=WORKER_THREADS),
        )
        download_seconds = None if config.s3_stream_downloads else config.s3_download_seconds
        return cls(client, config.s3_bucket, config.s3_prefix, download_seconds)

    def _key(self, sha256: str) -> str:
        return f"{self.prefix}{sha256}"

    def put(self, sha256: str, data: bytes | BinaryIO) -> None:
        self._client.put_object(Bucket=self.bucket, Key=self._key(sha256), Body=data)

    @contextmanager
    def receive(self) -> Iterator[Incoming]:
        # Nameless on Linux (O_TMPFILE): gone with its descriptor, even when the worker is killed.
        with tempfile.TemporaryFile(prefix="workdiary-upload-") as spool:
            yield _IncomingObject(self, cast(BinaryIO, spool))

    def get(self, sha256: str) -> bytes:
        with self.open(sha256) as stream:
            return stream.read()

    def open(self, sha256: str) -> BinaryIO:
        try:
            answer = self._client.get_object(Bucket=self.bucket, Key=self._key(sha256))
        except self._client.exceptions.NoSuchKey as missing:
            raise FileNotFoundError(f"no blob {sha256} in s3://{self.bucket}/{self.prefix}") from missing
        return cast(BinaryIO, answer["Body"])

    def delete(self, sha256: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=self._key(sha256))

    def exists(self, sha256: str) -> bool:
        try:
            self._client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except self._client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") == "404":
                return False
            raise
        return True

    def check(self) -> None:
        self._client.head_bucket(Bucket=self.bucket)

    def hashes(self) -> Iterator[str]:
        pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for stored in page.get("Contents", []):
                yield stored["Key"].removeprefix(self.prefix)

    def download_url(self, sha256: str, content_type: str, content_disposition: str) -> str | None:
        if self.download_seconds is None:
            return None
        parameters: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": self._key(sha256),
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition,
            "ResponseCacheControl": "private",  # as the service serves its downloads
        }
        return self._client.generate_presigned_url(
            "get_object", Params=parameters, ExpiresIn=self.download_seconds
        )


class _IncomingObject(_Hashing):
    """A blob received into a spool file, PUT as the object of its hash at each ``keep``."""

    def __init__(self, store: S3BlobStore, spool: BinaryIO) -> None:
        super().__init__(spool)
        self._store = store

    def keep(self, sha256: str) -> None:
        self._check(sha256)
        self._stream.flush()
        self._stream.seek(0)
        self._store.put(sha256, self._stream)
        self._stream.seek(0, os.SEEK_END)
