"""Where uploaded images and files live: a content-addressed blob store behind a small interface, so
that an S3-compatible object store can replace the local folder."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK = 64 * 1024  # a streamed blob's bytes are read and written this many at a time


class Incoming(Protocol):
    """A blob being received, before anyone knows whether its bytes are the ones announced."""

    size: int

    def write(self, chunk: bytes) -> None: ...

    def sha256(self) -> str:
        """The SHA-256 of the bytes written so far."""

    def keep(self, sha256: str) -> None:
        """Store the bytes written as the blob ``sha256`` (on disk before this returns; again if
        called again, as when the blob was removed meanwhile)."""


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


class _IncomingFile:
    """A blob received into a temporary file of the store's folder, which ``keep`` links under its
    hash's name: a reader never sees half a blob, and a blob never kept leaves nothing behind."""

    def __init__(self, store: LocalBlobStore, stream: BinaryIO, path: Path) -> None:
        self._store, self._stream, self._path = store, stream, path
        self._hash = hashlib.sha256()
        self._synced = False
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self._stream.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    def sha256(self) -> str:
        return self._hash.hexdigest()

    def keep(self, sha256: str) -> None:
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
