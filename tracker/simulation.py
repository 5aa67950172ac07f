"""A clock that moves only when told and input counts that grow only when told: they drive the real
engine through simulated days in milliseconds, for the demo week, the docs' pictures, the
benchmarks and the tests."""

from __future__ import annotations

from datetime import datetime, timedelta


class SimulatedClock:
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


class SimulatedInput:
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


def simulate(
    tracker, clock: SimulatedClock, seconds: int, keys: int = 1, mouse: int = 2, every: int = 1
) -> None:
    """Drive the tracker for ``seconds`` one-second ticks, with input on every ``every``-th second
    (``every=0``: no input at all)."""
    source = tracker.input
    for second in range(seconds):
        clock.advance(1)
        if every and second % every == 0:
            source.add(keys, mouse)
        tracker.tick()
