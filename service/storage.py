"""Where uploaded images live: a content-addressed blob store behind a small interface, so that an
S3-compatible object store can replace the local folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol


class BlobStore(Protocol):
    def put(self, sha256: str, data: bytes) -> None: ...

    def get(self, sha256: str) -> bytes:
        """The blob's bytes; FileNotFoundError when it is not there."""

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

    def get(self, sha256: str) -> bytes:
        return self._path(sha256).read_bytes()

    def delete(self, sha256: str) -> None:
        self._path(sha256).unlink(missing_ok=True)

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()
