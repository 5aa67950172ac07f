"""Fakes for the core's collaborators: a clock that moves only when told, input counts that grow
only when told, and a screen capturer that writes small real files."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

from tracker.capture import Capture, CapturedImage
from tracker.errors import EnvironmentProblem


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.wall = start
        self.mono = 1000.0

    def now(self) -> datetime:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds

    def suspend(self, seconds: float) -> None:
        """The machine sleeps: the wall clock moves, the monotonic clock does not."""
        self.wall += timedelta(seconds=seconds)

    def set_wall(self, moment: datetime) -> None:
        """Somebody changes the system clock."""
        self.wall = moment


class FakeInput:
    def __init__(self) -> None:
        self.keys = 0
        self.mouse = 0

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def counts(self) -> tuple[int, int]:
        return self.keys, self.mouse

    def add(self, keys: int = 0, mouse: int = 0) -> None:
        self.keys += keys
        self.mouse += mouse


class FakeCapturer:
    """Writes a few bytes per image, so that the files and their hashes are real."""

    def __init__(self, monitors: int = 1, note: str = "", problem: EnvironmentProblem | None = None) -> None:
        self.monitors = monitors
        self.note = note
        self.problem = problem
        self.calls = 0

    def capture(self, directory: Path, stem: str) -> Capture:
        self.calls += 1
        if self.problem:
            raise self.problem
        images = []
        for monitor in range(1, self.monitors + 1):
            content = f"{stem} monitor {monitor}".encode()
            path = directory / f"{stem}-m{monitor}.webp"
            thumbnail = directory / f"{stem}-m{monitor}-thumb.webp"
            path.write_bytes(content)
            thumbnail.write_bytes(content[:8])
            images.append(
                CapturedImage(
                    monitor, path, thumbnail, hashlib.sha256(content).hexdigest(), len(content), 64, 36
                )
            )
        return Capture(images, self.note)


def run(tracker, clock: FakeClock, seconds: int, keys: int = 1, mouse: int = 2, every: int = 1) -> None:
    """Drive the tracker for ``seconds`` one-second ticks, with input on every ``every``-th second
    (``every=0``: no input at all)."""
    source = tracker.input
    for second in range(seconds):
        clock.advance(1)
        if every and second % every == 0:
            source.add(keys, mouse)
        tracker.tick()
