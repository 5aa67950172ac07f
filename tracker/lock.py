"""One tracking process per data folder, whichever program it is (``python -m tracker track`` or
the app): each holds an OS lock on ``tracking.lock`` in the data folder while it runs.

The operating system lets go of the lock when the process ends, however it ends (kill -9
included), so a crashed tracker never keeps the next one out; and only the holder of the lock
recovers blocks a crash left open, so a second tracker never touches a live one's block. The file
names its holder (program, process id, start), for the refusal to say which one runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from common.errors import RuleViolation
from common.timetext import local_text

LOCK_NAME = "tracking.lock"
# Windows locks byte ranges, and a locked byte cannot be read by others: lock one far past the
# holder's description, which stays readable.
_WINDOWS_LOCKED_BYTE = 1 << 30


class AlreadyTracking(RuleViolation):
    """Another process tracks on this data folder."""


class TrackingLock:
    def __init__(self, data_dir: Path, program: str) -> None:
        self.path = Path(data_dir) / LOCK_NAME
        self.program = program
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise AlreadyTracking naming the process that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_lock(fd):
            holder = _read(fd)
            os.close(fd)
            raise AlreadyTracking(
                f"{_holder_text(holder)} is already tracking time with the data folder {self.path.parent}. "
                "One program tracks per data folder: stop that one first."
            )
        self._fd = fd
        os.ftruncate(fd, 0)
        holder = {"program": self.program, "pid": os.getpid(), "since": datetime.now(UTC).isoformat()}
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(holder).encode())

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the file lets go of the lock
            self._fd = None

    def __enter__(self) -> TrackingLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCKED_BYTE, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _read(fd: int) -> dict:
    os.lseek(fd, 0, os.SEEK_SET)
    try:
        holder = json.loads(os.read(fd, 4096) or b"{}")
    except ValueError:  # being written this very moment
        return {}
    return holder if isinstance(holder, dict) else {}


def _holder_text(holder: dict) -> str:
    """'python -m tracker track (process 4242, since Mon 23 Nov 09:00)'"""
    if not holder.get("program"):
        return "Another Workdiary"
    facts = [f"process {holder['pid']}"] if holder.get("pid") else []
    with contextlib.suppress(KeyError, TypeError, ValueError):
        facts.append(f"since {local_text(datetime.fromisoformat(holder['since']))}")
    return f"{holder['program']} ({', '.join(facts)})" if facts else str(holder["program"])
